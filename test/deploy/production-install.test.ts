import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, ServiceProcess } from '../helpers/process.js';
import { multipart } from '../helpers/server.js';

/**
 * What deploy/Dockerfile's runtime stage holds, built here without a container engine: package.json,
 * production dependencies only (npm ci --omit=dev, which also builds the native decoders from native/) and dist/. A runtime dependency left in
 * devDependencies, or a file the build does not emit, fails here as it would in the image.
 */
describe('production install (the Dockerfile runtime stage, without Docker)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qrw-prod-'));
  const service = new ServiceProcess({ PORT: '0', NODE_ENV: 'production' }, dir);
  afterAll(() => service.stop('SIGKILL'));

  // npm ci compiles better-sqlite3 from source here (no prebuilt binary is reachable): about a minute on 2 cores.
  it('installs, starts from a clean folder, serves the page and the API, and stops cleanly', async () => {
    for (const file of ['package.json', 'package-lock.json', '.npmrc', 'native/binding.gyp', 'native/build.mjs', 'native/luma.c']) cpSync(join(ROOT, file), join(dir, file));
    const install = spawnSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    expect(install.status, install.stderr).toBe(0);
    cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    const size = spawnSync('du', ['-sm', 'node_modules', 'dist'], { cwd: dir, encoding: 'utf8' }).stdout.trim().replace(/\s+/g, ' ');
    console.log(`production install (MB): ${size}`);

    const base = await service.start();
    expect(await (await fetch(`${base}/health`)).json()).toMatchObject({ status: 'healthy' });
    expect(await (await fetch(`${base}/`)).text()).toContain('<title>QR Workshop</title>');
    const png = new Uint8Array(await (await fetch(`${base}/api/v1/generate?text=production`)).arrayBuffer());
    const decoded = await fetch(`${base}/api/v1/decode`, { method: 'POST', body: multipart('image', png) });
    expect(((await decoded.json()) as { texts: string[] }).texts).toEqual(['production']);
    expect(await service.stop('SIGTERM')).toBe(0);
  }, 300_000);
});
