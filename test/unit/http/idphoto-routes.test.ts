import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/server.js';
import { injectableApp } from '../../helpers/app.js';
import { sharedPath } from '../../helpers/shared.js';

// The ID-photo routes through app.inject(), the models in this thread. Each real photo costs about half a second: few of them.
const PORTRAIT = readFileSync(sharedPath('idphoto/portraits/021.jpg'));

function form(files: Uint8Array[], fields: Record<string, string> = {}, field = 'image'): FormData {
  const data = new FormData();
  files.forEach((bytes, i) => data.append(field, new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), `upload-${i}.jpg`));
  for (const [name, value] of Object.entries(fields)) data.append(name, value);
  return data;
}

interface JsonImage {
  contentType: string;
  data: string;
  width: number;
  height: number;
  dpi: number;
}

describe('ID-photo routes', () => {
  let app: App;
  beforeAll(async () => {
    app = await injectableApp({ TOOLS: 'idphoto' });
  });
  afterAll(() => app.server.close());
  const post = (url: string, payload: FormData | Buffer, headers: Record<string, string> = {}) => app.server.inject({ method: 'POST', url, payload, headers });
  const errorOf = (res: { statusCode: number; json(): unknown }) => ({ status: res.statusCode, code: (res.json() as { error: { code: string } }).error.code });

  it('makes a photo from a multipart upload: a JPEG with the spec dpi in the file', async () => {
    const res = await post('/api/v1/idphoto', form([PORTRAIT], { spec: 'cn-1inch', background: 'white' }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/jpeg');
    expect(res.headers['x-cache']).toBe('miss');
    expect(await sharp(res.rawPayload).metadata()).toMatchObject({ format: 'jpeg', width: 295, height: 413, density: 300 });
  });

  let photo: Buffer;
  it('answers one JSON object for a raw body with query options: the photo, a sheet and the report', async () => {
    const res = await post('/api/v1/idphoto?spec=us-passport&background=white&sheet=4x6', PORTRAIT, { 'content-type': 'image/jpeg', accept: 'application/json' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { photo: JsonImage; hires: JsonImage | null; sheet: JsonImage | null; report: Record<string, unknown> & { transform: number[]; faces: number; warnings: string[] } };
    expect(Object.keys(body).sort()).toEqual(['hires', 'photo', 'report', 'sheet']);
    expect(body.photo).toMatchObject({ contentType: 'image/jpeg', width: 600, height: 600, dpi: 300 });
    photo = Buffer.from(body.photo.data, 'base64');
    expect(await sharp(photo).metadata()).toMatchObject({ width: 600, height: 600, density: 300 });
    expect(body.hires).toBeNull();
    expect(body.sheet).toMatchObject({ contentType: 'image/jpeg', dpi: 300 });
    const sheet = await sharp(Buffer.from(body.sheet!.data, 'base64')).metadata();
    // 4x6 in at 300 dpi, either way round.
    expect([sheet.width, sheet.height].sort()).toEqual([1200, 1800]);
    expect(body.report).toMatchObject({ faces: 1, spec: expect.anything() });
    expect(body.report.transform).toHaveLength(6);
  });

  it('crops without matting, and cuts the person out as a PNG with alpha the size of the upload', async () => {
    const crop = await post('/api/v1/idphoto/crop?spec=cn-1inch', PORTRAIT, { 'content-type': 'image/jpeg' });
    expect(crop.statusCode, crop.body).toBe(200);
    expect(await sharp(crop.rawPayload).metadata()).toMatchObject({ format: 'jpeg', width: 295, height: 413 });
    const matte = await post('/api/v1/idphoto/matte', form([PORTRAIT]));
    expect(matte.statusCode, matte.body).toBe(200);
    expect(matte.headers['content-type']).toBe('image/png');
    const meta = await sharp(matte.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'png', width: 1000, height: 1000, hasAlpha: true, channels: 4 });
    expect(matte.headers['x-original-size']).toBe('1000x1000');
  });

  it('prints a sheet of two finished photos', async () => {
    const other = await sharp(photo).flop().jpeg().withMetadata({ density: 300 }).toBuffer();
    const res = await post('/api/v1/idphoto/sheet', form([photo, other], { sheet: '4x6in', dpi: '300' }, 'photo'));
    expect(res.statusCode, res.body).toBe(200);
    const meta = await sharp(res.rawPayload).metadata();
    expect(meta).toMatchObject({ format: 'jpeg', density: 300 });
    expect([meta.width, meta.height].sort()).toEqual([1200, 1800]);
    // Without gaps and margins more copies fit: less of the sheet is blank paper.
    const paper = async (fields: Record<string, string>): Promise<number> => {
      const sheet = await post('/api/v1/idphoto/sheet', form([photo], { sheet: '4x6in', format: 'png', cutLines: 'false', ...fields }, 'photo'));
      expect(sheet.statusCode, sheet.body).toBe(200);
      const { data } = await sharp(sheet.rawPayload).greyscale().raw().toBuffer({ resolveWithObject: true });
      return data.filter((v) => v === 255).length / data.length;
    };
    expect(await paper({ gapMm: '0', marginMm: '0' })).toBeLessThan((await paper({})) - 0.1);
    const unknown = await post('/api/v1/idphoto/sheet', form([photo], { spec: 'us-passport' }, 'photo'));
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([422, 'INVALID_OPTION']);
  });

  it('refuses two faces of one size (MULTIPLE_FACES), and takes the largest with pick=largest and a warning', async () => {
    const half = await sharp(PORTRAIT).resize(800, 800).toBuffer();
    const two = await sharp({ create: { width: 1600, height: 800, channels: 3, background: '#808080' } })
      .composite([
        { input: half, left: 0, top: 0 },
        { input: await sharp(half).flop().toBuffer(), left: 800, top: 0 },
      ])
      .jpeg()
      .toBuffer();
    expect(errorOf(await post('/api/v1/idphoto', form([two])))).toEqual({ status: 422, code: 'MULTIPLE_FACES' });
    const res = await post('/api/v1/idphoto?pick=largest', two, { 'content-type': 'image/jpeg', accept: 'application/json' });
    expect(res.statusCode, res.body).toBe(200);
    const report = (res.json() as { report: { faces: number; warnings: string[] } }).report;
    expect(report.faces).toBe(2);
    expect(report.warnings.length).toBeGreaterThan(0);
  });

  it('reads a CMYK JPEG', async () => {
    const cmyk = await sharp(PORTRAIT).toColourspace('cmyk').jpeg().toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const res = await post('/api/v1/idphoto', form([cmyk]));
    expect(res.statusCode, res.body).toBe(200);
    expect(await sharp(res.rawPayload).metadata()).toMatchObject({ format: 'jpeg', width: 295, height: 413, space: 'srgb' });
  });

  it('says what is wrong: no face, a tiny picture, a text file, an unknown spec, no image', async () => {
    const flat = await sharp({ create: { width: 600, height: 800, channels: 3, background: '#6a8caf' } })
      .jpeg()
      .toBuffer();
    expect(errorOf(await post('/api/v1/idphoto', form([flat])))).toEqual({ status: 422, code: 'NO_FACE' });
    const tiny = await sharp(PORTRAIT).resize(40, 40).jpeg().toBuffer();
    const small = errorOf(await post('/api/v1/idphoto', form([tiny])));
    expect(small.status).toBe(422);
    expect(['NO_FACE', 'FACE_TOO_SMALL']).toContain(small.code);
    expect(errorOf(await post('/api/v1/idphoto', form([new TextEncoder().encode('just some text, not a picture')])))).toEqual({ status: 415, code: 'UNSUPPORTED_IMAGE' });
    const spec = await post('/api/v1/idphoto?spec=mars-passport', PORTRAIT, { 'content-type': 'image/jpeg' });
    expect(errorOf(spec)).toEqual({ status: 422, code: 'INVALID_OPTION' });
    expect((spec.json() as { error: { details: unknown } }).error.details).toEqual({ option: 'spec' });
    expect(errorOf(await post('/api/v1/idphoto', form([], { spec: 'cn-1inch' })))).toEqual({ status: 400, code: 'MISSING_IMAGE' });
  });

  it('counts each photo by outcome in the metrics, with its duration', async () => {
    const metrics = (await app.server.inject({ method: 'GET', url: '/metrics' })).body;
    for (const outcome of ['ok', 'no_face', 'multiple_faces', 'invalid']) expect(metrics, outcome).toMatch(new RegExp(`^qrw_idphoto_total\\{work="photo",outcome="${outcome}"\\} [1-9]`, 'm'));
    expect(metrics).toMatch(/^qrw_idphoto_total\{work="cutout",outcome="ok"\} 1$/m);
    expect(metrics).toMatch(/^qrw_idphoto_duration_seconds_count\{work="photo",outcome="ok"\} [1-9]/m);
  });
});

describe('ID-photo limits', () => {
  it('refuses a picture over MAX_IMAGE_PIXELS before decoding it (422 IMAGE_TOO_LARGE)', async () => {
    const app = await injectableApp({ TOOLS: 'idphoto', MAX_IMAGE_PIXELS: '250000' });
    try {
      const res = await app.server.inject({ method: 'POST', url: '/api/v1/idphoto', payload: form([PORTRAIT]) });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe('IMAGE_TOO_LARGE');
    } finally {
      await app.server.close();
    }
  });

  it('limits each client to IDPHOTO_RATE_LIMIT_MAX photos per window (the third gets 429)', async () => {
    const app = await injectableApp({ TOOLS: 'idphoto', IDPHOTO_RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW: '60s' });
    try {
      // Requests refused for their options cost no model run; they count against the limit all the same.
      const send = () => app.server.inject({ method: 'POST', url: '/api/v1/idphoto?spec=nowhere', payload: PORTRAIT, headers: { 'content-type': 'image/jpeg' } });
      expect((await send()).statusCode).toBe(422);
      expect((await send()).statusCode).toBe(422);
      const third = await send();
      expect(third.statusCode).toBe(429);
      expect(third.json().error.code).toBe('RATE_LIMITED');
      // The catalogue is not a photo: not limited.
      expect((await app.server.inject({ method: 'GET', url: '/api/v1/idphoto/specs' })).statusCode).toBe(200);
    } finally {
      await app.server.close();
    }
  });
});
