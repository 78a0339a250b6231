import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/server.js';
import { injectableApp } from '../../helpers/app.js';
import { REDIS_URL, deleteKeys, requireRedis } from '../../helpers/redis.js';
import { sharedPath } from '../../helpers/shared.js';

// The original ID-photo service's API, served by an ID-photo-only process (TOOLS=idphoto), through app.inject().
const PORTRAIT = readFileSync(sharedPath('idphoto/portraits/021.jpg'));

function form(fields: Record<string, string>, file: Uint8Array | null = PORTRAIT, fileField = 'file'): FormData {
  const data = new FormData();
  if (file) data.append(fileField, new Blob([new Uint8Array(file)], { type: 'image/jpeg' }), 'portrait.jpg');
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

describe('the original ID-photo API (TOOLS=idphoto)', () => {
  let app: App;
  beforeAll(async () => {
    app = await injectableApp({ TOOLS: 'idphoto' });
  });
  afterAll(() => app.server.close());

  it('answers a queued job at once and its 1-inch JPEG (295x413 at 300 dpi) at the result URL', async () => {
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: form({ background_color: 'blue', size_type: '1-inch' }) });
    expect(res.statusCode, res.body).toBe(200);
    const job = res.json() as { job_id: string; status: string; result_url: string };
    expect(Object.keys(job).sort()).toEqual(['job_id', 'result_url', 'status']);
    expect(job.job_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(job).toMatchObject({ status: 'queued', result_url: `/result/${job.job_id}.jpg` });

    // Asked for while the job may still run: the answer waits for it.
    const result = await app.server.inject({ method: 'GET', url: job.result_url });
    expect(result.statusCode, result.body).toBe(200);
    expect(result.headers['content-type']).toBe('image/jpeg');
    const meta = await sharp(result.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', width: 295, height: 413, density: 300 });
    // The original's blue (67,142,219) behind the person: the top corners.
    const { data } = await sharp(result.rawPayload).extract({ left: 0, top: 0, width: 8, height: 8 }).raw().toBuffer({ resolveWithObject: true });
    expect(Math.abs(data[0]! - 67) + Math.abs(data[1]! - 142) + Math.abs(data[2]! - 219)).toBeLessThan(15);
    // Asked again before it expires: the same image.
    const again = await app.server.inject({ method: 'GET', url: job.result_url });
    expect(Buffer.compare(again.rawPayload, result.rawPayload)).toBe(0);
  });

  it('answers 404 for an unknown or malformed job id, and the usual 4xx errors for bad input', async () => {
    for (const url of [`/result/${crypto.randomUUID()}.jpg`, '/result/not-a-job.jpg']) {
      const res = await app.server.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('NOT_FOUND');
    }
    const cases = [
      { payload: form({ size_type: '3-inch' }), status: 422, code: 'INVALID_OPTION', option: 'size_type' },
      { payload: form({ background_color: 'green' }), status: 422, code: 'INVALID_OPTION', option: 'background_color' },
      { payload: form({ size_type: '1-inch' }, null), status: 400, code: 'MISSING_IMAGE' },
      { payload: form({}, PORTRAIT, 'image'), status: 400, code: 'MISSING_IMAGE' },
    ];
    for (const c of cases) {
      const res = await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: c.payload });
      expect(res.statusCode, c.code).toBe(c.status);
      expect(res.json().error, c.code).toMatchObject({ code: c.code, ...(c.option && { details: { option: c.option } }) });
    }
  });

  it("answers a failed job's own error at its result URL (a text file: 415 UNSUPPORTED_IMAGE)", async () => {
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: form({}, new TextEncoder().encode('not a picture')) });
    expect(res.statusCode).toBe(200);
    const failed = await app.server.inject({ method: 'GET', url: (res.json() as { result_url: string }).result_url });
    expect(failed.statusCode).toBe(415);
    expect(failed.json().error.code).toBe('UNSUPPORTED_IMAGE');
  });
});

describe('with the QR tool too (TOOLS=qr,idphoto)', () => {
  let app: App;
  beforeAll(async () => {
    app = await injectableApp({ TOOLS: 'qr,idphoto' });
  });
  afterAll(() => app.server.close());

  it('POST /api/v1/generate is the QR route and /result is not served', async () => {
    const res = await app.server.inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'still QR' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect((await app.server.inject({ method: 'GET', url: `/result/${crypto.randomUUID()}.jpg` })).json().error.code).toBe('NOT_FOUND');
  });
});

describe.runIf(requireRedis)('the jobs on the ID-photo queue (Redis)', () => {
  const prefix = `qrw-test-compat-${process.pid}:`;
  let here: App;
  let there: App;
  beforeAll(async () => {
    const env = { TOOLS: 'idphoto', REDIS_URL, REDIS_KEY_PREFIX: prefix, JOBS_DIR: join(tmpdir(), `qrw-compat-${process.pid}`) };
    // One replica only queues; the other runs the ID-photo jobs and answers for them.
    [here, there] = await Promise.all([injectableApp({ ...env, JOB_CONCURRENCY: '0' }), injectableApp(env)]);
  });
  afterAll(async () => {
    await Promise.all([here.server.close(), there.server.close()]);
    await deleteKeys(`${prefix}*`);
  });

  it('a photo queued on one replica is made by another, and either answers for it', async () => {
    const res = await here.server.inject({ method: 'POST', url: '/api/v1/generate', payload: form({ background_color: 'white', size_type: '2-inch' }) });
    expect(res.statusCode, res.body).toBe(200);
    const job = res.json() as { job_id: string; result_url: string };
    const result = await here.server.inject({ method: 'GET', url: job.result_url });
    expect(result.statusCode, result.body).toBe(200);
    expect(await sharp(result.rawPayload).metadata()).toMatchObject({ format: 'jpeg', width: 413, height: 626 });
    const elsewhere = await there.server.inject({ method: 'GET', url: job.result_url });
    expect(Buffer.compare(elsewhere.rawPayload, result.rawPayload)).toBe(0);
    // It is a job like any other: its state is on the job API too.
    expect((await there.server.inject({ method: 'GET', url: `/api/v1/jobs/${job.job_id}` })).json()).toMatchObject({ type: 'idphoto-photo', state: 'completed' });
  });
});
