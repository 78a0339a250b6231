import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATE_OPTIONS } from '../../../src/qr/options.js';
import { TASKS_PER_THREAD } from '../../../src/workers/pool.js';
import { moving } from '../../../src/workers/pool.js';
import { startQrPool } from '../../../src/workers/qr-pool.js';

// The pool started from the sources (its worker entry run through tsx), as the route tests run them.
describe('the QR pool', () => {
  it('runs both tasks of its workload and reports its stats under its name', async () => {
    const pool = await startQrPool({ threads: 1 });
    try {
      const image = await pool.run({ kind: 'generate', data: 'pool from source', options: DEFAULT_GENERATE_OPTIONS });
      const result = await pool.run({ kind: 'decode', bytes: image.body, options: { formats: ['QRCode'], maxSide: 1200, maxPixels: 25e6 } });
      expect(result.codes.map((c) => c.text)).toEqual(['pool from source']);
      expect(pool.stats()).toMatchObject({ name: 'qr', threads: 1, submitted: 2, completed: 2 });
    } finally {
      await pool.close();
    }
  });

  it('skips a task whose client left before a thread took it, and moves its upload back', async () => {
    const pool = await startQrPool({ threads: 1 });
    try {
      const image = await pool.run({ kind: 'generate', data: 'abandoned', options: DEFAULT_GENERATE_OPTIONS });
      const bytes = new Uint8Array(image.body);
      const gone = AbortSignal.abort();
      const refused = pool.run({ kind: 'decode', bytes, options: { formats: ['QRCode'], maxSide: 1200, maxPixels: 25e6 } }, moving(bytes, gone));
      expect(bytes.byteLength, 'moved to the thread, not copied').toBe(0);
      await expect(refused).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    } finally {
      await pool.close();
    }
  });

  it('refuses at once what neither a thread nor the queue can take (SATURATED)', async () => {
    const pool = await startQrPool({ threads: 1, maxQueue: 0 });
    try {
      const outcomes = await Promise.all(
        Array.from({ length: TASKS_PER_THREAD + 4 }, (_, i) =>
          pool.run({ kind: 'generate', data: `burst ${i}`, options: DEFAULT_GENERATE_OPTIONS }).then(
            () => 'done',
            (err: { code?: string }) => err.code,
          ),
        ),
      );
      expect(outcomes.filter((o) => o === 'done')).toHaveLength(TASKS_PER_THREAD);
      expect(outcomes.filter((o) => o === 'SATURATED')).toHaveLength(4);
    } finally {
      await pool.close();
    }
  });
});
