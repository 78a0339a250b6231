import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Accounts } from '../../../src/accounts/accounts.js';
import { parsePolicy } from '../../../src/accounts/policy.js';
import { openAccounts } from '../../../src/accounts/setup.js';
import { loadConfig } from '../../../src/platform/config.js';
import type { App } from '../../../src/server.js';
import { injectableApp } from '../../helpers/app.js';

// AUTH_MODE through app.inject(): keys made in the SQLite file the app reads, as `qrw keys create` makes them.
const dir = mkdtempSync(join(tmpdir(), 'qrw-accounts-routes-'));
const env = (mode: string, file: string) => ({ AUTH_MODE: mode, ACCOUNTS_DB: join(dir, file), TOOLS: 'qr' });

async function keysFor(file: string): Promise<Accounts> {
  return openAccounts(loadConfig({ ACCOUNTS_DB: join(dir, file) }), undefined);
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('AUTH_MODE=off', () => {
  it('reads no key and serves as before', async () => {
    const app = await injectableApp({ AUTH_MODE: 'off', ACCOUNTS_DB: join(dir, 'off.db'), TOOLS: 'qr' });
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'x', format: 'svg' }, headers: { 'x-api-key': 'qrw_nonsense' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['ratelimit-limit']).toBeUndefined();
    expect((await app.server.inject({ method: 'GET', url: '/api/v1/usage' })).statusCode).toBe(404);
    await app.server.close();
  });
});

