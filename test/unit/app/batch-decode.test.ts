import { randomBytes } from 'node:crypto';
import { PassThrough, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { BatchProgress } from '../../../src/app/batch.js';
import { BatchDecodeService, archiveBatch, type BatchLine, type ImageBatch } from '../../../src/app/batch-decode.js';
import { inProcessEngine, type QrEngine } from '../../../src/app/qr-engine.js';
import type { BatchItem } from '../../../src/batch/zip-reader.js';
import { QrwError } from '../../../src/errors.js';
import type { DecodeResult } from '../../../src/recognise/index.js';
import { CORPUS_PHOTO, makeZip } from '../../helpers/zips.js';

const limits = { maxSide: 1200, maxPixels: 25_000_000 };
const zipLimits = { maxEntryBytes: 10 * 1024 * 1024, maxTotalBytes: 100 * 1024 * 1024 };

function batchOf(items: BatchItem[], extra: Partial<ImageBatch> = {}): ImageBatch {
  return {
    total: items.length,
    items: (async function* () {
      yield* items;
    })(),
    ...extra,
  };
}

async function run(service: BatchDecodeService, batch: ImageBatch, output: 'ndjson' | 'csv' = 'ndjson', formats?: unknown): Promise<{ text: string; progress: BatchProgress[]; summary: unknown }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const progress: BatchProgress[] = [];
  const summary = await service.write(batch, formats, output, out, { onProgress: (p) => progress.push(p) });
  return { text: Buffer.concat(chunks).toString('utf8'), progress, summary };
}

const lines = (text: string): BatchLine[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as BatchLine);

/** An engine whose n-th decode takes `delays[n]` ms and answers the image's first byte as its text: for order and concurrency. */
function timedEngine(delays: number[]): Pick<QrEngine, 'decode' | 'saturated'> & { maxInFlight: number } {
  let inFlight = 0;
  let calls = 0;
  const engine = {
    maxInFlight: 0,
    saturated: false,
    async decode(bytes: Uint8Array): Promise<DecodeResult> {
      inFlight++;
      engine.maxInFlight = Math.max(engine.maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, delays[calls++ % delays.length]));
      inFlight--;
      const code = {
        text: String(bytes[0]),
        format: 'QRCode',
        position: { topLeft: { x: 0, y: 0 }, topRight: { x: 0, y: 0 }, bottomRight: { x: 0, y: 0 }, bottomLeft: { x: 0, y: 0 } },
        contentType: 'Text',
        hasEci: false,
        orientation: 0,
        inverted: false,
        mirrored: false,
      };
      return { codes: [code], sequences: [], width: 1, height: 1, imageFormat: 'png', damaged: false, pass: 'fast' };
    },
  };
  return engine;
}

