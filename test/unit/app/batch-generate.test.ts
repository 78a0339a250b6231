import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { BatchProgress } from '../../../src/app/batch.js';
import { BatchGenerateService } from '../../../src/app/batch-generate.js';
import { inProcessEngine, type QrEngine } from '../../../src/app/qr-engine.js';
import type { BatchRow } from '../../../src/batch/rows.js';
import { QrwError } from '../../../src/errors.js';
import { manifestLines, readZip } from '../../helpers/read-zip.js';

async function* fromArray(rows: readonly BatchRow[]): AsyncIterable<BatchRow> {
  yield* rows;
}

const row = (n: number, text: string | undefined, extra: Partial<BatchRow> = {}): BatchRow => ({ row: n, text, options: {}, ...extra });

/** Runs a batch into memory; the archive comes back with what the run returned. */
async function run(service: BatchGenerateService, rows: readonly BatchRow[], defaults = {}, progress?: BatchProgress[]) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const summary = await service.writeZip(fromArray(rows), defaults, out, { onProgress: (p) => progress?.push(p) }, rows.length);
  out.end();
  return { summary, zip: Buffer.concat(chunks) };
}

describe('BatchGenerateService', () => {
  it('writes one image per row in row order, with the manifest last, across chunks', async () => {
    const service = new BatchGenerateService(inProcessEngine(), { chunkRows: 3, chunksInFlight: 2 });
    const rows = Array.from({ length: 10 }, (_, i) => row(i + 1, `code ${i + 1}`));
    const progress: BatchProgress[] = [];
    const { summary, zip } = await run(service, rows, { format: 'svg' }, progress);
    expect(summary).toEqual({ done: 10, failed: 0, total: 10 });
    const entries = await readZip(zip);
    expect([...entries.keys()]).toEqual([...rows.map((r) => `${String(r.row).padStart(6, '0')}.svg`), 'manifest.csv']);
    expect(entries.get('000001.svg')!.toString()).toMatch(/^<svg/);
    expect(manifestLines(entries.get('manifest.csv')!).map((l) => l[1])).toEqual(rows.map((r) => `${String(r.row).padStart(6, '0')}.svg`));
    expect(progress.at(-1)).toEqual({ done: 10, failed: 0, total: 10 });
  });

  it('puts bad rows in the manifest and goes on; row options override the defaults', async () => {
    const service = new BatchGenerateService(inProcessEngine(), { chunkRows: 2, chunksInFlight: 1 });
    const rows = [
      row(1, 'fine', { filename: 'first' }),
      row(2, undefined),
      row(3, 'bad option', { options: { ec: 'Z' } }),
      row(4, 'x'.repeat(3000)),
      row(5, 'read error', { error: new QrwError('INVALID_OPTION', 'Unknown field "colour".') }),
      row(6, 'text output', { options: { format: 'txt' } }),
    ];
    const { summary, zip } = await run(service, rows, { ec: 'L' });
    expect(summary).toEqual({ done: 6, failed: 4, total: 6 });
    const entries = await readZip(zip);
    expect([...entries.keys()]).toEqual(['first.png', '000006.txt', 'manifest.csv']);
    const lines = manifestLines(entries.get('manifest.csv')!);
    expect(lines.map((l) => [l[0], l[1]])).toEqual([
      ['1', 'first.png'],
      ['2', ''],
      ['3', ''],
      ['4', ''],
      ['5', ''],
      ['6', '000006.txt'],
    ]);
    expect(lines.map((l) => l[3]?.split(':')[0] ?? '')).toEqual(['', 'MISSING_TEXT', 'INVALID_OPTION', 'QR_DATA_TOO_LONG', 'INVALID_OPTION', '']);
    expect(lines[0]![2]).toBe('1'); // "fine" at EC L fits version 1
  });

  it('refuses bad defaults before writing anything', async () => {
    const out = new PassThrough();
    let written = 0;
    out.on('data', (c: Buffer) => (written += c.length));
    await expect(new BatchGenerateService(inProcessEngine()).writeZip(fromArray([row(1, 'a')]), { scale: 0 }, out)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect(written).toBe(0);
  });

  it('stops between chunks when aborted, and sends no more work', async () => {
    const engine = inProcessEngine();
    let chunks = 0;
    const controller = new AbortController();
    const counting: QrEngine = {
      ...engine,
      generateMany: async (chunk, signal) => {
        chunks++;
        if (chunks === 2) controller.abort(new Error('client gone'));
        return engine.generateMany(chunk, signal);
      },
    };
    const service = new BatchGenerateService(counting, { chunkRows: 5, chunksInFlight: 1 });
    async function* endless(): AsyncIterable<BatchRow> {
      for (let i = 1; ; i++) yield row(i, `row ${i}`);
    }
    const out = new PassThrough();
    out.resume();
    await expect(service.writeZip(endless(), {}, out, { signal: controller.signal })).rejects.toThrow('client gone');
    expect(chunks).toBeLessThanOrEqual(3);
  });

  it('waits for a slow output instead of buffering (backpressure)', async () => {
    const service = new BatchGenerateService(inProcessEngine(), { chunkRows: 4, chunksInFlight: 1 });
    const rows = Array.from({ length: 3000 }, (_, i) => row(i + 1, `row ${i + 1}`));
    let pulled = 0;
    async function* counted(): AsyncIterable<BatchRow> {
      for (const r of rows) {
        pulled++;
        yield r;
      }
    }
    const out = new PassThrough({ highWaterMark: 16 * 1024 });
    const done = service.writeZip(counted(), {}, out);
    await new Promise((r) => setTimeout(r, 200));
    // Nobody reads the output: the run stops once its buffers are full (a 256 KiB block, ~500 codes), far short of the 3,000 rows.
    expect(pulled).toBeLessThan(2000);
    const stalledAt = pulled;
    out.resume();
    await done;
    expect(pulled).toBe(3000);
    expect(stalledAt).toBeGreaterThan(0);
  });
});
