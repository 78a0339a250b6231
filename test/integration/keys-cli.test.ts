import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, ServiceProcess } from '../helpers/process.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'qrw-keys-cli-'));
// The CLI and the service as users run them, on one SQLite file; REDIS_URL unset so both use it.
const env = { ...process.env, ACCOUNTS_DB: join(dir, 'accounts.db'), REDIS_URL: '' };
const qrw = (...args: string[]) => run(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'keys', ...args], { env, cwd: ROOT });

let service: ServiceProcess | undefined;
afterAll(async () => {
  await service?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('qrw keys and a started server', () => {
  it('creates a key whose secret the server accepts, lists it by name only, and revokes it', async () => {
    const { stdout } = await qrw('create', '--name', 'shop-a', '--quota', '2/day', '--rate', '50/s', '--tools', 'qr', '--json');
    const created = JSON.parse(stdout) as { name: string; key: string };
    expect(created.name).toBe('shop-a');
    expect(created.key).toMatch(/^qrw_[A-Za-z0-9_-]{43}$/);
    await expect(qrw('create', '--name', 'shop-a')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('exists') });
    await expect(qrw('create', '--name', 'shop-x', '--rate', '5/day')).rejects.toMatchObject({ code: 2 });

    service = new ServiceProcess({ AUTH_MODE: 'required', ACCOUNTS_DB: env.ACCOUNTS_DB, REDIS_URL: '', PORT: '0', TOOLS: 'qr' });
    const base = await service.start();
    const generate = (headers: Record<string, string>) => fetch(`${base}/api/v1/generate?text=cli&format=svg`, { headers });
    expect((await generate({})).status).toBe(401);
    const ok = await generate({ authorization: `Bearer ${created.key}` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-remaining')).toBe('1');
    expect((await generate({ 'x-api-key': created.key })).status).toBe(200);
    const refused = await generate({ 'x-api-key': created.key });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await fetch(`${base}/api/v1/idphoto/specs`, { headers: { 'x-api-key': created.key } })).status).toBe(403);

    const list = await qrw('list', '--json');
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ name: 'shop-a', tools: ['qr'], limits: { second: 50, day: 2 } })]);
    expect(list.stdout).not.toContain(created.key.slice(4));
    await qrw('revoke', 'shop-a');
    // The server trusts a key it has seen for up to 10 s; a fresh process would refuse it at once.
    const deadline = Date.now() + 15_000;
    let status = 0;
    while (Date.now() < deadline && (status = (await generate({ 'x-api-key': created.key })).status) !== 401) await new Promise((r) => setTimeout(r, 500));
    expect(status).toBe(401);

    // The request log names the key and never holds the key itself.
    await service.stop();
    expect(service.logs).toContain('"key":"shop-a"');
    expect(service.logs).not.toContain(created.key.slice(4));
  }, 40_000);
});
