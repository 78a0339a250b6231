import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart, startTestServer } from '../helpers/server.js';
import { onePixelPng, pngBomb } from '../helpers/images.js';
import { sharedPath } from '../helpers/shared.js';

let server: Awaited<ReturnType<typeof startTestServer>>;
let base: string;
const photo = readFileSync(sharedPath('anchors/bench/images/qr_000.jpg'));

beforeAll(async () => {
  server = await startTestServer();
  base = server.base;
});
afterAll(async () => {
  await server.shutdown();
});

async function generatePng(text: string): Promise<Uint8Array> {
  const res = await fetch(`${base}/api/v1/generate?text=${encodeURIComponent(text)}`);
  expect(res.status).toBe(200);
  return new Uint8Array(await res.arrayBuffer());
}

async function decodeTexts(bytes: Uint8Array): Promise<string[]> {
  const res = await fetch(`${base}/api/v1/decode`, { method: 'POST', body: multipart('image', bytes) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { texts: string[] }).texts;
}

describe('health and operations', () => {
  it('GET /health answers like a container health check expects', async () => {
    const res = await fetch(`${base}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'healthy', service: 'qr-workshop', version: expect.any(String) });
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('GET /ready is 200 while serving', async () => {
    expect((await fetch(`${base}/ready`)).status).toBe(200);
  });

  it('echoes a caller request id', async () => {
    const res = await fetch(`${base}/health`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
  });

  it('GET /metrics exposes requests, latency, decode outcomes, cache and pool figures', async () => {
    await generatePng('metrics');
    await decodeTexts(new Uint8Array(photo));
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'qrw_decode_total{outcome="found"}',
      'qrw_generate_cache_total',
      'qrw_pool_queue_depth',
      'qrw_pool_utilization_ratio',
      'qrw_pool_wait_mean_seconds',
      'process_cpu_user_seconds_total',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/api\/v1\/generate",status="200"\} \d+/);
  });

  it('GET /docs/json is an OpenAPI document of the routes, and /docs serves the UI', async () => {
    const doc = (await (await fetch(`${base}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/generate', '/api/v1/decode', '/generate', '/decode', '/health']));
    const ui = await fetch(`${base}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });

  it('unknown routes get a JSON 404', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('generate', () => {
  it('GET returns a PNG with a strong ETag and Cache-Control, and 304 on If-None-Match', async () => {
    const url = `${base}/api/v1/generate?text=${encodeURIComponent('etag test')}&ec=M&size=300`;
    const first = await fetch(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/png');
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('x-qr-ec')).toBe('M');
    const meta = await sharp(Buffer.from(await first.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([300, 300]);
    const again = await fetch(url);
    expect(again.headers.get('x-cache')).toBe('HIT');
    const notModified = await fetch(url, { headers: { 'if-none-match': etag } });
    expect(notModified.status).toBe(304);
  });

  it('POST JSON takes the same options and every format', async () => {
    const post = (body: unknown): Promise<Response> => fetch(`${base}/api/v1/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const svg = await post({ text: 'svg', format: 'svg', dark: '#112233' });
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toContain('fill="#112233"');
    const txt = await post({ text: 'txt', format: 'txt' });
    expect(txt.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await txt.text()).toContain('█');
    const json = (await (await post({ text: 'json', format: 'json' })).json()) as { dataUri: string; version: number; ec: string };
    expect(json).toMatchObject({ version: 1, ec: 'H' });
    const png = Buffer.from(json.dataUri.split(',')[1]!, 'base64');
    expect(await decodeTexts(new Uint8Array(png))).toEqual(['json']);
    const bytes = await post({ bytes: Buffer.from([0, 1, 2, 250]).toString('base64'), ec: 'L' });
    expect(bytes.status).toBe(200);
  });

  it('what it generates decodes to the same text, UTF-8 included', async () => {
    for (const text of ['https://example.com/a?b=c', '二维码 テスト 🎉']) {
      expect(await decodeTexts(await generatePng(text))).toEqual([text]);
    }
  });

  it('POST /generate (the original route) returns a PNG at level H', async () => {
    const res = await fetch(`${base}/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'compat' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-qr-ec')).toBe('H');
  });

  it('long texts are generated in the pool and still decode', async () => {
    const text = 'long text '.repeat(100);
    expect(await decodeTexts(await generatePng(text))).toEqual([text]);
  });
});

describe('decode', () => {
  it('multipart upload returns texts, codes with positions, and the image size', async () => {
    const res = await fetch(`${base}/api/v1/decode`, { method: 'POST', body: multipart('image', new Uint8Array(photo), 'photo.jpg', 'image/jpeg') });
    const body = (await res.json()) as { texts: string[]; codes: Array<{ format: string; position: Record<string, { x: number; y: number }>; ecLevel: string }>; width: number; height: number };
    expect(body.texts).toEqual(['https://example.com']);
    expect(body.codes[0]).toMatchObject({ format: 'QRCode', ecLevel: 'H' });
    expect(Object.keys(body.codes[0]!.position)).toEqual(['topLeft', 'topRight', 'bottomRight', 'bottomLeft']);
    expect([body.width, body.height]).toEqual([427, 399]);
  });

  it('a raw image body works too', async () => {
    const res = await fetch(`${base}/api/v1/decode`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: photo });
    expect(((await res.json()) as { texts: string[] }).texts).toEqual(['https://example.com']);
  });

  it('POST /decode (the original route) answers {"texts": [...]} only', async () => {
    const res = await fetch(`${base}/decode`, { method: 'POST', body: multipart('image', new Uint8Array(photo)) });
    expect(await res.json()).toEqual({ texts: ['https://example.com'] });
  });

  it('an image without a code is a 200 with empty lists', async () => {
    const blank = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    const res = await fetch(`${base}/api/v1/decode`, { method: 'POST', body: multipart('image', new Uint8Array(blank)) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ texts: [], codes: [] });
  });

  it('reads other barcode formats when asked', async () => {
    const res = await fetch(`${base}/api/v1/decode?formats=QRCode,DataMatrix`, { method: 'POST', body: multipart('image', await generatePng('with formats')) });
    expect(((await res.json()) as { texts: string[] }).texts).toEqual(['with formats']);
  });
});

describe('decode batch', () => {
  const sequenceDir = sharedPath('corpus/zxing-cpp/qrcode-7/');
  const parts = ['01-01.png', '01-02.png', '01-03.png', '01-04.png'];

  function form(files: { name: string; bytes: Uint8Array }[]): FormData {
    const body = new FormData();
    for (const f of files) body.append('image', new Blob([new Uint8Array(f.bytes)]), f.name);
    return body;
  }

  it('merges a structured-append message spread over four images, with a result per file', async () => {
    const { loadManifest } = await import('../../bench/corpus.js');
    const manifest = sharedPath('corpus/manifest.tsv');
    const expected = loadManifest(manifest).find((c) => c.path.endsWith('qrcode-7/01-01.png'))!.rows[0]!.expected;
    // Shuffled order and an unreadable extra file: the merge follows the symbols' own indices.
    const files = [...parts].reverse().map((name) => ({ name, bytes: new Uint8Array(readFileSync(sequenceDir + name)) }));
    files.push({ name: 'junk.png', bytes: new TextEncoder().encode('not an image') });
    const res = await fetch(`${base}/api/v1/decode/batch`, { method: 'POST', body: form(files) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { sequences: { text: string; parts: number }[]; results: { file: string; codes?: unknown[]; error?: { code: string } }[] };
    expect(body.sequences).toHaveLength(1);
    expect(body.sequences[0]!.parts).toBe(4);
    expect(body.sequences[0]!.text).toBe(expected);
    expect(body.results.map((r) => r.file)).toEqual([...files.map((f) => f.name)]);
    expect(body.results.slice(0, 4).every((r) => r.codes?.length === 1)).toBe(true);
    expect(body.results[4]!.error!.code).toBe('UNSUPPORTED_IMAGE');
  });

  it('does not merge an incomplete sequence, and refuses more than 16 files or none', async () => {
    const three = parts.slice(0, 3).map((name) => ({ name, bytes: new Uint8Array(readFileSync(sequenceDir + name)) }));
    const partial = (await (await fetch(`${base}/api/v1/decode/batch`, { method: 'POST', body: form(three) })).json()) as { sequences: unknown[]; texts: string[] };
    expect(partial.sequences).toEqual([]);
    expect(partial.texts).toHaveLength(3);
    const pixel = new Uint8Array(await onePixelPng());
    const tooMany = Array.from({ length: 17 }, (_, i) => ({ name: `${i}.png`, bytes: pixel }));
    const refused = await fetch(`${base}/api/v1/decode/batch`, { method: 'POST', body: form(tooMany) });
    expect(refused.status).toBe(413);
    expect(((await refused.json()) as { error: { code: string } }).error).toMatchObject({ code: 'TOO_MANY_FILES', details: { limit: 16 } });
    const none = await fetch(`${base}/api/v1/decode/batch`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: pixel });
    expect(none.status).toBe(415);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});

describe('bad input: a clear JSON error, and the server stays healthy', () => {
  const truncatedPng = async (): Promise<Uint8Array> => {
    const png = await generatePng('truncated png');
    return png.subarray(0, 60);
  };
  const json = (body: string): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const upload = (bytes: Uint8Array, name = 'x.png'): RequestInit => ({ method: 'POST', body: multipart('image', bytes, name) });

  const cases: Array<[string, () => Promise<[string, RequestInit | undefined]>, number, string]> = [
    ['malformed JSON', async () => ['/api/v1/generate', json('{"text":')], 400, 'INVALID_JSON'],
    ['missing text', async () => ['/api/v1/generate', json('{"ec":"H"}')], 400, 'MISSING_TEXT'],
    ['empty text', async () => ['/api/v1/generate', json('{"text":""}')], 400, 'MISSING_TEXT'],
    ['a JSON array body', async () => ['/api/v1/generate', json('[1,2]')], 400, 'INVALID_JSON'],
    ['ec=Z', async () => ['/api/v1/generate?text=a&ec=Z', undefined], 422, 'INVALID_OPTION'],
    ['size -1', async () => ['/api/v1/generate?text=a&size=-1', undefined], 422, 'INVALID_OPTION'],
    ['size 100000', async () => ['/api/v1/generate?text=a&size=100000', undefined], 422, 'INVALID_OPTION'],
    ['size smaller than the symbol', async () => ['/api/v1/generate?text=a&size=22', undefined], 422, 'SIZE_TOO_SMALL'],
    ['a bad colour', async () => ['/api/v1/generate', json('{"text":"a","dark":"#xyz"}')], 422, 'INVALID_OPTION'],
    ['a 3 KB text at level H', async () => ['/api/v1/generate', json(JSON.stringify({ text: 'x'.repeat(3000), ec: 'H' }))], 422, 'QR_DATA_TOO_LONG'],
    ['a generate body over 64 KB', async () => ['/api/v1/generate', json(JSON.stringify({ text: 'x'.repeat(70_000) }))], 413, 'BODY_TOO_LARGE'],
    ['a wrong content type on generate', async () => ['/api/v1/generate', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'a,b' }], 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a zero-byte upload', async () => ['/api/v1/decode', upload(new Uint8Array(0))], 400, 'EMPTY_IMAGE'],
    ['a text file named .png', async () => ['/api/v1/decode', upload(new TextEncoder().encode('this is not an image at all'))], 415, 'UNSUPPORTED_IMAGE'],
    ['a truncated PNG', async () => ['/api/v1/decode', upload(await truncatedPng())], 422, 'CORRUPT_IMAGE'],
    ['a truncated JPEG header', async () => ['/api/v1/decode', upload(new Uint8Array(photo.subarray(0, 200)), 'x.jpg')], 422, 'CORRUPT_IMAGE'],
    ['a 20000x20000 PNG bomb', async () => ['/api/v1/decode', upload(new Uint8Array(pngBomb(20000, 20000)))], 422, 'IMAGE_TOO_LARGE'],
    ['multipart without the image field', async () => ['/api/v1/decode', { method: 'POST', body: multipart('file', await generatePng('wrong field')) }], 400, 'MISSING_IMAGE'],
    ['a text/plain body on decode', async () => ['/api/v1/decode', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }], 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a raw body over 10 MB', async () => ['/api/v1/decode', { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(10 * 1024 * 1024 + 1) }], 413, 'BODY_TOO_LARGE'],
    ['a multipart file over 10 MB', async () => ['/api/v1/decode', upload(new Uint8Array(10 * 1024 * 1024 + 1))], 413, 'BODY_TOO_LARGE'],
    ['an unknown barcode format', async () => ['/api/v1/decode?formats=QRCode,Nope', upload(await generatePng('fmt'))], 422, 'INVALID_OPTION'],
  ];

  it.each(cases)('%s', async (_name, make, status, code) => {
    const [path, init] = await make();
    const res = await fetch(`${base}${path}`, init);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(10);
    // The service is still healthy and still decodes.
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(await decodeTexts(new Uint8Array(photo))).toEqual(['https://example.com']);
  });

  it('a 1x1 image is read (nothing found), not refused', async () => {
    const res = await fetch(`${base}/api/v1/decode`, upload(new Uint8Array(await onePixelPng())));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ texts: [], width: 1, height: 1 });
  });

  it('a truncated JPEG that still shows the code is read and flagged as damaged', async () => {
    const res = await fetch(`${base}/api/v1/decode`, upload(new Uint8Array(photo.subarray(0, Math.floor(photo.length * 0.9))), 'half.jpg'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ damaged: true });
  });
});
