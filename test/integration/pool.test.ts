import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/process.js';
import { startQrPool } from '../../dist/src/workers/qr-pool.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../dist/src/qr/options.js';

describe('worker pool', () => {
  it('runs queued tasks in the order they were submitted, under constant load on one thread', async () => {
    // Twenty clients keep one thread busy, each submitting its next task as soon as the previous one is done
    // (the shape of a saturated HTTP server). A task that piscina could not hand over at once used to go back
    // to the tail of the queue and wait behind later ones (piscinajs/piscina#1031).
    const pool = await startQrPool({ threads: 1, maxQueue: 64 });
    try {
      const started: number[] = [];
      const finished: number[] = [];
      let next = 0;
      const client = async (): Promise<void> => {
        while (next < 400) {
          const id = next++;
          started.push(id);
          await pool.run({ kind: 'generate', data: `task ${id}`, options: DEFAULT_GENERATE_OPTIONS });
          finished.push(id);
        }
      };
      await Promise.all(Array.from({ length: 20 }, client));
      expect(finished).toHaveLength(400);
      // One thread: a task finishes after every task submitted before it.
      const overtaken = finished.filter((id, i) => i > 0 && id < finished[i - 1]!);
      expect(overtaken, 'tasks that finished after a later-submitted one').toEqual([]);
    } finally {
      await pool.close();
    }
  });

  it('runs the tasks handed to a thread one at a time, even while one waits on libvips', async () => {
    // A WebP decode awaits sharp (libvips works on another thread); a generate handed to the same thread
    // behind it must still wait for it rather than run in the gap, or a thread would hold the pixels of
    // several decodes at once.
    const webp = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#808080' } })
      .webp({ quality: 90 })
      .toBuffer();
    const pool = await startQrPool({ threads: 1, maxQueue: 8 });
    try {
      const order: string[] = [];
      const decode = pool.run({ kind: 'decode', bytes: new Uint8Array(webp), options: { formats: ['QRCode'], maxSide: 1200, maxPixels: 25_000_000 } }).then(() => order.push('decode'));
      const generate = pool.run({ kind: 'generate', data: 'behind the decode', options: DEFAULT_GENERATE_OPTIONS }).then(() => order.push('generate'));
      await Promise.all([decode, generate]);
      expect(order).toEqual(['decode', 'generate']);
    } finally {
      await pool.close();
    }
  });

  it.skipIf(!existsSync('/proc/self/maps'))('loads libvips only when an image needs it', async () => {
    // A plain grey PNG is read without libvips (the native decoders or zxing's own); a WebP needs it.
    // libvips adds ~26 MiB to the process's RSS, so a service that only sees plain files never maps it.
    const pool = await startQrPool({ threads: 1 });
    const qr = await pool.run({ kind: 'generate', data: 'lazy libvips', options: DEFAULT_GENERATE_OPTIONS }).finally(() => pool.close());
    const dir = mkdtempSync(join(tmpdir(), 'qrw-lazy-'));
    try {
      const grey = sharp(qr.body).resize({ width: 300, kernel: 'nearest' }).toColourspace('b-w');
      writeFileSync(join(dir, 'plain.png'), await grey.clone().png().toBuffer());
      writeFileSync(join(dir, 'photo.webp'), await grey.clone().webp({ quality: 95 }).toBuffer());
      const script = `
        const { readFileSync } = await import('node:fs');
        const { startQrPool } = await import('./dist/src/workers/qr-pool.js');
        const pool = await startQrPool({ threads: 1 });
        const options = { formats: ['QRCode'], maxSide: 1200, maxPixels: 25e6 };
        const libvipsMapped = () => readFileSync('/proc/self/maps', 'utf8').includes('libvips');
        const read = async (file) => (await pool.run({ kind: 'decode', bytes: new Uint8Array(readFileSync(${JSON.stringify(dir)} + '/' + file)), options })).codes.map((c) => c.text);
        const plain = await read('plain.png');
        const afterPlain = libvipsMapped();
        const webp = await read('photo.webp');
        console.log(JSON.stringify({ plain, afterPlain, webp, afterWebp: libvipsMapped() }));
        await pool.close();`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(child.status, child.stderr).toBe(0);
      expect(JSON.parse(child.stdout.trim().split('\n').pop()!)).toEqual({ plain: ['lazy libvips'], afterPlain: false, webp: ['lazy libvips'], afterWebp: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hands each upload's memory back, so it is freed by the main thread's collections and does not pile up in a thread", () => {
    // Left in the thread, an upload is garbage in a heap that allocates little: V8 let ~50 MiB of these
    // 1 MiB uploads (invalid images, refused at once) stay allocated there. In a child process with
    // --expose-gc, so that the main thread's collection can be forced and waited for.
    const script = `
      const { startQrPool } = await import('./dist/src/workers/qr-pool.js');
      const { poolEngine } = await import('./dist/src/app/qr-engine.js');
      const pool = await startQrPool({ threads: 1, maxQueue: 1000 });
      const engine = poolEngine(pool);
      const outcomes = await Promise.all(Array.from({ length: 150 }, () =>
        engine.decode(new Uint8Array(1 << 20).fill(7), { formats: ['QRCode'], maxSide: 1200, maxPixels: 25e6 }).catch((e) => e.code)));
      const settle = () => new Promise((resolve) => setTimeout(resolve, 200));
      globalThis.gc(); await settle(); globalThis.gc(); await settle(); // backing stores are freed by a sweeper after the collection
      console.log(JSON.stringify({ arrayBuffersMiB: process.memoryUsage().arrayBuffers / 2 ** 20, outcomes: [...new Set(outcomes)] }));
      await pool.close();`;
    const child = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(child.status, child.stderr).toBe(0);
    const { arrayBuffersMiB, outcomes } = JSON.parse(child.stdout.trim().split('\n').pop()!) as { arrayBuffersMiB: number; outcomes: string[] };
    expect(outcomes).toEqual(['UNSUPPORTED_IMAGE']);
    expect(arrayBuffersMiB).toBeLessThan(10);
  });
});
