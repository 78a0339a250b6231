import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompatJobs } from '../../../src/http/routes/idphoto-compat.js';
import type { App } from '../../../src/server.js';
import { injectableApp } from '../../helpers/app.js';
import { REDIS_URL, requireRedis } from '../../helpers/redis.js';
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

describe('the jobs kept in memory', () => {
  it('waits for a running job, keeps its result for the TTL, then forgets it and its bytes', async () => {
    const jobs = new CompatJobs({ ttlSeconds: 1, maxBytes: 0 });
    let finish!: (jpeg: Uint8Array) => void;
    await jobs.start('a', new Promise<Uint8Array>((resolve) => (finish = resolve)));
    const waiting = jobs.outcome('a');
    setTimeout(() => finish(new Uint8Array(1000)), 20);
    expect(await waiting).toEqual({ jpeg: new Uint8Array(1000) });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await jobs.outcome('a')).toEqual({ jpeg: new Uint8Array(1000) });
    expect(jobs.bytes).toBeGreaterThanOrEqual(1000);
    await jobs.start('b', Promise.reject(new Error('boom')));
    expect(await jobs.outcome('b')).toEqual({ error: { code: 'INTERNAL', message: expect.not.stringContaining('boom') } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await jobs.outcome('a')).toBeUndefined();
    expect(await jobs.outcome('b')).toBeUndefined();
    expect(jobs.bytes).toBe(0);
  });
});

describe.runIf(requireRedis)('the jobs kept in Redis', () => {
  it('lets another replica wait for a job and read its result, until the TTL', async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: false });
    if (redis.status !== 'ready') await once(redis, 'ready');
    try {
      const shared = { redis, prefix: `test:compat:${crypto.randomUUID()}:` };
      const [here, there] = [new CompatJobs({ ttlSeconds: 1, maxBytes: 0, redis: shared }), new CompatJobs({ ttlSeconds: 1, maxBytes: 0, redis: shared })];
      let finish!: (jpeg: Uint8Array) => void;
      await here.start('job', new Promise<Uint8Array>((resolve) => (finish = resolve)));
      // The other replica sees the job pending and waits for it.
      const waiting = there.outcome('job');
      setTimeout(() => finish(new Uint8Array([1, 2, 3])), 300);
      expect(await waiting).toEqual({ jpeg: new Uint8Array([1, 2, 3]) });
      expect(here.bytes).toBe(0);
      expect(await there.outcome('unknown')).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await there.outcome('job')).toBeUndefined();
      expect(await redis.exists(`${shared.prefix}job`)).toBe(0);
    } finally {
      redis.disconnect();
    }
  });
});
