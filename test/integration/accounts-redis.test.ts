import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/accounts/policy.js';
import { openAccounts } from '../../src/accounts/setup.js';
import { loadConfig } from '../../src/platform/config.js';
import type { App } from '../../src/server.js';
import { injectableApp } from '../helpers/app.js';
import { PrivateRedis, freePort, requireRedis } from '../helpers/redis.js';

async function untilRedis(app: App, state: string): Promise<void> {
  for (let i = 0; i < 200 && (await app.server.inject({ method: 'GET', url: '/ready' })).json<{ redis: string }>().redis !== state; i++) await new Promise((r) => setTimeout(r, 50));
}

// Quotas shared by two replicas through a private redis-server, then that server killed: what each key gets.
describe.skipIf(!requireRedis)('per-key quotas through Redis, and while it is down', () => {
  let redis: PrivateRedis;
  let replicas: App[];
  let keys: { counted: string; unseen: string };
  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    const env = { AUTH_MODE: 'required', REDIS_URL: redis.url, TOOLS: 'qr' };
    replicas = [await injectableApp(env), await injectableApp(env)];
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url);
    const accounts = await openAccounts(loadConfig(env), client);
    keys = { counted: (await accounts.create('shop-a', parsePolicy({ quota: ['4/day'] }))).key, unseen: (await accounts.create('shop-b', parsePolicy({ quota: ['4/day'] }))).key };
    client.disconnect();
  });
  const lines: string[] = [];
  afterAll(async () => {
    console.log(lines.join('\n'));
    // Back for the close: the job queues' connection waits for Redis rather than dropping queued work.
    await redis.start();
    for (const app of replicas) await untilRedis(app, 'ready');
    for (const app of replicas) await app.server.close();
    await redis.stop();
  });

  const call = async (replica: number, key: string) => {
    const res = await replicas[replica]!.server.inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'quota', format: 'svg' }, headers: { 'x-api-key': key } });
    const h = res.headers;
    const line = `replica ${replica}: ${res.statusCode}${res.statusCode >= 400 ? ` ${res.json<{ error: { code: string } }>().error.code}` : ''}  RateLimit-Limit ${h['ratelimit-limit'] ?? '-'}  RateLimit-Remaining ${h['ratelimit-remaining'] ?? '-'}  RateLimit-Reset ${h['ratelimit-reset'] ?? '-'}${h['retry-after'] ? `  Retry-After ${h['retry-after']}` : ''}`;
    lines.push(line);
    return res;
  };

  it('counts one key across replicas, and with Redis down limits each replica on its own', async () => {
    lines.push('-- Redis up: shop-a, quota 4/day, alternating between two replicas');
    const up = [];
    for (let i = 0; i < 6; i++) up.push((await call(i % 2, keys.counted)).statusCode);
    expect(up).toEqual([200, 200, 200, 200, 429, 429]);

    lines.push('-- Redis killed');
    await redis.stop();
    for (const app of replicas) await untilRedis(app, 'unavailable');
    lines.push(`   /ready: ${(await replicas[0]!.server.inject({ method: 'GET', url: '/ready' })).body}`);
    lines.push('-- shop-a (seen by both replicas): each replica counts it on its own');
    const down = [];
    for (let i = 0; i < 5; i++) down.push((await call(0, keys.counted)).statusCode);
    down.push((await call(1, keys.counted)).statusCode);
    expect(down).toEqual([200, 200, 200, 200, 429, 200]);
    lines.push('-- shop-b (never seen by this replica): cannot be verified');
    const unseen = await call(0, keys.unseen);
    expect(unseen.statusCode).toBe(503);
    expect(unseen.json()).toMatchObject({ error: { code: 'ACCOUNTS_UNAVAILABLE' } });
    expect(unseen.headers['retry-after']).toBeDefined();
    lines.push('-- no key, or a key that cannot be ours: refused as with Redis up');
    expect((await replicas[0]!.server.inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'x' } })).statusCode).toBe(401);
    expect((await call(0, 'qrw_not-a-key')).statusCode).toBe(401);
  });
});
