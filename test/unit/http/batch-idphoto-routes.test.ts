import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchIdPhotoService } from '../../../src/app/batch-idphoto.js';
import { IdPhotoService, idPhotoCodec, inProcessIdPhotoEngine, type IdPhotoEngine } from '../../../src/app/idphoto.js';
import { ResultCache } from '../../../src/app/image-cache.js';
import { registerErrorHandling } from '../../../src/http/plugins/errors.js';
import { registerUploads } from '../../../src/http/plugins/uploads.js';
import { registerBatchIdPhotoRoutes } from '../../../src/http/routes/batch-idphoto.js';
import { portraits } from '../../helpers/portraits.js';
import { readZip, zipNames } from '../../helpers/read-zip.js';
import { makeZip } from '../../helpers/zips.js';

// The route on a small app of its own (the ID-photo models in this thread), so that it is tested whatever else the app wires;
// limits small enough that the refusals are cheap to reach, large enough for two portraits.
const MAX_BODY = 4 * 1024 * 1024;
const BATCH_BYTES = 6 * 1024 * 1024;
const BATCH_ROWS = 4;
const JOBS = '/api/v1/jobs?type=idphoto';

let app: FastifyInstance;
let engine: IdPhotoEngine;
beforeAll(async () => {
  engine = inProcessIdPhotoEngine({ maxPixels: 40_000_000, maxSide: 2000 });
  app = Fastify();
  registerErrorHandling(app, MAX_BODY);
  await registerUploads(app, MAX_BODY);
  const service = new BatchIdPhotoService(new IdPhotoService(engine, new ResultCache(0, idPhotoCodec)), 2);
  registerBatchIdPhotoRoutes(app, service, { limits: { maxBodyBytes: MAX_BODY, batchMaxBytes: BATCH_BYTES, batchMaxRows: BATCH_ROWS }, shedWhenFull: async () => undefined });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await engine.close();
});

const [portraitA, portraitB] = portraits().map((p) => readFileSync(p));
const text = Buffer.from('not a portrait');

const inject = (options: InjectOptions) => app.inject(options);
const postZip = (zip: Buffer, query = '', headers: Record<string, string> = {}) =>
  inject({ method: 'POST', url: `/api/v1/batch/idphoto${query}`, payload: zip, headers: { 'content-type': 'application/zip', ...headers } });

async function postForm(fields: Record<string, string>, files: { name: string; bytes: Uint8Array; field?: string }[], after: Record<string, string> = {}) {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  for (const f of files) data.append(f.field ?? 'images', new Blob([new Uint8Array(f.bytes)], { type: 'image/jpeg' }), f.name);
  for (const [name, value] of Object.entries(after)) data.append(name, value);
  const request = new Request('http://x/', { method: 'POST', body: data });
  const body = Buffer.from(await request.arrayBuffer());
  return inject({ method: 'POST', url: '/api/v1/batch/idphoto', payload: body, headers: { 'content-type': request.headers.get('content-type')! } });
}

const errorOf = (res: { statusCode: number; json(): unknown }) => {
  const { error } = res.json() as { error: { code: string; details?: Record<string, unknown> } };
  return { status: res.statusCode, code: error.code, details: error.details };
};
const manifestOf = (csv: Buffer) => parse(csv, { columns: true }) as Record<string, string>[];

