import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { archiveBatch, type ImageBatch } from '../../../src/app/batch-decode.js';
import { BatchIdPhotoService, IDPHOTO_MANIFEST_COLUMNS, type ReportLine } from '../../../src/app/batch-idphoto.js';
import type { BatchProgress } from '../../../src/app/batch.js';
import { IdPhotoService, idPhotoCodec, inProcessIdPhotoEngine } from '../../../src/app/idphoto.js';
import { ResultCache } from '../../../src/app/image-cache.js';
import type { BatchItem } from '../../../src/batch/zip-reader.js';
import { QrwError } from '../../../src/errors.js';
import type { IdPhotoResult } from '../../../src/idphoto/make.js';
import type { IdPhotoReport } from '../../../src/idphoto/report.js';
import { portraits } from '../../helpers/portraits.js';
import { readZip, zipNames } from '../../helpers/read-zip.js';
import { makeZip } from '../../helpers/zips.js';

const zipLimits = { maxEntryBytes: 10 * 1024 * 1024, maxTotalBytes: 100 * 1024 * 1024 };

function batchOf(items: BatchItem[] | (() => AsyncGenerator<BatchItem>), extra: Partial<ImageBatch> = {}): ImageBatch {
  const generate =
    typeof items === 'function'
      ? items
      : async function* () {
          yield* items;
        };
  return { total: Array.isArray(items) ? items.length : undefined, items: generate(), ...extra };
}

async function run(service: BatchIdPhotoService, batch: ImageBatch, options: Record<string, string>, signal?: AbortSignal) {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const progress: BatchProgress[] = [];
  const summary = await service.write(batch, options, out, { signal, onProgress: (p) => progress.push(p) });
  return { zip: Buffer.concat(chunks), progress, summary };
}

const manifestOf = (csv: Buffer): Record<string, string>[] => parse(csv, { columns: true }) as Record<string, string>[];
const reportsOf = (ndjson: Buffer): ReportLine[] =>
  ndjson
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ReportLine);

/** A service whose photos take `delays[n]` ms and are the portrait's bytes themselves: for order, the window and aborts, without models. */
function fakeService(delays: number[]) {
  let calls = 0;
  let inFlight = 0;
  const fake = {
    maxInFlight: 0,
    saturated: false,
    async photo(bytes: Uint8Array): Promise<IdPhotoResult & { cached: false }> {
      inFlight++;
      fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, delays[calls++ % delays.length]));
      inFlight--;
      const report = {
        passed: bytes[0]! % 2 === 0,
        headHeight: { px: bytes[0]!, mm: bytes[0]! / 10, percent: 50 },
        rules: [{ rule: 'even', passed: bytes[0]! % 2 === 0, value: '', expected: '' }],
        warnings: [],
      };
      return { photo: { contentType: 'image/jpeg', data: bytes, width: 1, height: 1, dpi: 300 }, hires: null, sheet: null, report: report as unknown as IdPhotoReport, cached: false };
    },
  };
  return fake;
}