describe('BatchDecodeService', () => {
  it('writes one NDJSON line per image in input order: codes with texts, the unreadable image and the item error as error lines', async () => {
    const service = new BatchDecodeService(inProcessEngine(), limits, 4);
    const items: BatchItem[] = [
      { name: 'a.webp', bytes: new Uint8Array(CORPUS_PHOTO.bytes) },
      { name: 'noise.png', bytes: randomBytes(500) },
      { name: 'bomb.png', error: { code: 'ENTRY_TOO_LARGE', message: 'too large' } },
      { name: 'b.webp', bytes: new Uint8Array(CORPUS_PHOTO.bytes) },
    ];
    const { text, progress, summary } = await run(service, batchOf(items));
    const out = lines(text);
    expect(out.map((l) => l.file)).toEqual(['a.webp', 'noise.png', 'bomb.png', 'b.webp']);
    expect(out[0]).toMatchObject({ texts: [CORPUS_PHOTO.text], codes: [{ text: CORPUS_PHOTO.text, format: 'QRCode' }] });
    expect(out[1]).toMatchObject({ error: { code: 'UNSUPPORTED_IMAGE' } });
    expect(out[2]).toEqual({ file: 'bomb.png', error: { code: 'ENTRY_TOO_LARGE', message: 'too large' } });
    expect(out[3]).toMatchObject({ texts: [CORPUS_PHOTO.text] });
    expect(summary).toEqual({ done: 4, failed: 2, total: 4 });
    expect(progress.at(-1)).toEqual({ done: 4, failed: 2, total: 4 });
  });

  it('writes CSV with the columns file, texts, formats, error', async () => {
    const service = new BatchDecodeService(inProcessEngine(), limits, 2);
    const { text } = await run(
      service,
      batchOf([
        { name: 'a,"b".webp', bytes: new Uint8Array(CORPUS_PHOTO.bytes) },
        { name: 'x.png', bytes: randomBytes(100) },
      ]),
      'csv',
    );
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      { file: 'a,"b".webp', texts: CORPUS_PHOTO.text, formats: 'QRCode', error: '' },
      { file: 'x.png', texts: '', formats: '', error: expect.stringMatching(/^UNSUPPORTED_IMAGE: /) },
    ]);
  });

  it('keeps input order when later images finish first, with at most `concurrency` in flight', async () => {
    const engine = timedEngine([40, 5, 25, 1, 15, 2]);
    const service = new BatchDecodeService(engine, limits, 3);
    const items = Array.from({ length: 12 }, (_, i) => ({ name: `${i}.png`, bytes: new Uint8Array([i]) }));
    const out = lines((await run(service, batchOf(items))).text);
    expect(out.map((l) => ('texts' in l ? l.texts[0] : l.error.code))).toEqual(items.map((_, i) => String(i)));
    expect(engine.maxInFlight).toBe(3);
  });

  it('refuses unknown formats before writing anything', async () => {
    const service = new BatchDecodeService(inProcessEngine(), limits, 2);
    let closed = false;
    await expect(run(service, batchOf([{ name: 'a', bytes: new Uint8Array([1]) }], { close: () => (closed = true) }), 'ndjson', 'nosuchformat')).rejects.toMatchObject({ code: 'INVALID_OPTION' });
    expect(closed).toBe(true);
  });

  it('waits for the output to drain: a stalled reader stops the batch from reading more images', async () => {
    const service = new BatchDecodeService(timedEngine([0]), limits, 2);
    let pulled = 0;
    const items = (async function* () {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield { name: `${i}.png`.padEnd(2000, '_'), bytes: new Uint8Array([i % 256]) };
      }
    })();
    let release!: () => void;
    const stalled = new Writable({
      highWaterMark: 4096,
      write(_chunk, _enc, done) {
        release = () => done();
      },
    });
    const running = service.write({ total: undefined, items }, undefined, 'ndjson', stalled);
    await new Promise((r) => setTimeout(r, 100));
    expect(pulled).toBeLessThan(10);
    // Let the writer go: every line goes through, and the batch ends.
    stalled._write = (_c, _e, done) => done();
    release();
    expect(await running).toEqual({ done: 1000, failed: 0, total: 1000 });
    expect(pulled).toBe(1000);
  });

  it('stops and rejects with the reason when the signal aborts, and closes the batch', async () => {
    const service = new BatchDecodeService(timedEngine([5]), limits, 2);
    const controller = new AbortController();
    let closed = false;
    const items = (async function* () {
      for (let i = 0; ; i++) {
        if (i === 20) controller.abort(new QrwError('CLIENT_CLOSED', 'gone'));
        yield { name: `${i}.png`, bytes: new Uint8Array([1]) };
      }
    })();
    const out = new PassThrough().resume();
    await expect(service.write({ total: undefined, items, close: () => (closed = true) }, undefined, 'ndjson', out, { signal: controller.signal })).rejects.toMatchObject({ code: 'CLIENT_CLOSED' });
    expect(closed).toBe(true);
  });

  it('ends the output with an error line when the batch itself fails after lines were written, and rejects', async () => {
    const service = new BatchDecodeService(timedEngine([1]), limits, 2);
    const items = (async function* () {
      yield { name: 'a.png', bytes: new Uint8Array([1]) };
      yield { name: 'b.png', bytes: new Uint8Array([2]) };
      throw new QrwError('BATCH_TOO_LARGE', 'too many', { limit: 2 });
    })();
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await expect(service.write({ total: undefined, items }, undefined, 'ndjson', out)).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE' });
    const written = lines(Buffer.concat(chunks).toString());
    expect(written.at(-1)).toEqual({ error: { code: 'BATCH_TOO_LARGE', message: 'too many', details: { limit: 2 } } });
  });
});

describe('archiveBatch', () => {
  it('knows the number of images before reading any, and reads them', async () => {
    const zip = await makeZip([
      { name: 'a.webp', bytes: CORPUS_PHOTO.bytes },
      { name: '.DS_Store', bytes: Buffer.from('x') },
      { name: 'b.webp', bytes: CORPUS_PHOTO.bytes },
    ]);
    const batch = await archiveBatch(zip, { maxRows: 10, zip: zipLimits });
    expect(batch.total).toBe(2);
    const { summary } = await run(new BatchDecodeService(inProcessEngine(), limits, 2), batch);
    expect(summary).toEqual({ done: 2, failed: 0, total: 2 });
  });

  it('refuses an archive declaring more entries than the limit, naming the async route', async () => {
    const zip = await makeZip([1, 2, 3].map((n) => ({ name: `${n}.png`, bytes: Buffer.from([n]) })));
    await expect(archiveBatch(zip, { maxRows: 2, zip: zipLimits, jobs: '/api/v1/jobs?type=decode' })).rejects.toMatchObject({
      code: 'BATCH_TOO_LARGE',
      details: { limit: 2, jobs: '/api/v1/jobs?type=decode' },
    });
  });
});
