import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { WorkerPool } from '../../dist/src/pool/pool.js';
import { DEFAULT_GENERATE_OPTIONS } from '../../dist/src/core/options.js';

describe('worker pool', () => {
  it('runs queued tasks in the order they were submitted, under constant load on one thread', async () => {
    // Twenty clients keep one thread busy, each submitting its next task as soon as the previous one is done
    // (the shape of a saturated HTTP server). A task that piscina could not hand over at once used to go back
    // to the tail of the queue and wait behind later ones (piscinajs/piscina#1031).
    const pool = await WorkerPool.start({ threads: 1, maxQueue: 64 });
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
    const webp = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#808080' } }).webp({ quality: 90 }).toBuffer();
    const pool = await WorkerPool.start({ threads: 1, maxQueue: 8 });
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
});
