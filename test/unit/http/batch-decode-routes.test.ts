import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/server.js';
import { injectableApp } from '../../helpers/app.js';
import { CORPUS_PHOTO, makeZip, renameEntry } from '../../helpers/zips.js';

// Through app.inject(), on the sources, QR work in this thread; small limits so that the refusals are cheap to reach.
const MAX_BODY = 64 * 1024;
const BATCH_BYTES = 512 * 1024;
const BATCH_ROWS = 5;
let app: App;
beforeAll(async () => {
  app = await injectableApp({ MAX_BODY_BYTES: String(MAX_BODY), BATCH_MAX_BYTES: String(BATCH_BYTES), BATCH_MAX_ROWS: String(BATCH_ROWS) });
});
afterAll(async () => {
  await app.server.close();
});

const inject = (options: InjectOptions) => app.server.inject(options);
const postZip = (zip: Buffer, extra: Partial<InjectOptions> = {}) =>
  inject({ method: 'POST', url: '/api/v1/batch/decode', payload: zip, ...extra, headers: { 'content-type': 'application/zip', ...extra.headers } });

function form(files: { name: string; bytes: Uint8Array; field?: string; type?: string }[]): FormData {
  const data = new FormData();
  for (const f of files) data.append(f.field ?? 'images', new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/octet-stream' }), f.name);
  return data;
}

async function postForm(data: FormData, headers: Record<string, string> = {}) {
  const request = new Request('http://x/', { method: 'POST', body: data });
  const body = Buffer.from(await request.arrayBuffer());
  return inject({ method: 'POST', url: '/api/v1/batch/decode', payload: body, headers: { 'content-type': request.headers.get('content-type')!, ...headers } });
}

const lines = (body: string): Record<string, unknown>[] =>
  body
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const photo = CORPUS_PHOTO.bytes;

describe('POST /api/v1/batch/decode', () => {
  it('reads a ZIP body into NDJSON lines in archive order, an unreadable image as its error line', async () => {
    const zip = await makeZip([
      { name: 'one.webp', bytes: photo },
      { name: 'broken.png', bytes: randomBytes(300) },
      { name: '__MACOSX/._one.webp', bytes: Buffer.from('fork') },
      { name: 'two.webp', bytes: photo },
    ]);
    const res = await postZip(zip);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const out = lines(res.body);
    expect(out.map((l) => l.file)).toEqual(['one.webp', 'broken.png', 'two.webp']);
    expect(out[0]).toMatchObject({ texts: [CORPUS_PHOTO.text], codes: [{ format: 'QRCode' }] });
    expect(out[1]).toMatchObject({ error: { code: 'UNSUPPORTED_IMAGE' } });
    expect(out[2]).toMatchObject({ texts: [CORPUS_PHOTO.text] });
  });

  it('answers CSV with Accept: text/csv', async () => {
    const zip = await makeZip([{ name: 'one.webp', bytes: photo }]);
    const res = await postZip(zip, { headers: { accept: 'text/csv' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(parse(res.body, { columns: true })).toEqual([{ file: 'one.webp', texts: CORPUS_PHOTO.text, formats: 'QRCode', error: '' }]);
  });

  it('reads multipart files (image, images, file fields) and a ZIP among them, in order', async () => {
    const zip = await makeZip([{ name: 'in-zip.webp', bytes: photo }]);
    const res = await postForm(
      form([
        { name: 'a.webp', bytes: photo, field: 'image' },
        { name: 'bundle.zip', bytes: zip, field: 'file', type: 'application/zip' },
        { name: 'b.webp', bytes: photo, field: 'images' },
        { name: 'ignored.webp', bytes: photo, field: 'other' },
      ]),
    );
    expect(res.statusCode).toBe(200);
    const out = lines(res.body);
    expect(out.map((l) => l.file)).toEqual(['a.webp', 'in-zip.webp', 'b.webp']);
    expect(out.every((l) => (l.texts as string[])[0] === CORPUS_PHOTO.text)).toBe(true);
  });

  it('gives a file larger than one image may be its own error line, the others are read', async () => {
    const res = await postForm(
      form([
        { name: 'big.png', bytes: randomBytes(MAX_BODY + 1) },
        { name: 'a.webp', bytes: photo },
      ]),
    );
    expect(res.statusCode).toBe(200);
    const out = lines(res.body);
    expect(out[0]).toMatchObject({ file: 'big.png', error: { code: 'ENTRY_TOO_LARGE', details: { limit: MAX_BODY } } });
    expect(out[1]).toMatchObject({ texts: [CORPUS_PHOTO.text] });
  });

  it('answers a zip bomb entry with its error line without inflating it', async () => {
    const zip = await makeZip([
      { name: 'bomb.bmp', bytes: Buffer.alloc(64 * 1024 * 1024) },
      { name: 'a.webp', bytes: photo },
    ]);
    expect(zip.length).toBeLessThan(BATCH_BYTES);
    const out = lines((await postZip(zip)).body);
    expect(out[0]).toMatchObject({ file: 'bomb.bmp', error: { code: 'ENTRY_TOO_LARGE' } });
    expect(out[1]).toMatchObject({ texts: [CORPUS_PHOTO.text] });
  });

  it('reports traversal names as labels, sanitised', async () => {
    const zip = renameEntry(await makeZip([{ name: 'xx/xx/evil.webp', bytes: photo }]), 'xx/xx/evil.webp', '../../evil.webp');
    const out = lines((await postZip(zip)).body);
    expect(out).toEqual([expect.objectContaining({ file: 'evil.webp', texts: [CORPUS_PHOTO.text] })]);
  });

  it('refuses a body that is not a ZIP with 422 INVALID_ARCHIVE, as JSON', async () => {
    const res = await postZip(randomBytes(1000));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_ARCHIVE' } });
  });

  it('refuses more entries or bytes than a synchronous batch takes with 413, pointing to the jobs route', async () => {
    const many = await makeZip(Array.from({ length: BATCH_ROWS + 1 }, (_, i) => ({ name: `${i}.webp`, bytes: photo })));
    const byRows = await postZip(many);
    expect(byRows.statusCode).toBe(413);
    expect(byRows.json()).toMatchObject({ error: { code: 'BATCH_TOO_LARGE', details: { limit: BATCH_ROWS, jobs: '/api/v1/jobs?type=decode' } } });

    const big = await makeZip([{ name: 'noise.bin', bytes: randomBytes(BATCH_BYTES + 1), compress: false }]);
    const byBytes = await postZip(big);
    expect(byBytes.statusCode).toBe(413);
    expect(byBytes.json()).toMatchObject({ error: { code: 'BATCH_TOO_LARGE', details: { limit: BATCH_BYTES, jobs: '/api/v1/jobs?type=decode' } } });

    // Without a Content-Length (chunked), the limit holds while the body is read.
    const chunked = await postZip(big, { payload: Readable.from([big.subarray(0, 100_000), big.subarray(100_000)]) });
    expect(chunked.statusCode).toBe(413);
    expect(chunked.json()).toMatchObject({ error: { code: 'BATCH_TOO_LARGE', details: { limit: BATCH_BYTES } } });

    const files = await postForm(form(Array.from({ length: BATCH_ROWS + 1 }, (_, i) => ({ name: `${i}.png`, bytes: randomBytes(10) }))));
    expect(files.statusCode).toBe(200);
    expect(lines(files.body).at(-1)).toMatchObject({ error: { code: 'BATCH_TOO_LARGE', details: { jobs: '/api/v1/jobs?type=decode' } } });
  });

  it('refuses other bodies, no files, and unknown formats before the first line', async () => {
    const png = await inject({ method: 'POST', url: '/api/v1/batch/decode', payload: photo, headers: { 'content-type': 'image/webp' } });
    expect(png.statusCode).toBe(415);
    expect(png.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    const empty = await postForm(form([{ name: 'a.webp', bytes: photo, field: 'other' }]));
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ error: { code: 'MISSING_IMAGE' } });
    const fieldFirst = new FormData();
    fieldFirst.append('formats', 'nosuch');
    fieldFirst.append('image', new Blob([new Uint8Array(photo)]), 'a.webp');
    const byField = await postForm(fieldFirst);
    expect(byField.statusCode).toBe(422);
    expect(byField.json()).toMatchObject({ error: { code: 'INVALID_OPTION' } });
    const formats = await postZip(await makeZip([{ name: 'a.webp', bytes: photo }]), { url: '/api/v1/batch/decode?formats=nosuch' });
    expect(formats.statusCode).toBe(422);
    expect(formats.json()).toMatchObject({ error: { code: 'INVALID_OPTION' } });
  });

  it('leaves the 16-file JSON route /api/v1/decode/batch as it was', async () => {
    const res = await postForm(form([{ name: 'a.webp', bytes: photo, field: 'image' }]));
    expect(res.statusCode).toBe(200);
    const data = form([{ name: 'a.webp', bytes: photo, field: 'image' }]);
    const request = new Request('http://x/', { method: 'POST', body: data });
    const old = await inject({ method: 'POST', url: '/api/v1/decode/batch', payload: Buffer.from(await request.arrayBuffer()), headers: { 'content-type': request.headers.get('content-type')! } });
    expect(old.statusCode).toBe(200);
    expect(old.json()).toMatchObject({ texts: [CORPUS_PHOTO.text], results: [{ file: 'a.webp' }] });
  });
});

describe('POST /api/v1/batch/decode over a socket', () => {
  it('stops the run when the client disconnects after the first line', async () => {
    const served = await injectableApp({ BATCH_MAX_ROWS: '1000' });
    try {
      const address = await served.server.listen({ host: '127.0.0.1', port: 0 });
      const entries = 400;
      const zip = await makeZip(Array.from({ length: entries }, (_, i) => ({ name: `${i}.webp`, bytes: photo })));
      const decoded = async (): Promise<number> => (await served.metrics.decodes.get()).values.reduce((sum, v) => sum + v.value, 0);
      await new Promise<void>((resolve, reject) => {
        const req = request(`${address}/api/v1/batch/decode`, { method: 'POST', headers: { 'content-type': 'application/zip' } }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
        req.end(zip);
      });
      await new Promise((r) => setTimeout(r, 500));
      const after = await decoded();
      await new Promise((r) => setTimeout(r, 500));
      expect(await decoded()).toBe(after);
      expect(after).toBeLessThan(entries);
    } finally {
      await served.server.close();
    }
  });
});