describe('BatchIdPhotoService with the ID-photo models', () => {
  const engine = inProcessIdPhotoEngine({ maxPixels: 40_000_000, maxSide: 2000 });
  afterAll(() => engine.close());
  const service = new BatchIdPhotoService(new IdPhotoService(engine, new ResultCache(0, idPhotoCodec)), 2);
  const [a, b, c] = portraits().map((p) => readFileSync(p));

  it('makes a photo and a sheet per portrait, named after it, and an error line for a text file and a picture without a face', async () => {
    const noFace = await sharp({ create: { width: 600, height: 800, channels: 3, background: { r: 120, g: 160, b: 200 } } })
      .jpeg()
      .toBuffer();
    const zip = await makeZip([
      { name: 'class-a/021.jpg', bytes: a! },
      { name: 'notes.txt', bytes: Buffer.from('not a portrait') },
      { name: 'class-b/021.jpg', bytes: b!, compress: false },
      { name: 'empty room.jpg', bytes: noFace },
      { name: 'Zoë Li.jpeg', bytes: c! },
    ]);
    const batch = await archiveBatch(zip, { maxRows: 10, zip: zipLimits });
    const { zip: out, progress, summary } = await run(service, batch, { spec: 'cn-1inch', background: 'white', sheet: '4x6' });

    expect(summary).toEqual({ done: 5, failed: 2, total: 5 });
    expect(progress.at(-1)).toEqual({ done: 5, failed: 2, total: 5 });
    expect(await zipNames(out)).toEqual(['021.jpg', '021-sheet.jpg', '021-2.jpg', '021-2-sheet.jpg', 'Zoë Li.jpg', 'Zoë Li-sheet.jpg', 'reports.ndjson', 'manifest.csv']);
    const entries = await readZip(out);
    for (const name of ['021.jpg', '021-2.jpg', 'Zoë Li.jpg']) expect(await sharp(entries.get(name)!).metadata()).toMatchObject({ format: 'jpeg', width: 295, height: 413, density: 300 });
    const sheet = await sharp(entries.get('021-sheet.jpg')!).metadata();
    expect([sheet.width, sheet.height].sort()).toEqual([1200, 1800]);

    const reports = reportsOf(entries.get('reports.ndjson')!);
    expect(reports.map((r) => r.file)).toEqual(['class-a/021.jpg', 'notes.txt', 'class-b/021.jpg', 'empty room.jpg', 'Zoë Li.jpeg']);
    expect(reports.map((r) => ('error' in r ? r.error.code : 'ok'))).toEqual(['ok', 'UNSUPPORTED_IMAGE', 'ok', 'NO_FACE', 'ok']);

    const manifest = manifestOf(entries.get('manifest.csv')!);
    expect(Object.keys(manifest[0]!)).toEqual([...IDPHOTO_MANIFEST_COLUMNS]);
    expect(manifest).toHaveLength(5);
    manifest.forEach((row, i) => {
      const report = reports[i]!;
      expect(row.row).toBe(String(i + 1));
      expect(row.file).toBe(report.file);
      if ('error' in report) {
        expect(row).toMatchObject({ photo: '', sheet: '', headHeightMm: '', passed: '', error: `${report.error.code}: ${report.error.message}` });
        return;
      }
      expect(report.report).toMatchObject({ faces: 1, spec: { id: 'cn-1inch', width: 295, height: 413 } });
      expect(row).toMatchObject({ photo: report.photo, sheet: report.sheet, error: '', headHeightMm: String(report.report.headHeight.mm), passed: report.report.passed ? 'yes' : 'no' });
      expect(row.failedRules).toBe(
        report.report.rules
          .filter((r) => !r.passed)
          .map((r) => r.rule)
          .join('; '),
      );
      expect(row.warnings).toBe(report.report.warnings.join(' '));
    });
  });

  it('refuses bad options with INVALID_OPTION before writing anything, and closes the batch', async () => {
    let closed = false;
    const out = new PassThrough();
    const write = service.write(
      batchOf([{ name: 'a.jpg', bytes: a! }], {
        close: () => {
          closed = true;
        },
      }),
      { spec: 'mars-passport' },
      out,
    );
    await expect(write).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { option: 'spec' } });
    await expect(service.write(batchOf([]), { colour: 'red' }, out)).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { option: 'colour' } });
    expect(out.readableLength).toBe(0);
    expect(closed).toBe(true);
  });
});

describe('BatchIdPhotoService', () => {
  const items = (n: number): BatchItem[] => Array.from({ length: n }, (_, i) => ({ name: `p${i}.jpg`, bytes: new Uint8Array([i, 1, 2, 3]) }));

  it('keeps at most its window in flight and writes in input order whatever order the photos finish in', async () => {
    const fake = fakeService([30, 5, 20, 1, 10]);
    const { zip } = await run(new BatchIdPhotoService(fake, 3), batchOf(items(12)), {});
    expect(fake.maxInFlight).toBe(3);
    const entries = await readZip(zip);
    expect([...entries.keys()].slice(0, 12)).toEqual(items(12).map((i) => i.name));
    expect([...entries.get('p7.jpg')!]).toEqual([7, 1, 2, 3]);
    expect(manifestOf(entries.get('manifest.csv')!).map((r) => r.passed)).toEqual(items(12).map((_, i) => (i % 2 === 0 ? 'yes' : 'no')));
  });

  it('waits for room while the pool is full instead of failing portraits', async () => {
    const fake = fakeService([1]);
    fake.saturated = true;
    setTimeout(() => {
      fake.saturated = false;
    }, 120);
    const { summary } = await run(new BatchIdPhotoService(fake, 2), batchOf(items(3)), {});
    expect(summary).toEqual({ done: 3, failed: 0, total: 3 });
  });

  it('finishes the ZIP with what was made and a last error line when the portraits cannot be read on, then rejects', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const failing = batchOf(async function* () {
      yield* items(2);
      throw new QrwError('INVALID_ARCHIVE', 'The ZIP cannot be read: damaged.');
    });
    await expect(new BatchIdPhotoService(fakeService([1]), 2).write(failing, {}, out)).rejects.toMatchObject({ code: 'INVALID_ARCHIVE' });
    const entries = await readZip(Buffer.concat(chunks));
    const reports = reportsOf(entries.get('reports.ndjson')!);
    expect(reports).toHaveLength(3);
    expect(reports[2]).toEqual({ error: { code: 'INVALID_ARCHIVE', message: 'The ZIP cannot be read: damaged.' } });
    expect(manifestOf(entries.get('manifest.csv')!).at(-1)).toMatchObject({ row: '', error: 'INVALID_ARCHIVE: The ZIP cannot be read: damaged.' });
  });

  it('stops between portraits when aborted and rejects with the reason, closing the batch', async () => {
    const controller = new AbortController();
    let closed = false;
    const fake = fakeService([15]);
    const written = run(
      new BatchIdPhotoService(fake, 2),
      batchOf(items(100), {
        close: () => {
          closed = true;
        },
      }),
      {},
      controller.signal,
    );
    setTimeout(() => controller.abort(new Error('client gone')), 50);
    await expect(written).rejects.toThrow('client gone');
    expect(closed).toBe(true);
  });
});