describe('AUTH_MODE=optional', () => {
  let app: App;
  let accounts: Accounts;
  let shop: string;
  let qrOnly: string;
  let admin: string;
  beforeAll(async () => {
    app = await injectableApp({ ...env('optional', 'optional.db'), TOOLS: 'qr,idphoto' });
    accounts = await keysFor('optional.db');
    shop = (await accounts.create('shop-a', parsePolicy({ rate: ['3/min'], quota: ['100/day'] }))).key;
    qrOnly = (await accounts.create('qr-only', parsePolicy({ tools: 'qr' }))).key;
    admin = (await accounts.create('ops', parsePolicy({ admin: true }))).key;
  });
  afterAll(async () => {
    await app.server.close();
    await accounts.store.close();
  });
  const generate = (headers: Record<string, string> = {}) => app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'keyed', format: 'svg' }, headers });

  it('serves anonymous requests without limits headers', async () => {
    const res = await generate();
    expect(res.statusCode).toBe(200);
    expect(res.headers['ratelimit-limit']).toBeUndefined();
  });

  it('refuses a malformed, unknown or revoked key with 401 whatever the mode', async () => {
    const revoked = (await accounts.create('gone', parsePolicy({}))).key;
    await accounts.revoke('gone');
    const unknown = shop.slice(0, -4) + (shop.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const headers of <Record<string, string>[]>[{ 'x-api-key': 'qrw_short' }, { authorization: `Bearer ${unknown}` }, { 'x-api-key': revoked }]) {
      const res = await generate(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'INVALID_API_KEY' } });
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    }
  });

  it('refuses a Bearer header without one key, an empty X-API-Key and two headers naming different keys; leaves other schemes alone', async () => {
    for (const headers of <Record<string, string>[]>[
      { authorization: 'Bearer' },
      { authorization: 'bearer  ' },
      { authorization: `Bearer ${qrOnly} ${qrOnly}` },
      { 'x-api-key': ' ' },
      { authorization: `Bearer ${qrOnly}`, 'x-api-key': 'qrw_other' },
      { authorization: `Bearer ${qrOnly}`, 'x-api-key': admin },
    ]) {
      const res = await generate(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'INVALID_API_KEY' } });
    }
    expect((await generate({ authorization: `bearer ${qrOnly}`, 'x-api-key': qrOnly })).statusCode).toBe(200);
    // A proxy's Basic credentials are not a key: anonymous, as with no header.
    const basic = await generate({ authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.statusCode).toBe(200);
    expect(basic.headers['ratelimit-limit']).toBeUndefined();
  });

  it('counts a key against its rate: RateLimit-* on each answer, then 429 with Retry-After', async () => {
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await generate(i % 2 ? { authorization: `Bearer ${shop}` } : { 'x-api-key': shop });
      expect(res.statusCode).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
      remaining.push(String(res.headers['ratelimit-remaining']));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await generate({ 'x-api-key': shop });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'QUOTA_EXCEEDED', details: { window: 'minute', limit: 3 } } });
    const reset = Number(refused.headers['ratelimit-reset']);
    expect(reset).toBeGreaterThanOrEqual(1);
    expect(reset).toBeLessThanOrEqual(60);
    expect(refused.headers['retry-after']).toBe(String(reset));
    expect(refused.headers['ratelimit-remaining']).toBe('0');
  });

  it('keeps a key to its tools: 403 on another tool', async () => {
    expect((await app.server.inject({ method: 'GET', url: '/api/v1/generate?text=a&format=svg', headers: { 'x-api-key': qrOnly } })).statusCode).toBe(200);
    const res = await app.server.inject({ method: 'GET', url: '/api/v1/idphoto/specs', headers: { 'x-api-key': qrOnly } });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'TOOL_NOT_ALLOWED', details: { tool: 'idphoto' } } });
  });

  it('lets only an admin key manage keys; the secret is in the create answer only', async () => {
    expect((await app.server.inject({ method: 'GET', url: '/api/v1/admin/keys' })).statusCode).toBe(401);
    const denied = await app.server.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: { 'x-api-key': qrOnly } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ error: { code: 'ADMIN_REQUIRED' } });
    const created = await app.server.inject({
      method: 'POST',
      url: '/api/v1/admin/keys',
      headers: { 'x-api-key': admin },
      payload: { name: 'shop-b', tools: ['qr'], rate: ['50/s'], quota: ['1000/day'] },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ key: string; limits: unknown; tools: string[] }>();
    expect(body).toMatchObject({ name: 'shop-b', tools: ['qr'], limits: { second: 50, day: 1000 } });
    expect(body.key).toMatch(/^qrw_[A-Za-z0-9_-]{43}$/);
    expect((await generate({ 'x-api-key': body.key })).statusCode).toBe(200);
    const again = await app.server.inject({ method: 'POST', url: '/api/v1/admin/keys', headers: { 'x-api-key': admin }, payload: { name: 'shop-b' } });
    expect(again.statusCode).toBe(409);
    const bad = await app.server.inject({ method: 'POST', url: '/api/v1/admin/keys', headers: { 'x-api-key': admin }, payload: { name: 'shop-c', quota: ['5/s'] } });
    expect(bad.statusCode).toBe(422);
    const list = await app.server.inject({ method: 'GET', url: '/api/v1/admin/keys', headers: { authorization: `Bearer ${admin}` } });
    expect(list.body).not.toContain(body.key);
    expect(list.body).not.toMatch(/hash|qrw_/);
    expect(list.json<{ keys: { name: string }[] }>().keys.map((k) => k.name)).toContain('shop-b');
    const revoked = await app.server.inject({ method: 'DELETE', url: '/api/v1/admin/keys/shop-b', headers: { 'x-api-key': admin } });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json()).toMatchObject({ name: 'shop-b', revokedAt: expect.any(String) });
    expect((await generate({ 'x-api-key': body.key })).statusCode).toBe(401);
    expect((await app.server.inject({ method: 'DELETE', url: '/api/v1/admin/keys/nobody', headers: { 'x-api-key': admin } })).statusCode).toBe(404);
  });

  it("reports a key's own usage, and every key's to an admin, and exports it by key name", async () => {
    const user = (await accounts.create('usage-a', parsePolicy({}))).key;
    const svg = await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'usage one', format: 'svg' }, headers: { 'x-api-key': user } });
    const png = await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'usage two' }, headers: { 'x-api-key': user } });
    const form = new FormData();
    form.append('image', new Blob([new Uint8Array(png.rawPayload)], { type: 'image/png' }), 'code.png');
    const request = new Request('http://x/', { method: 'POST', body: form });
    const decoded = await app.server.inject({
      method: 'POST',
      url: '/api/v1/decode',
      payload: Buffer.from(await request.arrayBuffer()),
      headers: { 'content-type': request.headers.get('content-type')!, 'x-api-key': user },
    });
    expect(decoded.statusCode).toBe(200);
    await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: {}, headers: { 'x-api-key': user } });
    const own = await app.server.inject({ method: 'GET', url: '/api/v1/usage', headers: { 'x-api-key': user } });
    expect(own.statusCode).toBe(200);
    const [report] = own.json<{ keys: { key: string; codes: number; decoded: number; bytesIn: number; bytesOut: number; requests: unknown[] }[] }>().keys;
    expect(report).toMatchObject({ key: 'usage-a', codes: 2, decoded: 1, idphotos: 0 });
    expect(report!.requests).toEqual([
      { route: 'POST /api/v1/decode', status: 200, count: 1 },
      { route: 'POST /api/v1/generate', status: 200, count: 2 },
      { route: 'POST /api/v1/generate', status: 400, count: 1 },
    ]);
    expect(report!.bytesOut).toBeGreaterThanOrEqual(svg.rawPayload.byteLength + png.rawPayload.byteLength);
    expect(report!.bytesIn).toBeGreaterThan(png.rawPayload.byteLength);
    const all = await app.server.inject({ method: 'GET', url: '/api/v1/usage', headers: { 'x-api-key': admin } });
    expect(all.json<{ keys: { key: string }[] }>().keys.map((k) => k.key)).toEqual(expect.arrayContaining(['usage-a', 'shop-a']));
    expect((await app.server.inject({ method: 'GET', url: '/api/v1/usage' })).statusCode).toBe(401);
    const metrics = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('qrw_key_requests_total{key="usage-a",route="POST /api/v1/generate",status="200"} 2');
    expect(metrics).toContain('qrw_key_work_total{key="usage-a",work="codes"} 2');
    expect(metrics).toContain('qrw_key_work_total{key="usage-a",work="decoded"} 1');
    expect(metrics).not.toContain(user);
    expect(metrics).not.toContain(user.slice(4, 12));
  });

  it('counts the work of a job for the key that submitted it, once, when the job has run', async () => {
    const user = (await accounts.create('jobs-a', parsePolicy({}))).key;
    const rows = Array.from({ length: 7 }, (_, i) => JSON.stringify({ text: `job row ${i}` })).join('\n');
    const submitted = await app.server.inject({ method: 'POST', url: '/api/v1/jobs?type=generate', payload: rows, headers: { 'content-type': 'application/x-ndjson', 'x-api-key': user } });
    expect(submitted.statusCode).toBe(202);
    const { status_url } = submitted.json<{ status_url: string }>();
    let state = '';
    for (let i = 0; i < 200 && state !== 'completed'; i++) {
      state = (await app.server.inject({ method: 'GET', url: status_url, headers: { 'x-api-key': user } })).json<{ state: string }>().state;
      if (state !== 'completed') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(state).toBe('completed');
    // The store is written without waiting: read until the job's count is there.
    let report: { codes: number; requests: { route: string; status: number; count: number }[] } | undefined;
    for (let i = 0; i < 50 && report?.codes !== 7; i++) {
      [report] = (await app.server.inject({ method: 'GET', url: '/api/v1/usage', headers: { 'x-api-key': user } })).json<{ keys: NonNullable<typeof report>[] }>().keys;
      if (report?.codes !== 7) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(report).toMatchObject({ key: 'jobs-a', codes: 7, decoded: 0 });
    expect(report!.requests).toContainEqual({ route: 'POST /api/v1/jobs', status: 202, count: 1 });
    expect((await app.server.inject({ method: 'GET', url: '/metrics' })).body).toContain('qrw_key_work_total{key="jobs-a",work="codes"} 7');
  });
});

