import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateQr } from '../../dist/src/qr/generate.js';
import { parseGenerateOptions } from '../../dist/src/qr/options.js';
import { multipart } from '../helpers/server.js';
import { onePixelPng } from '../helpers/images.js';
import { ServiceProcess } from '../helpers/process.js';
import { sharedPath } from '../helpers/shared.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const serverEntry = join(root, 'dist/src/server.js');
const cliEntry = join(root, 'dist/src/cli/main.js');
const photo = sharedPath('anchors/bench/images/qr_000.jpg');

describe('server process', () => {
  it('logs JSON to stdout without request content, and on SIGTERM finishes in-flight requests then exits 0', async () => {
    const service = new ServiceProcess({ PORT: '0' });
    const base = await service.start();
    const secret = 'secret-payload-do-not-log';
    expect((await fetch(`${base}/api/v1/generate?text=${secret}`)).status).toBe(200);

    const big = generateQr('in flight '.repeat(50), parseGenerateOptions({ size: 4000, ec: 'L' }), (d: Uint8Array) => deflateSync(d)).body;
    const inFlight = fetch(`${base}/api/v1/decode`, { method: 'POST', body: multipart('image', big) });
    await new Promise((r) => setTimeout(r, 30));
    const exited = service.stop('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { texts: string[] }).texts).toEqual(['in flight '.repeat(50)]);
    expect(await exited).toBe(0);
    expect(service.logs).toContain('shutdown complete');
    expect(service.logs).not.toContain(secret);
    for (const line of service.logs.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('on SIGTERM does not wait for a connection that never sent a request (a pre-connect, a TCP check)', async () => {
    // Before, such a connection held the shutdown until SHUTDOWN_TIMEOUT_MS, which then exited 1.
    const service = new ServiceProcess({ PORT: '0', SHUTDOWN_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '60000' });
    const base = await service.start();
    const silent = connect(Number(new URL(base).port), '127.0.0.1');
    await once(silent, 'connect');
    const dropped = once(silent, 'close');
    expect(await service.stop('SIGTERM')).toBe(0);
    await dropped;
    expect(service.logs).toContain('shutdown complete');
    expect(service.logs).not.toContain('shutdown timed out');
  });

  it('refuses an invalid configuration with a clear message', () => {
    const r = spawnSync(process.execPath, [serverEntry], { env: { ...process.env, PORT: 'eighty' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PORT must be a whole number');
  });
});

describe('qrw CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qrw-cli-'));
  const qrw = (...args: string[]) => spawnSync(process.execPath, [cliEntry, ...args], { encoding: 'utf8' });

  it('generate prints the code to the terminal without -o', () => {
    const r = qrw('generate', 'hello terminal');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/[█▀▄]/);
  });

  it('generate -o writes PNG or SVG by extension, and decode reads it back', () => {
    const png = join(dir, 'out.png');
    const svg = join(dir, 'out.svg');
    expect(qrw('generate', '二维码 CLI', '-o', png, '--ec', 'Q', '--size', '300').status).toBe(0);
    expect(qrw('generate', 'svg out', '-o', svg).status).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg/);
    const r = qrw('decode', png);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('二维码 CLI\n');
  });

  it('decode --json prints one object per file and exits non-zero when a file is unusable', () => {
    const bad = join(dir, 'not-an-image.png');
    writeFileSync(bad, 'plain text');
    const r = qrw('decode', '--json', photo, bad, join(dir, 'missing.png'));
    expect(r.status).toBe(1);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; texts?: string[]; error?: { code: string } });
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ file: photo, texts: ['https://example.com'] });
    expect(lines[1]!.error?.code).toBe('UNSUPPORTED_IMAGE');
    expect(lines[2]!.error?.code).toBe('MISSING_IMAGE');
  });

  it('decode merges a structured-append message spread over several files', () => {
    const partsDir = sharedPath('corpus/zxing-cpp/qrcode-7/');
    const files = ['01-03.png', '01-01.png', '01-04.png', '01-02.png'].map((f) => join(partsDir, f));
    const r = qrw('decode', '--json', ...files);
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { texts?: string[]; sequence?: { text: string; parts: number } });
    expect(lines).toHaveLength(5);
    const partTexts = [1, 3, 0, 2].map((i) => lines[i]!.texts![0]);
    expect(lines[4]!.sequence).toMatchObject({ parts: 4, text: partTexts.join('') });
    expect(lines[4]!.sequence!.text.startsWith('initrd vs initramfs')).toBe(true);
    // Three of four parts: nothing merged.
    expect(qrw('decode', ...files.slice(0, 3)).stdout).not.toContain('structured append');
  });

  it('decode exits 0 when an image simply holds no code', async () => {
    const blank = join(dir, 'blank.png');
    writeFileSync(blank, await onePixelPng());
    const r = qrw('decode', blank);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('no code found');
  });

  it('data too long for the symbol exits 2 with a message', () => {
    const r = qrw('generate', 'x'.repeat(3000), '-o', join(dir, 'big.png'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('too long');
  });

  it('an invalid option exits 2', () => {
    expect(qrw('generate', 'x', '--ec', 'Z').status).toBe(2);
    expect(qrw('generate', 'x', '--size', '-1', '-o', join(dir, 'neg.png')).status).toBe(2);
  });
});
