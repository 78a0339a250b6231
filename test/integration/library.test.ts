import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/process.js';

/** The packages a fresh process loads to import `specifier`, seen by a module resolve hook. */
function packagesLoadedBy(specifier: string): string[] {
  const hook = `export async function resolve(s, c, next) { const r = await next(s, c); const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url); if (m) process.stderr.write('pkg:' + m[1] + '\\n'); return r; }`;
  const script = `import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)})); const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length);`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  expect(child.status, child.stderr).toBe(0);
  return [
    ...new Set(
      child.stderr
        .split('\n')
        .filter((l) => l.startsWith('pkg:'))
        .map((l) => l.slice(4)),
    ),
  ].sort();
}

const SERVER_PACKAGES = ['fastify', 'pino', 'piscina', 'prom-client', 'ioredis', 'sharp', 'commander'];

describe('the package entry points (the build)', () => {
  it('import "qr-workshop" loads the generator and the reader, not the server', () => {
    const loaded = packagesLoadedBy('qr-workshop');
    expect(loaded).toContain('qrcode');
    expect(loaded).toContain('zxing-wasm');
    for (const name of SERVER_PACKAGES) expect(loaded, name).not.toContain(name);
  });

  it('import "qr-workshop/qr" loads node-qrcode alone', () => {
    expect(packagesLoadedBy('qr-workshop/qr')).toEqual(['qrcode']);
  });

  it('import "qr-workshop/idphoto" loads no model runtime and no server until a photo is made', () => {
    const loaded = packagesLoadedBy('qr-workshop/idphoto');
    for (const name of [...SERVER_PACKAGES, 'onnxruntime-node', '@tensorflow/tfjs-core']) expect(loaded, name).not.toContain(name);
  });

  it('import "qr-workshop/server" gives the service', () => {
    expect(packagesLoadedBy('qr-workshop/server')).toEqual(expect.arrayContaining(['fastify', 'piscina', 'prom-client']));
  });
});