describe('AUTH_MODE=required', () => {
  let app: App;
  let accounts: Accounts;
  beforeAll(async () => {
    app = await injectableApp(env('required', 'required.db'));
    accounts = await keysFor('required.db');
  });
  afterAll(async () => {
    await app.server.close();
    await accounts.store.close();
  });

  it('refuses the API without a key (401) and keeps probes, metrics and docs open', async () => {
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'x' } });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error: { code: 'API_KEY_REQUIRED' } });
    expect((await app.server.inject({ method: 'POST', url: '/generate', payload: { text: 'x' } })).statusCode).toBe(401);
    for (const url of ['/health', '/ready', '/metrics', '/docs/json']) expect((await app.server.inject({ method: 'GET', url })).statusCode, url).toBe(200);
    const { key } = await accounts.create('shop', parsePolicy({}));
    expect((await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'x', format: 'svg' }, headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(200);
  });
});

describe('the limits that are settings, with keys', () => {
  it('count a keyed request against its key: two keys from one address each get RATE_LIMIT_MAX, the anonymous address its own', async () => {
    const app = await injectableApp({ ...env('optional', 'per-key-limits.db'), RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW: '1m' });
    const accounts = await keysFor('per-key-limits.db');
    try {
      const [a, b] = [(await accounts.create('limit-a', parsePolicy({}))).key, (await accounts.create('limit-b', parsePolicy({}))).key];
      const statuses = async (headers: Record<string, string>): Promise<number[]> => {
        const out: number[] = [];
        for (let i = 0; i < 3; i++) out.push((await app.server.inject({ method: 'GET', url: '/api/v1/generate?text=limit&format=svg', headers })).statusCode);
        return out;
      };
      expect(await statuses({ 'x-api-key': a })).toEqual([200, 200, 429]);
      expect(await statuses({ 'x-api-key': b })).toEqual([200, 200, 429]);
      expect(await statuses({})).toEqual([200, 200, 429]);
    } finally {
      await app.server.close();
      await accounts.store.close();
    }
  });
});
