import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { hashKey, keyId, keyMatches, newKey } from '../../../src/accounts/keys.js';
import { RedisAccountStore } from '../../../src/accounts/redis-store.js';
import { SqliteAccountStore } from '../../../src/accounts/sqlite-store.js';
import { requestField, type AccountStore, type KeyRecord } from '../../../src/accounts/store.js';
import { REDIS_URL, deleteKeys, requireRedis } from '../../helpers/redis.js';

describe('keys', () => {
  it('are qrw_ + 256 random bits, looked up by their first characters and matched by hash', () => {
    const a = newKey();
    expect(a.key).toMatch(/^qrw_[A-Za-z0-9_-]{43}$/);
    expect(keyId(a.key)).toBe(a.id);
    expect(a.hash).toBe(hashKey(a.key));
    expect(keyMatches(a.key, a.hash)).toBe(true);
    expect(keyMatches(newKey().key, a.hash)).toBe(false);
    expect(keyMatches(a.key, '')).toBe(false);
    expect(keyId('qrw_short')).toBeUndefined();
    expect(keyId(`Bearer ${a.key}`)).toBeUndefined();
    expect(new Set(Array.from({ length: 1000 }, () => newKey().id)).size).toBe(1000);
  });
});

const record = (name: string, id: string): KeyRecord => ({ id, name, hash: hashKey(name), admin: false, tools: ['qr'], limits: { second: 5, day: 100 }, createdAt: new Date().toISOString() });

function storeContract(open: () => Promise<AccountStore>): void {
  it('creates, finds, lists and revokes keys; names and ids stay unique', async () => {
    const store = await open();
    try {
      expect(await store.create(record('shop-a', 'AAAAAAAA'))).toBe('created');
      expect(await store.create(record('shop-b', 'AAAAAAAA'))).toBe('id-taken');
      await expect(store.create(record('shop-a', 'BBBBBBBB'))).rejects.toMatchObject({ code: 'KEY_EXISTS' });
      expect(await store.create(record('shop-b', 'CCCCCCCC'))).toBe('created');
      expect(await store.byId('AAAAAAAA')).toMatchObject({ name: 'shop-a', tools: ['qr'], limits: { second: 5, day: 100 }, admin: false });
      expect(await store.byId('ZZZZZZZZ')).toBeUndefined();
      expect((await store.list()).map((k) => k.name).sort()).toEqual(['shop-a', 'shop-b']);
      const revoked = await store.revoke('shop-a');
      expect(revoked.revokedAt).toEqual(expect.any(String));
      expect((await store.byId('AAAAAAAA'))?.revokedAt).toBe(revoked.revokedAt);
      await expect(store.revoke('nobody')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
      await expect(store.create(record('shop-a', 'DDDDDDDD'))).rejects.toMatchObject({ code: 'KEY_EXISTS' });
    } finally {
      await store.close();
    }
  });

  it('adds usage counters per key', async () => {
    const store = await open();
    try {
      await store.addUsage('shop-a', { [requestField('POST /api/v1/generate', 200)]: 1, codes: 1, bytesIn: 10 });
      await store.addUsage('shop-a', { [requestField('POST /api/v1/generate', 200)]: 1, codes: 3, bytesIn: 5, decoded: 0 });
      await store.addUsage('shop-b', { decoded: 2 });
      expect(Object.fromEntries(await store.usage('shop-a'))).toEqual({ 'shop-a': { 'req|POST /api/v1/generate|200': 2, codes: 4, bytesIn: 15 } });
      expect([...(await store.usage()).keys()].sort()).toEqual(['shop-a', 'shop-b']);
    } finally {
      await store.close();
    }
  });
}

describe('SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qrw-accounts-store-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  storeContract(() => SqliteAccountStore.open(join(dir, 'nested', 'keys.db')));

  it('never holds a key in clear', async () => {
    const file = join(dir, 'clear.db');
    const store = await SqliteAccountStore.open(file);
    const made = newKey();
    await store.create({ ...record('x', made.id), hash: made.hash });
    await store.close();
    const { readFileSync, existsSync } = await import('node:fs');
    const bytes = [file, `${file}-wal`]
      .filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1'))
      .join('');
    expect(bytes).toContain(made.hash);
    expect(bytes).not.toContain(made.key.slice(4));
  });
});

describe.skipIf(!requireRedis)('Redis store', () => {
  const prefix = `qrw-test-accounts-${process.pid}-${Date.now()}:`;
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await deleteKeys(`${prefix}*`);
  });
  storeContract(async () => {
    const { Redis } = await import('ioredis');
    const client = new Redis(REDIS_URL);
    clients.push(client);
    return new RedisAccountStore(client, prefix);
  });
});
