/**
 * Keys and usage in Redis, shared by every replica: `acct:key:<id>` (the record as JSON), `acct:name:<name>`
 * (its id), `acct:names` (the set of names), `acct:usage:<name>` (a hash of counters). None has a TTL, so
 * `volatile-lru` never evicts them.
 */
import type { Redis } from 'ioredis';
import { QrwError } from '../errors.js';
import type { AccountStore, KeyRecord, UsageFields } from './store.js';

export class RedisAccountStore implements AccountStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private k(...parts: string[]): string {
    return `${this.prefix}acct:${parts.join(':')}`;
  }

  async create(record: KeyRecord): Promise<'created' | 'id-taken'> {
    // The name is claimed first (NX), so two creates of one name cannot both succeed; an id collision gives the name back.
    if ((await this.redis.set(this.k('name', record.name), record.id, 'NX')) === null) throw new QrwError('KEY_EXISTS', `A key named "${record.name}" exists.`, { name: record.name });
    if ((await this.redis.set(this.k('key', record.id), JSON.stringify(record), 'NX')) === null) {
      await this.redis.del(this.k('name', record.name));
      return 'id-taken';
    }
    await this.redis.sadd(this.k('names'), record.name);
    return 'created';
  }

  async byId(id: string): Promise<KeyRecord | undefined> {
    const json = await this.redis.get(this.k('key', id));
    return json === null ? undefined : (JSON.parse(json) as KeyRecord);
  }

  async list(): Promise<KeyRecord[]> {
    const names = await this.redis.smembers(this.k('names'));
    if (names.length === 0) return [];
    const ids = await this.redis.mget(names.map((n) => this.k('name', n)));
    const jsons = await this.redis.mget(ids.filter((id): id is string => id !== null).map((id) => this.k('key', id)));
    return jsons
      .filter((j): j is string => j !== null)
      .map((j) => JSON.parse(j) as KeyRecord)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  async revoke(name: string): Promise<KeyRecord> {
    const id = await this.redis.get(this.k('name', name));
    const record = id === null ? undefined : await this.byId(id);
    if (!record) throw new QrwError('KEY_NOT_FOUND', `There is no key named "${name}".`, { name });
    if (record.revokedAt !== undefined) return record;
    const revoked = { ...record, revokedAt: new Date().toISOString() };
    await this.redis.set(this.k('key', record.id), JSON.stringify(revoked));
    return revoked;
  }

  async addUsage(name: string, fields: UsageFields): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const [field, value] of Object.entries(fields)) if (value !== 0) pipeline.hincrby(this.k('usage', name), field, value);
    await pipeline.exec();
  }

  async usage(name?: string): Promise<Map<string, UsageFields>> {
    const names = name === undefined ? await this.redis.smembers(this.k('names')) : [name];
    const byName = new Map<string, UsageFields>();
    for (const n of names) {
      const hash = await this.redis.hgetall(this.k('usage', n));
      if (Object.keys(hash).length > 0) byName.set(n, Object.fromEntries(Object.entries(hash).map(([f, v]) => [f, Number(v)])));
    }
    return byName;
  }

  async close(): Promise<void> {
    // The connection belongs to whoever opened it.
  }
}
