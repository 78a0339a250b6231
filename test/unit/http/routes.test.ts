import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../../src/errors.js';
import { statusOf } from '../../../src/http/plugins/errors.js';
import { GENERATE_OPTION_SPECS } from '../../../src/qr/options.js';
import { DecodeResultSchema } from '../../../src/recognise/index.js';
import { SPECS } from '../../../src/idphoto/specs.js';
import type { App } from '../../../src/server.js';
import { injectableApp } from '../../helpers/app.js';

// Route behaviour through app.inject(), on the sources: the app as the service assembles it, QR work in this thread.
let app: App;
beforeAll(async () => {
  app = await injectableApp();
});
afterAll(async () => {
  await app.server.close();
});

const inject = (options: InjectOptions) => app.server.inject(options);

function form(files: { name: string; bytes: Uint8Array; type?: string }[], field = 'image'): FormData {
  const data = new FormData();
  for (const f of files) data.append(field, new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'image/png' }), f.name);
  return data;
}

async function png(text: string, options: Record<string, unknown> = {}): Promise<Uint8Array> {
  const res = await inject({ method: 'POST', url: '/api/v1/generate', payload: { text, ...options } });
  expect(res.statusCode).toBe(200);
  return new Uint8Array(res.rawPayload);
}

describe('generate routes', () => {
  it('answers a PNG with the symbol in headers, an ETag, and 304 for a matching If-None-Match', async () => {
    const res = await inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'route test', ec: 'm' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-qr-ec']).toBe('M');
    expect(res.headers['x-cache']).toBe('MISS');
    const again = await inject({ method: 'GET', url: '/api/v1/generate?text=route%20test&ec=M', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
    const cached = await inject({ method: 'GET', url: '/api/v1/generate?text=route%20test&ec=M' });
    expect(cached.headers['x-cache']).toBe('HIT');
    expect(cached.headers['cache-control']).toMatch(/max-age=\d+, immutable/);
  });

  it('serves every output format with its content type from the format registry', async () => {
    for (const format of ['svg', 'txt', 'json'] as const) {
      const res = await inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'fmt', format } });
      expect(res.statusCode, format).toBe(200);
      expect(res.headers['content-type'], format).toBe(format === 'svg' ? 'image/svg+xml' : format === 'txt' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8');
    }
  });

  it('refuses each option outside its registry range with INVALID_OPTION naming the option', async () => {
    for (const [option, value] of [
      ['scale', GENERATE_OPTION_SPECS.scale.max + 1],
      ['margin', -1],
      ['ec', 'X'],
      ['format', 'gif'],
      ['dark', 'red'],
      ['size', GENERATE_OPTION_SPECS.size.min - 1],
    ] as const) {
      const res = await inject({ method: 'POST', url: '/api/v1/generate', payload: { text: 'x', [option]: value } });
      expect(res.statusCode, option).toBe(422);
      expect(res.json(), option).toMatchObject({ error: { code: 'INVALID_OPTION', details: { option } } });
    }
  });

  it('answers the original service on /generate with a PNG whatever format is asked', async () => {
    const res = await inject({ method: 'POST', url: '/generate', payload: { text: 'compat', format: 'svg' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
  });

  it('says what is wrong with a request in the one error shape', async () => {
    const cases = [
      { req: { method: 'POST', url: '/api/v1/generate', payload: {} }, status: 400, code: 'MISSING_TEXT' },
      { req: { method: 'POST', url: '/api/v1/generate', payload: '{"text":', headers: { 'content-type': 'application/json' } }, status: 400, code: 'INVALID_JSON' },
      { req: { method: 'POST', url: '/api/v1/generate', payload: { text: 'x', colour: 'red' } }, status: 422, code: 'INVALID_OPTION' },
      { req: { method: 'POST', url: '/api/v1/generate', payload: { text: '9'.repeat(7090) } }, status: 422, code: 'QR_DATA_TOO_LONG' },
      { req: { method: 'POST', url: '/api/v1/generate', payload: { text: 'x'.repeat(200), size: 21 } }, status: 422, code: 'SIZE_TOO_SMALL' },
      { req: { method: 'GET', url: '/nowhere' }, status: 404, code: 'NOT_FOUND' },
    ] as const;
    for (const c of cases) {
      const res = await inject(c.req as InjectOptions);
      expect(res.statusCode, c.code).toBe(c.status);
      expect(res.json().error.code, c.code).toBe(c.code);
      expect(statusOf(c.code), c.code).toBe(c.status);
    }
  });
});

describe('decode routes', () => {
  it('reads a raw image body and a multipart upload, and reports which pass read it', async () => {
    const image = await png('decode me');
    const raw = await inject({ method: 'POST', url: '/api/v1/decode', payload: Buffer.from(image), headers: { 'content-type': 'image/png' } });
    expect(raw.statusCode).toBe(200);
    expect(raw.json()).toMatchObject({ texts: ['decode me'], imageFormat: 'png', damaged: false, pass: 'fast' });
    const multipart = await inject({ method: 'POST', url: '/api/v1/decode', payload: form([{ name: 'a.png', bytes: image }]) });
    expect(multipart.json().texts).toEqual(['decode me']);
    // Every field the schema declares is in the answer, and nothing else.
    expect(Object.keys(multipart.json()).sort()).toEqual(['texts', ...Object.keys(DecodeResultSchema.properties)].sort());
  });

  it('answers a batch with an entry per file, an unreadable one with its error', async () => {
    const res = await inject({
      method: 'POST',
      url: '/api/v1/decode/batch',
      payload: form([
        { name: 'good.png', bytes: await png('first') },
        { name: 'bad.png', bytes: new Uint8Array([1, 2, 3, 4]) },
      ]),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.texts).toEqual(['first']);
    expect(body.results[0]).toMatchObject({ file: 'good.png', codes: [{ text: 'first' }], pass: 'fast' });
    expect(body.results[1]).toMatchObject({ file: 'bad.png', error: { code: 'UNSUPPORTED_IMAGE' } });
  });

  it('answers the original service on /decode with texts only', async () => {
    const res = await inject({ method: 'POST', url: '/decode', payload: form([{ name: 'a.png', bytes: await png('compat decode') }]) });
    expect(res.json()).toEqual({ texts: ['compat decode'] });
  });

  it('refuses a missing image, a wrong content type and an unknown barcode format', async () => {
    const noImage = await inject({ method: 'POST', url: '/api/v1/decode', payload: form([{ name: 'a.png', bytes: await png('x') }], 'other') });
    expect(noImage.json().error.code).toBe('MISSING_IMAGE');
    const text = await inject({ method: 'POST', url: '/api/v1/decode', payload: 'hello', headers: { 'content-type': 'text/plain' } });
    expect(text.statusCode).toBe(415);
    const format = await inject({ method: 'POST', url: '/api/v1/decode?formats=QRCode,Nope', payload: form([{ name: 'a.png', bytes: await png('x') }]) });
    expect(format.statusCode).toBe(422);
    expect(format.json().error).toMatchObject({ code: 'INVALID_OPTION', details: { option: 'formats' } });
  });
});

describe('ops routes and the API document', () => {
  it('answers /health, /ready and /metrics', async () => {
    expect((await inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ status: 'healthy', service: 'qr-workshop' });
    expect((await inject({ method: 'GET', url: '/ready' })).json()).toEqual({ status: 'ready', redis: 'off' });
    expect((await inject({ method: 'GET', url: '/metrics' })).body).toContain('http_requests_total');
  });

  it('documents the options, the error codes and the decode result from their registries', async () => {
    const doc = (await inject({ method: 'GET', url: '/docs/json' })).json();
    const body = doc.paths['/api/v1/generate'].post.requestBody.content['application/json'].schema;
    expect(body.properties.scale).toMatchObject({ minimum: GENERATE_OPTION_SPECS.scale.min, maximum: GENERATE_OPTION_SPECS.scale.max });
    expect(body.properties.format.enum).toEqual([...GENERATE_OPTION_SPECS.format.accepts]);
    const decoded = doc.paths['/api/v1/decode'].post.responses['200'].content['application/json'].schema;
    expect(Object.keys(decoded.properties)).toContain('pass');
    const error = doc.paths['/api/v1/decode'].post.responses['422'].content['application/json'].schema;
    expect(error.properties.error.properties.code.enum).toEqual(ERRORS.map((e) => e.code));
  });
});

describe('decode metrics', () => {
  it('counts every decode request by outcome, one refused before decoding included', async () => {
    const count = async (outcome: string): Promise<number> =>
      Number(new RegExp(`^qrw_decode_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec((await inject({ method: 'GET', url: '/metrics' })).body)?.[1] ?? 0);
    const [found, error] = [await count('found'), await count('error')];
    await inject({ method: 'POST', url: '/api/v1/decode', payload: form([{ name: 'a.png', bytes: await png('counted') }]) });
    await inject({ method: 'POST', url: '/api/v1/decode', payload: form([{ name: 'a.png', bytes: await png('x') }], 'other') });
    expect(await count('found')).toBe(found + 1);
    expect(await count('error')).toBe(error + 1);
  });
});

describe('ID-photo routes', () => {
  it('lists every spec with its pixels, its sources and its conflicts, and the print sheets', async () => {
    const res = await inject({ method: 'GET', url: '/api/v1/idphoto/specs' });
    expect(res.statusCode).toBe(200);
    const { specs, sheets } = res.json() as { specs: Array<Record<string, unknown> & { id: string; pixels: { width: number; height: number; dpi: number } }>; sheets: Array<{ id: string }> };
    expect(specs.map((s) => s.id)).toEqual(SPECS.map((s) => s.id));
    expect(specs.find((s) => s.id === 'cn-id-card')!.pixels).toMatchObject({ width: 358, height: 441, dpi: 350 });
    expect(specs.find((s) => s.id === 'jp-visa')).toMatchObject({ status: 'conflict', conflicts: [{ rule: 'size', values: ['45x45 mm', '35x45 mm'] }] });
    expect(specs.find((s) => s.id === 'us-passport')).toMatchObject({ crown: 'hair', head: { mm: { min: 25.4 } }, sources: [expect.stringContaining('Department of State')] });
    expect(sheets.map((s) => s.id)).toContain('4x6in');
  });
});
