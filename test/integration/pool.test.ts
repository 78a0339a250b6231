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
});