describe('POST /api/v1/batch/idphoto', () => {
  it('answers a ZIP body with a ZIP: a photo per portrait in the options of the query string, the text file as its error', async () => {
    const zip = await makeZip([
      { name: 'students/ana.jpg', bytes: portraitA! },
      { name: 'readme.txt', bytes: text },
    ]);
    const res = await postZip(zip, '?spec=us-passport&background=white');
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/attachment/);
    expect(await zipNames(res.rawPayload)).toEqual(['ana.jpg', 'reports.ndjson', 'manifest.csv']);
    const entries = await readZip(res.rawPayload);
    expect(await sharp(entries.get('ana.jpg')!).metadata()).toMatchObject({ format: 'jpeg', width: 600, height: 600, density: 300 });
    const manifest = manifestOf(entries.get('manifest.csv')!);
    expect(manifest.map((r) => [r.file, r.photo, r.error?.split(':')[0]])).toEqual([
      ['students/ana.jpg', 'ana.jpg', ''],
      ['readme.txt', '', 'UNSUPPORTED_IMAGE'],
    ]);
    expect(manifest[0]!.passed).toMatch(/^(yes|no)$/);
  });

  it('takes multipart portraits with the options as fields before them: PNG photos of the spec', async () => {
    const res = await postForm({ spec: 'cn-1inch', format: 'png' }, [
      { name: 'bo.jpg', bytes: portraitB!, field: 'image' },
      { name: 'notes.txt', bytes: text },
    ]);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const entries = await readZip(res.rawPayload);
    expect([...entries.keys()]).toEqual(['bo.png', 'reports.ndjson', 'manifest.csv']);
    expect(await sharp(entries.get('bo.png')!).metadata()).toMatchObject({ format: 'png', width: 295, height: 413 });
    const reports = entries
      .get('reports.ndjson')!
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; report?: { spec: { id: string } }; error?: { code: string } });
    expect(reports.map((r) => r.report?.spec.id ?? r.error?.code)).toEqual(['cn-1inch', 'UNSUPPORTED_IMAGE']);
  });

  it('refuses a bad option with 422 INVALID_OPTION, in the query string or in a field, before any photo', async () => {
    const zip = await makeZip([{ name: 'a.jpg', bytes: text }]);
    expect(errorOf(await postZip(zip, '?spec=mars'))).toMatchObject({ status: 422, code: 'INVALID_OPTION', details: { option: 'spec' } });
    expect(errorOf(await postZip(zip, '?colour=red'))).toMatchObject({ status: 422, code: 'INVALID_OPTION', details: { option: 'colour' } });
    expect(errorOf(await postForm({ background: 'red', dpi: '5' }, [{ name: 'a.txt', bytes: text }]))).toMatchObject({ status: 422, code: 'INVALID_OPTION', details: { option: 'dpi' } });
    // The options apply to every portrait: a field after the files is refused, not applied to some of them.
    expect(errorOf(await postForm({}, [{ name: 'a.txt', bytes: text }], { spec: 'us-passport' }))).toMatchObject({ status: 422, code: 'INVALID_OPTION', details: { option: 'spec' } });
  });

  it('refuses a batch over the limits with 413 BATCH_TOO_LARGE pointing to the job route', async () => {
    const many = await makeZip(Array.from({ length: BATCH_ROWS + 1 }, (_, i) => ({ name: `${i}.jpg`, bytes: text })));
    expect(errorOf(await postZip(many))).toEqual({ status: 413, code: 'BATCH_TOO_LARGE', details: { limit: BATCH_ROWS, jobs: JOBS } });
    const big = Buffer.alloc(BATCH_BYTES + 1);
    expect(errorOf(await postZip(big))).toEqual({ status: 413, code: 'BATCH_TOO_LARGE', details: { limit: BATCH_BYTES, jobs: JOBS } });
  });

  it('refuses what is neither a ZIP nor multipart, and a form without portraits', async () => {
    const res = await inject({ method: 'POST', url: '/api/v1/batch/idphoto', payload: 'a,b', headers: { 'content-type': 'text/csv' } });
    expect(res.statusCode).toBe(415);
    expect(errorOf(await postForm({ spec: 'cn-1inch' }, []))).toMatchObject({ status: 400, code: 'MISSING_IMAGE' });
    expect(errorOf(await postZip(Buffer.from('not a zip at all')))).toMatchObject({ status: 422, code: 'INVALID_ARCHIVE' });
  });
});
