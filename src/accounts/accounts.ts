/** The accounts use cases: make, list and revoke keys; authenticate a presented key; admit a request against its limits; record its usage. */
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { QrwError } from '../errors.js';
import { keyId, keyMatches, newKey } from './keys.js';
import type { KeyMetrics } from './metrics.js';
import type { KeyPolicy } from './policy.js';
import type { QuotaCounter, QuotaDecision } from './quota.js';
import { requestField, type AccountStore, type KeyRecord, type UsageFields } from './store.js';
import { WORKS, type WorkCounts } from '../app/work-counts.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A key found in the store is trusted this long before it is read again: revoking reaches other replicas within it. */
export const KEY_CACHE_MS = 10_000;
const ATTEMPTS = 5;

/** What one request used, recorded when it completes. */
export interface RequestUsage {
  readonly route: string;
  readonly status: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly work: WorkCounts;
}

/** A key as listed: everything but its hash. */
export type KeySummary = Omit<KeyRecord, 'hash' | 'id'>;

export const summary = ({ hash: _hash, id: _id, ...rest }: KeyRecord): KeySummary => rest;

export class Accounts {
  private readonly seen = new LRUCache<string, { record: KeyRecord; at: number }>({ max: 10_000 });

  constructor(
    readonly store: AccountStore,
    private readonly quotas: QuotaCounter,
    private readonly log?: Logger,
    private readonly metrics?: KeyMetrics,
  ) {}

  /** The secret is returned here only; the store keeps its hash. */
  async create(name: string, policy: KeyPolicy): Promise<{ key: string; record: KeyRecord }> {
    if (!NAME.test(name)) throw new QrwError('INVALID_OPTION', `A key's name is 1 to 64 letters, digits, dots, dashes or underscores; got "${name}".`, { option: 'name' });
    for (let i = 0; i < ATTEMPTS; i++) {
      const made = newKey();
      const record: KeyRecord = { id: made.id, name, hash: made.hash, admin: policy.admin, tools: policy.tools, limits: policy.limits, createdAt: new Date().toISOString() };
      if ((await this.store.create(record)) === 'created') return { key: made.key, record };
    }
    throw new Error(`${ATTEMPTS} random key ids in a row were taken: the random source is broken`);
  }

  list(): Promise<KeyRecord[]> {
    return this.store.list();
  }

  async revoke(name: string): Promise<KeyRecord> {
    const record = await this.store.revoke(name);
    this.seen.delete(record.id);
    return record;
  }

  /**
   * The live key a request presents, or INVALID_API_KEY. While the store is unreachable a key this process
   * has seen keeps working (ACCOUNTS_UNAVAILABLE for one it has not): an outage of Redis is not an outage of every client.
   */
  async authenticate(presented: string, now = Date.now()): Promise<KeyRecord> {
    const id = keyId(presented);
    if (id === undefined) throw invalid();
    const cached = this.seen.get(id);
    let record = cached && now - cached.at < KEY_CACHE_MS ? cached.record : undefined;
    if (!record) {
      try {
        record = await this.store.byId(id);
      } catch (err) {
        if (!cached) throw new QrwError('ACCOUNTS_UNAVAILABLE', 'The key store is unreachable; retry shortly.');
        this.log?.debug({ err: (err as Error).message }, 'accounts: store unreachable, using the key as last seen');
        record = cached.record;
      }
      if (record) this.seen.set(id, { record, at: cached && record === cached.record ? cached.at : now });
    }
    if (!record || !keyMatches(presented, record.hash) || record.revokedAt !== undefined) throw invalid();
    return record;
  }

  admit(record: KeyRecord): Promise<QuotaDecision | undefined> {
    return this.quotas.take(record.id, record.limits);
  }

  /** Counts in the metrics at once and in the store without waiting: a failed write loses one request's counts, not the answer. */
  record(record: KeyRecord, usage: RequestUsage): void {
    const key = record.name;
    this.metrics?.requests.inc({ key, route: usage.route, status: String(usage.status) });
    if (usage.bytesIn > 0) this.metrics?.bytes.inc({ key, direction: 'in' }, usage.bytesIn);
    if (usage.bytesOut > 0) this.metrics?.bytes.inc({ key, direction: 'out' }, usage.bytesOut);
    this.add(key, { [requestField(usage.route, usage.status)]: 1, bytesIn: usage.bytesIn, bytesOut: usage.bytesOut }, usage.work);
  }

  /** The work of a job, counted for the key that submitted it when the attempt that did it ends. */
  recordWork(key: string, work: WorkCounts): void {
    if (WORKS.some((w) => work[w] > 0)) this.add(key, {}, work);
  }

  private add(key: string, fields: Record<string, number>, work: WorkCounts): void {
    for (const w of WORKS) {
      fields[w] = work[w];
      if (work[w] > 0) this.metrics?.work.inc({ key, work: w }, work[w]);
    }
    this.store.addUsage(key, fields).catch((err: unknown) => this.log?.debug({ err: (err as Error).message, key }, 'accounts: usage not recorded'));
  }

  /** Usage as the API shows it: per key, requests by route and status, and the totals. */
  async usage(name?: string): Promise<UsageReport[]> {
    const byName = await this.store.usage(name);
    if (name !== undefined && !byName.has(name)) byName.set(name, {});
    return [...byName].sort(([a], [b]) => a.localeCompare(b)).map(([key, fields]) => report(key, fields));
  }
}

export interface UsageReport {
  readonly key: string;
  readonly requests: { route: string; status: number; count: number }[];
  readonly codes: number;
  readonly decoded: number;
  readonly idphotos: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

function report(key: string, fields: UsageFields): UsageReport {
  const requests = Object.entries(fields)
    .filter(([f]) => f.startsWith('req|'))
    .map(([f, count]) => {
      const [, route = '', status = '0'] = f.split('|');
      return { route, status: Number(status), count };
    })
    .sort((a, b) => a.route.localeCompare(b.route) || a.status - b.status);
  return { key, requests, codes: fields.codes ?? 0, decoded: fields.decoded ?? 0, idphotos: fields.idphotos ?? 0, bytesIn: fields.bytesIn ?? 0, bytesOut: fields.bytesOut ?? 0 };
}

const invalid = (): QrwError => new QrwError('INVALID_API_KEY', 'The API key is not valid (malformed, unknown or revoked).');
