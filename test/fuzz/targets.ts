/**
 * What the fuzzer throws, as fast-check arbitraries of requests: the decode path (single, multipart,
 * batch), the ID-photo path (single, batch), generate with random option values and texts, the jobs
 * submit route, broken multipart bodies on every route that reads one, and the HTTP layer (methods,
 * paths, non-UTF-8 query strings, huge and many headers). `raw` cases are bytes no HTTP client would
 * send (bad request lines, conflicting lengths, control bytes): they go over a socket only.
 */
import fc from 'fast-check';
import { GENERATE_OPTION_SPECS } from '../../src/qr/options.js';
import { IDPHOTO_OPTION_SPECS } from '../../src/idphoto/options.js';
import type { Corpus } from './corpus.js';
import { LIVE_ROLES, type KeyRole } from './keys.js';
import { mutantOf, type Mutant } from './mutate.js';

export const TARGETS = ['decode', 'decode-batch', 'idphoto', 'idphoto-batch', 'generate', 'generate-batch', 'jobs', 'multipart', 'http', 'raw', 'auth'] as const;
export type Target = (typeof TARGETS)[number];

export interface FuzzCase {
  readonly target: Target;
  /** What was thrown, in a line: the seed and its mutations, or the breakage. */
  readonly what: string;
  readonly method: string;
  /** Path and query, ASCII (non-UTF-8 bytes percent-encoded). */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** The whole request as bytes on the wire; such a case runs over a socket only. */
  readonly raw?: Buffer;
  /** The statuses a correct service may answer (designed 503 refusals aside); any other is a finding. Absent: anything but a 5xx. */
  readonly expect?: readonly number[];
}

/** Query strings that are not UTF-8 once decoded, or not valid percent-encoding at all. */
export const HOSTILE_QUERY_VALUES = ['%ff%fe', '%c0%af', '%e2%82', '%ed%a0%80', '%00', '%zz', '%', '%%41', '%f0%9f%98', '\u00e9'.normalize('NFD').replace(/[^\x20-\x7e]/g, '%cc%81')];

const anything: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.nat(), { maxKeys: 2 }),
);

/** A value as a form field or query value would carry it (objects as JSON: some have no prototype to print them). */
const asText = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

const queryValue = fc.oneof({ arbitrary: fc.string({ maxLength: 24 }).map(encodeURIComponent), weight: 3 }, { arbitrary: fc.constantFrom(...HOSTILE_QUERY_VALUES), weight: 2 });

/** A query string of these options (values valid or not) and maybe a stray one. */
function queryOf(values: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  return fc.tuple(values, fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), queryValue), { nil: undefined })).map(([o, stray]) => {
    const pairs = Object.entries(o).map(([k, v]) => `${encodeURIComponent(k)}=${typeof v === 'string' && /^%|%$/.test(v) ? v : encodeURIComponent(asText(v))}`);
    if (stray) pairs.push(`${encodeURIComponent(stray[0])}=${stray[1]}`);
    return pairs.length ? `?${pairs.join('&')}` : '';
  });
}

/** A value for a generate option: valid (biased to cheap sizes), out of range, or of another type. */
function generateOptionValue(name: keyof typeof GENERATE_OPTION_SPECS): fc.Arbitrary<unknown> {
  const spec = GENERATE_OPTION_SPECS[name];
  const wrong = fc.oneof(anything, fc.constantFrom(...HOSTILE_QUERY_VALUES));
  if (spec.type === 'enum')
    return fc.oneof({ arbitrary: fc.constantFrom(...(spec.values as readonly string[])), weight: 4 }, { arbitrary: fc.constantFrom('h', 'Q ', 'SVG', ''), weight: 1 }, { arbitrary: wrong, weight: 1 });
  if (spec.type === 'integer') {
    const cheapMax = name === 'size' ? 600 : name === 'scale' ? 12 : spec.max;
    return fc.oneof(
      { arbitrary: fc.integer({ min: spec.min, max: Math.max(spec.min, cheapMax) }), weight: 5 },
      { arbitrary: fc.integer({ min: spec.min, max: spec.max }), weight: 1 },
      { arbitrary: fc.constantFrom(spec.min - 1, spec.max + 1, -1, 2 ** 31, 2 ** 53 + 1, 1.5, '1e400', 'NaN', '0x10', ' 7'), weight: 2 },
      { arbitrary: wrong, weight: 1 },
    );
  }
  return fc.oneof(
    { arbitrary: fc.constantFrom('#000', '#ffff', '#12345678', '#a0b0c0', 'transparent'), weight: 3 },
    { arbitrary: fc.constantFrom('#', '#ggg', '#1234567', 'red', 'rgb(0,0,0)', '#' + 'f'.repeat(4000)), weight: 2 },
    { arbitrary: wrong, weight: 1 },
  );
}

const generateOptions: fc.Arbitrary<Record<string, unknown>> = fc.record(
  Object.fromEntries(Object.keys(GENERATE_OPTION_SPECS).map((name) => [name, generateOptionValue(name as keyof typeof GENERATE_OPTION_SPECS)])) as Record<string, fc.Arbitrary<unknown>>,
  { requiredKeys: [] },
);

const generateText: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.string({ maxLength: 80 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 120 }), weight: 2 },
  { arbitrary: fc.constantFrom('', ' ', '\u0000', '\ud800', 'A'.repeat(3000), '\u6f22'.repeat(1000), '1'.repeat(7089), '1'.repeat(7090)), weight: 1 },
  { arbitrary: anything, weight: 1 },
);

/** A JSON body that is sometimes not JSON, not an object, or hostile to the parser. */
function jsonBody(value: unknown): fc.Arbitrary<{ body: string; what: string }> {
  const json = JSON.stringify(value);
  return fc.oneof(
    { arbitrary: fc.constant({ body: json, what: 'json' }), weight: 8 },
    { arbitrary: fc.nat(json.length).map((n) => ({ body: json.slice(0, n), what: 'truncated json' })), weight: 1 },
    {
      arbitrary: fc.constantFrom(
        { body: '['.repeat(20000), what: 'deep nesting' },
        { body: `{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"text":"p"}`, what: 'prototype keys' },
        { body: `{"text":"a","text":"b"}`, what: 'duplicate keys' },
        { body: `"just a string"`, what: 'json string' },
        { body: `{"text":"${'\\u0000'.repeat(100)}"}`, what: 'NUL text' },
        { body: `{"text":"\\ud800\\udbff"}`, what: 'lone surrogates' },
        { body: `{"text": 1e999999}`, what: 'huge number' },
      ),
      weight: 1,
    },
  );
}

const generateCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  fc
    .tuple(
      generateOptions,
      generateText,
      fc.constantFrom('/api/v1/generate', '/generate'),
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded'),
    )
    .chain(([options, text, path, type]) =>
      jsonBody(text === undefined ? options : { ...options, text }).map(({ body, what }) => ({
        target: 'generate' as const,
        what: `POST ${path} ${what} (${type}) ${body.slice(0, 160)}`,
        method: 'POST',
        url: path,
        headers: { 'content-type': type },
        body: Buffer.from(body),
      })),
    ),
  fc.tuple(queryOf(fc.tuple(generateOptions, fc.option(fc.string({ maxLength: 60 }), { nil: undefined })).map(([o, text]) => (text === undefined ? o : { ...o, text })))).map(([query]) => ({
    target: 'generate' as const,
    what: `GET /api/v1/generate${query.slice(0, 200)}`,
    method: 'GET',
    url: `/api/v1/generate${query}`,
    headers: {},
  })),
);

/** CSV, NDJSON or JSON rows (a few, so that a valid batch stays cheap), or bytes that are none of them. */
const generateBatchCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.array(
      fc.record({
        text: generateText,
        filename: fc.option(fc.constantFrom('a.png', '../../x', 'CON', 'x'.repeat(300), 'a/b\\c'), { nil: undefined }),
        ec: generateOptionValue('ec'),
        size: generateOptionValue('size'),
      }),
      { maxLength: 6 },
    ),
    fc.constantFrom('text/csv', 'application/x-ndjson', 'application/json', 'application/octet-stream'),
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 6 }, { arbitrary: fc.uint8Array({ maxLength: 2000 }), weight: 1 }),
  )
  .map(([rows, type, garbage]) => {
    const csvCell = (v: unknown) => `"${asText(v ?? '').replace(/"/g, '""')}"`;
    const text =
      type === 'text/csv'
        ? ['text,filename,ec,size', ...rows.map((r) => [r.text, r.filename, r.ec, r.size].map(csvCell).join(','))].join('\n')
        : type === 'application/json'
          ? JSON.stringify(rows)
          : rows.map((r) => JSON.stringify(r)).join('\n');
    const body = garbage ? Buffer.from(garbage) : Buffer.from(text);
    return {
      target: 'generate-batch' as const,
      what: `${rows.length} rows as ${type}${garbage ? ' (garbage bytes)' : ''}`,
      method: 'POST',
      url: '/api/v1/batch/generate',
      headers: { 'content-type': type },
      body,
    };
  });

export interface MultipartPart {
  readonly name: string;
  readonly filename?: string;
  readonly type?: string;
  readonly body: Buffer;
}

/** A multipart/form-data body, well formed (or unterminated). */
export function multipartBody(parts: readonly MultipartPart[], boundary: string, terminated = true): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`), p.body, Buffer.from('\r\n'));
  }
  if (terminated) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const BOUNDARY = 'fuzzboundary7MA4YWxkTrZu0gW';
const multipartHeaders = (boundary = BOUNDARY) => ({ 'content-type': `multipart/form-data; boundary=${boundary}` });

const imageType = fc.constantFrom('image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/tiff', 'application/octet-stream', 'image/x-unknown', 'image/svg+xml');
const formats = fc.constantFrom(undefined, 'qr_code', 'QRCode,EAN-13', 'all', 'nonsense', '', ','.repeat(300));

function decodeCases(corpus: Corpus): fc.Arbitrary<FuzzCase> {
  const image = mutantOf(corpus.images);
  const withFormats = (path: string, f: string | undefined) => (f === undefined ? path : `${path}?formats=${encodeURIComponent(f)}`);
  return fc.oneof(
    fc.tuple(image, imageType, formats, fc.constantFrom('/api/v1/decode', '/decode')).map(([m, type, f, path]) => ({
      target: 'decode' as const,
      what: `raw ${type}: ${m.label}`,
      method: 'POST',
      url: withFormats(path, f),
      headers: { 'content-type': type },
      body: m.bytes,
    })),
    fc.tuple(fc.array(image, { minLength: 1, maxLength: 3 }), formats, fc.constantFrom('/api/v1/decode', '/api/v1/decode/batch', '/decode')).map(([ms, f, path]) => ({
      target: 'decode' as const,
      what: `multipart x${ms.length} to ${path}: ${ms.map((m) => m.label).join(' | ')}`,
      method: 'POST',
      url: path,
      headers: multipartHeaders(),
      body: multipartBody(
        [...(f === undefined ? [] : [{ name: 'formats', body: Buffer.from(f) }]), ...ms.map((m, i) => ({ name: 'image', filename: `f${i}.png`, type: 'image/png', body: m.bytes }))],
        BOUNDARY,
      ),
    })),
  );
}

function batchBody(target: 'decode-batch' | 'idphoto-batch', path: string, archive: fc.Arbitrary<Mutant>, images: fc.Arbitrary<Mutant>): fc.Arbitrary<FuzzCase> {
  return fc.oneof(
    fc.tuple(archive, fc.constantFrom('application/zip', 'application/x-zip-compressed'), fc.boolean()).map(([m, type, csv]) => ({
      target,
      what: `raw ${type}: ${m.label}`,
      method: 'POST',
      url: path,
      headers: { 'content-type': type, ...(csv && { accept: 'text/csv' }) },
      body: m.bytes,
    })),
    fc.tuple(fc.array(fc.oneof(images, archive), { minLength: 1, maxLength: 3 }), fc.constantFrom('image', 'images', 'file', 'other')).map(([ms, field]) => ({
      target,
      what: `multipart x${ms.length} in "${field}": ${ms.map((m) => m.label).join(' | ')}`,
      method: 'POST',
      url: path,
      headers: multipartHeaders(),
      body: multipartBody(
        ms.map((m, i) => ({ name: field, filename: `f${i}`, type: 'application/octet-stream', body: m.bytes })),
        BOUNDARY,
      ),
    })),
  );
}

/** ID-photo options as strings, valid or not; the engine stays the default (another may be installed and slow). */
const idphotoOptions: fc.Arbitrary<Record<string, unknown>> = fc.record(
  Object.fromEntries(
    IDPHOTO_OPTION_SPECS.filter((s) => s.name !== 'engine').map((s) => {
      const valid =
        s.type === 'enum'
          ? fc.constantFrom(...(s.values ?? []))
          : s.type === 'number'
            ? fc.integer({ min: s.min ?? 0, max: Math.min(s.max ?? 100, s.name === 'dpi' ? 400 : (s.max ?? 100)) })
            : s.type === 'boolean'
              ? fc.constantFrom('true', 'false', '1', 'yes')
              : fc.constantFrom('cn-1inch', 'us-passport', 'custom', '4x6in', 'nope', '');
      return [s.name, fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: fc.oneof(anything, fc.constantFrom(...HOSTILE_QUERY_VALUES)), weight: 1 })];
    }),
  ),
  { requiredKeys: [] },
);

function idphotoCases(corpus: Corpus): fc.Arbitrary<FuzzCase> {
  const picture = mutantOf([...corpus.portraits, ...corpus.images.slice(-12)], { pristine: 3 });
  return fc.oneof(
    fc.tuple(picture, imageType, queryOf(idphotoOptions), fc.constantFrom('/api/v1/idphoto', '/api/v1/idphoto/crop', '/api/v1/idphoto/matte'), fc.boolean()).map(([m, type, query, path, json]) => ({
      target: 'idphoto' as const,
      what: `raw ${type} to ${path}${query.slice(0, 160)}: ${m.label}`,
      method: 'POST',
      url: `${path}${query}`,
      headers: { 'content-type': type, ...(json && { accept: 'application/json' }) },
      body: m.bytes,
    })),
    fc.tuple(picture, idphotoOptions, fc.constantFrom('/api/v1/idphoto', '/api/v1/idphoto/sheet')).map(([m, options, path]) => ({
      target: 'idphoto' as const,
      what: `multipart to ${path} ${JSON.stringify(options).slice(0, 160)}: ${m.label}`,
      method: 'POST',
      url: path,
      headers: multipartHeaders(),
      body: multipartBody(
        [
          ...Object.entries(options).map(([k, v]) => ({ name: k, body: Buffer.from(asText(v)) })),
          { name: path.endsWith('sheet') ? 'photo' : 'image', filename: 'p.jpg', type: 'image/jpeg', body: m.bytes },
        ],
        BOUNDARY,
      ),
    })),
  );
}

function jobsCases(corpus: Corpus): fc.Arbitrary<FuzzCase> {
  const type = fc.constantFrom('generate', 'decode', 'idphoto', 'nope', '', '%ff');
  const body = fc.oneof(
    mutantOf(corpus.archives).map((m) => ({ what: m.label, type: 'application/zip', bytes: m.bytes })),
    generateBatchCase.map((c) => ({ what: c.what, type: c.headers['content-type']!, bytes: c.body! })),
    mutantOf(corpus.images).map((m) => ({
      what: `multipart: ${m.label}`,
      type: multipartHeaders()['content-type'],
      bytes: multipartBody([{ name: 'file', filename: 'x.png', body: m.bytes }], BOUNDARY),
    })),
    fc.uint8Array({ maxLength: 4096 }).map((b) => ({ what: `${b.length} random bytes`, type: 'application/octet-stream', bytes: Buffer.from(b) })),
  );
  const callback = fc.constantFrom(undefined, 'http://127.0.0.1:1/x', 'file:///etc/passwd', 'javascript:alert(1)', 'http://[::1', '%ff');
  return fc.tuple(type, body, callback).map(([t, b, cb]) => ({
    target: 'jobs' as const,
    what: `type=${t}${cb === undefined ? '' : ` callback=${cb}`}: ${b.what}`,
    method: 'POST',
    url: `/api/v1/jobs?type=${t}${cb === undefined ? '' : `&callback=${encodeURIComponent(cb)}`}`,
    headers: { 'content-type': b.type },
    body: b.bytes,
  }));
}

/** Routes that read multipart bodies. */
const MULTIPART_ROUTES = ['/api/v1/decode', '/api/v1/decode/batch', '/decode', '/api/v1/batch/decode', '/api/v1/idphoto', '/api/v1/idphoto/sheet', '/api/v1/batch/idphoto', '/api/v1/jobs?type=decode'];

/** Multipart bodies broken in the ways parsers trip over. */
function brokenMultipart(corpus: Corpus): fc.Arbitrary<FuzzCase> {
  const image = corpus.images[0]!.bytes;
  const file = (name = 'image') => ({ name, filename: 'x.png', type: 'image/png', body: image });
  const variants: Record<string, () => { type: string; body: Buffer }> = {
    'no boundary parameter': () => ({ type: 'multipart/form-data', body: multipartBody([file()], BOUNDARY) }),
    'boundary mismatch': () => ({ type: 'multipart/form-data; boundary=other', body: multipartBody([file()], BOUNDARY) }),
    unterminated: () => ({ type: multipartHeaders()['content-type'], body: multipartBody([file()], BOUNDARY, false) }),
    'cut inside the file': () => ({ type: multipartHeaders()['content-type'], body: multipartBody([file()], BOUNDARY).subarray(0, 200) }),
    'huge part header (200 KB filename)': () => ({ type: multipartHeaders()['content-type'], body: multipartBody([{ ...file(), filename: 'x'.repeat(200_000) }], BOUNDARY) }),
    '3000 fields': () => ({
      type: multipartHeaders()['content-type'],
      body: multipartBody([...Array.from({ length: 3000 }, (_, i) => ({ name: `f${i}`, body: Buffer.from('v') })), file()], BOUNDARY),
    }),
    '300 files': () => ({
      type: multipartHeaders()['content-type'],
      body: multipartBody(
        Array.from({ length: 300 }, () => ({ ...file(), body: Buffer.from('x') })),
        BOUNDARY,
      ),
    }),
    'no content-disposition': () => ({
      type: multipartHeaders()['content-type'],
      body: Buffer.from(`--${BOUNDARY}\r\nContent-Type: image/png\r\n\r\n${image.toString('latin1')}\r\n--${BOUNDARY}--\r\n`, 'latin1'),
    }),
    'header without blank line': () => ({
      type: multipartHeaders()['content-type'],
      body: Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="a"\r\n${'x'.repeat(100)}`),
    }),
    'boundary of 5000 chars': () => ({ type: multipartHeaders('b'.repeat(5000))['content-type'], body: multipartBody([file()], 'b'.repeat(5000)) }),
    'empty body': () => ({ type: multipartHeaders()['content-type'], body: Buffer.alloc(0) }),
    'only the closing boundary': () => ({ type: multipartHeaders()['content-type'], body: Buffer.from(`--${BOUNDARY}--\r\n`) }),
    'field value of 1 MB': () => ({ type: multipartHeaders()['content-type'], body: multipartBody([{ name: 'formats', body: Buffer.alloc(1 << 20, 0x41) }, file()], BOUNDARY) }),
    'non-UTF-8 names': () => ({
      type: multipartHeaders()['content-type'],
      body: multipartBody(
        [
          { ...file(), filename: '\xff\xfe.png' },
          { name: '\xc0\xaf', body: Buffer.from([0xff, 0xfe]) },
        ],
        BOUNDARY,
      ),
    }),
    'multipart/mixed inside': () => ({
      type: multipartHeaders()['content-type'],
      body: multipartBody([{ name: 'image', type: 'multipart/mixed; boundary=inner', body: multipartBody([file()], 'inner') }], BOUNDARY),
    }),
    'quoted boundary with spaces': () => ({ type: 'multipart/form-data; boundary="a b c"', body: multipartBody([file()], 'a b c') }),
    'charset and duplicate boundary parameters': () => ({ type: `multipart/form-data; charset=utf-7; boundary=x; boundary=${BOUNDARY}`, body: multipartBody([file()], BOUNDARY) }),
  };
  return fc
    .tuple(fc.constantFrom(...Object.keys(variants)), fc.constantFrom(...MULTIPART_ROUTES), fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })), { nil: undefined }))
    .map(([name, route, damage]) => {
      const { type, body } = variants[name]!();
      // Sometimes a few bytes overwritten as well, anywhere in the body.
      const damaged = damage && body.length > 0 ? Buffer.concat([body.subarray(0, damage[0] % body.length), damage[1], body.subarray((damage[0] % body.length) + damage[1].length)]) : body;
      return { target: 'multipart' as const, what: `${name}${damage ? ' (damaged)' : ''} to ${route}`, method: 'POST', url: route, headers: { 'content-type': type }, body: damaged };
    });
}

const KNOWN_PATHS = [
  '/health',
  '/ready',
  '/metrics',
  '/docs',
  '/docs/json',
  '/api/v1/generate',
  '/api/v1/decode',
  '/api/v1/idphoto/specs',
  '/api/v1/jobs/00000000-0000-0000-0000-000000000000',
  '/api/v1/jobs/x/result',
  '/api/v1/jobs/' + 'a'.repeat(200),
  '/',
  '/index.html',
  '/assets/../../package.json',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/api/v1/%00',
  '//api//v1//generate',
];

/** The HTTP layer: any method on any path, hostile query strings, huge and many headers, odd content types. */
const httpCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    fc.oneof(
      fc.constantFrom(...KNOWN_PATHS),
      fc.array(fc.string({ maxLength: 12 }).map(encodeURIComponent), { maxLength: 5 }).map((s) => `/${s.join('/')}`),
      fc.constant(`/${'a'.repeat(8000)}`),
    ),
    fc.array(fc.tuple(fc.constantFrom('text', 'formats', 'size', 'type', 'a', '%ff'), queryValue), { maxLength: 4 }),
    fc.oneof(
      fc.constant({}),
      fc.constant({ 'x-huge': 'h'.repeat(12_000) }),
      fc.constant(Object.fromEntries(Array.from({ length: 90 }, (_, i) => [`x-many-${i}`, String(i)]))),
      fc.record({
        'content-type': fc.constantFrom('application/json', 'image/png', 'multipart/form-data', 'text/csv', 'application/zip', 'x/y', ';;;', 'image/png; charset=\u0000'.replace('\u0000', '%00')),
      }),
      fc.record({ accept: fc.constantFrom('application/json', 'text/csv', '*/*;q=abc', 'x'.repeat(2000)), 'accept-encoding': fc.constantFrom('gzip', 'br, zstd', 'x'.repeat(500)) }),
      fc.record({ 'if-none-match': fc.constantFrom('*', 'W/"x"', '"' + 'x'.repeat(4000) + '"', ',,,,') }),
      fc.record({ 'x-request-id': fc.constantFrom('', 'x'.repeat(5000), '../../../etc', '%ff') }),
    ),
    fc.option(fc.uint8Array({ maxLength: 4096 }), { nil: undefined }),
  )
  .map(([method, path, query, headers, body]) => {
    const url = `${path}${query.length ? '?' + query.map(([k, v]) => `${k}=${v}`).join('&') : ''}`;
    const sendsBody = body !== undefined && method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
    return {
      target: 'http' as const,
      what: `${method} ${url.slice(0, 160)} headers=${Object.keys(headers).slice(0, 3).join(',')}${sendsBody ? ` body=${body.length} B` : ''}`,
      method,
      url,
      headers: headers as Record<string, string>,
      ...(sendsBody && { body: Buffer.from(body) }),
    };
  });

/** Requests no HTTP client would send: the server's parser meets them directly. */
const RAW_REQUESTS: Readonly<Record<string, string>> = {
  'non-UTF-8 bytes in the path': 'GET /api/v1/generate?text=\xff\xfe\xc0\xaf HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'control byte in the method': 'G\x00ET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'header of 40 KB': `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(40_000)}\r\nConnection: close\r\n\r\n`,
  '2000 headers': `GET /health HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\nConnection: close\r\n\r\n`,
  'Content-Length and Transfer-Encoding': 'POST /api/v1/decode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
  'bad chunk size': 'POST /api/v1/decode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
  'chunk size overflow': 'POST /api/v1/decode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nffffffffffffffffff\r\nabc\r\n0\r\n\r\n',
  'negative Content-Length': 'POST /api/v1/decode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: -1\r\nConnection: close\r\n\r\n',
  'Content-Length of 20 digits': 'POST /api/v1/decode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 99999999999999999999\r\nConnection: close\r\n\r\n',
  'two Content-Lengths': 'POST /api/v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\nContent-Length: 13\r\nConnection: close\r\n\r\n{"text":"a"}',
  'HTTP/0.9': 'GET /health\r\n\r\n',
  'HTTP/9.9': 'GET /health HTTP/9.9\r\nHost: x\r\n\r\n',
  'absolute-form URL': 'GET http://evil.example/api/v1/generate?text=a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'header without a colon': 'GET /health HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n',
  'obsolete line folding': 'GET /health HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n',
  'NUL in a header value': 'GET /health HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\nConnection: close\r\n\r\n',
  'bare LF line ends': 'GET /health HTTP/1.1\nHost: x\nConnection: close\n\n',
  'no Host': 'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n',
  'pipelined, the second broken': 'GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'Expect: 100-continue': 'POST /api/v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{"text":"a"}',
  'Expect: something else': 'POST /api/v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 999-nope\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{"text":"a"}',
  'URL of 100 KB': `GET /api/v1/generate?text=${'u'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  'gzip-encoded body that is not gzip':
    'POST /api/v1/generate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{"text":"a"}',
  'Upgrade: websocket': 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
  CONNECT: 'CONNECT 127.0.0.1:6379 HTTP/1.1\r\nHost: 127.0.0.1:6379\r\n\r\n',
};

const rawCase: fc.Arbitrary<FuzzCase> = fc.tuple(fc.constantFrom(...Object.keys(RAW_REQUESTS)), fc.option(fc.tuple(fc.nat(), fc.nat(7)), { nil: undefined })).map(([name, flip]) => {
  const raw = Buffer.from(RAW_REQUESTS[name]!, 'latin1');
  // Sometimes one bit flipped inside the request line or headers as well.
  if (flip) raw[flip[0] % Math.min(raw.length, 200)]! ^= 1 << flip[1];
  return { target: 'raw' as const, what: `${name}${flip ? ` (bit ${flip[1]} flipped @${flip[0] % Math.min(raw.length, 200)})` : ''}`, method: 'RAW', url: '', headers: {}, raw };
});

/**
 * API keys (AUTH_MODE=optional, the keys of keys.ts, named by placeholders): no key, each role's key in
 * either header, revoked, unknown and malformed keys, both headers at once, on the QR routes, a probe,
 * usage and the admin routes (hostile bodies to create a key, odd names to revoke). Each case carries
 * the statuses the design (docs/design/accounts.md) lets the service answer, so that a key that works
 * where it must not, or fails where it must work, is a finding as much as a 5xx is.
 */

/** Who a request is, as the design reads its headers; 'unclear' where the design does not settle it. */
type Caller = KeyRole | 'anonymous' | 'invalid' | 'unclear';

interface Credential {
  readonly what: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly as: Caller;
}

const BASE64URL = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
const base64url = (length: number) => fc.string({ unit: fc.constantFrom(...BASE64URL), minLength: length, maxLength: length });
const keyOf = (role: KeyRole) => `{{key:${role}}}`;
const ROLES: readonly KeyRole[] = [...LIVE_ROLES, 'revoked'];

/** A value in X-API-Key or after a Bearer scheme written in any case, with any blank after it. */
function inEitherHeader(value: string): fc.Arbitrary<{ how: string; headers: Record<string, string> }> {
  return fc.oneof(
    fc.constant({ how: 'X-API-Key', headers: { 'x-api-key': value } }),
    fc.constantFrom('Bearer ', 'bearer ', 'BEARER ', 'Bearer   ', 'Bearer\t').map((scheme) => ({ how: `Authorization ${JSON.stringify(scheme)}`, headers: { authorization: `${scheme}${value}` } })),
  );
}

/** Keys that cannot be one (the design: 401 INVALID_API_KEY). Bytes over 0x7f go on the wire as such (latin1). */
const MALFORMED_KEYS: Readonly<Record<string, string>> = {
  'a 10 KB key': 'qrw_' + 'A'.repeat(10_240),
  '10 KB without the prefix': 'k'.repeat(10_240),
  'a short key': 'qrw_short',
  'a real key and one character more': `${keyOf('normal')}x`,
  'a key one character short': 'qrw_' + 'A'.repeat(42),
  'another prefix': 'qrx_' + 'A'.repeat(43),
  'non-UTF-8 bytes': 'qrw_\xff\xfe\x80' + 'A'.repeat(40),
  'UTF-8 bytes of an accented letter': 'qrw_\xc3\xa9' + 'A'.repeat(41),
  'CJK characters': 'qrw_' + '\u6f22'.repeat(43),
  'percent-encoding': 'qrw_%41%41' + 'A'.repeat(37),
  'a quote and a comma': 'qrw_",' + 'A'.repeat(41),
};

/** Headers the design does not settle (a scheme with no token, an empty header: no key, or a malformed one?): anything but a 5xx. */
const UNCLEAR_CREDENTIALS: Readonly<Record<string, Record<string, string>>> = {
  'Authorization "Bearer" with no token': { authorization: 'Bearer' },
  'Authorization "Bearer " with no token': { authorization: 'Bearer ' },
  'an empty X-API-Key': { 'x-api-key': '' },
  'a blank X-API-Key': { 'x-api-key': '   ' },
  'Basic credentials': { authorization: 'Basic ZnV6ejpmdXp6' },
  'a real key under another scheme': { authorization: `Token ${keyOf('normal')}` },
  'a Bearer token with a blank inside': { authorization: 'Bearer qrw_AAAA AAAA' },
  'a real key after a first token': { authorization: `Bearer x ${keyOf('normal')}` },
};

/** Both headers: agreeing on a live key, both invalid, or disagreeing (which wins is not the design's to say). */
const bothHeaders: fc.Arbitrary<Credential> = fc
  .tuple(fc.oneof(fc.constantFrom(...ROLES), fc.constant('unknown' as const)), fc.oneof(fc.constantFrom(...ROLES), fc.constant('unknown' as const)))
  .map(([bearer, header]) => {
    const value = (side: KeyRole | 'unknown') => (side === 'unknown' ? 'qrw_' + 'U'.repeat(43) : keyOf(side));
    const bad = (side: KeyRole | 'unknown') => side === 'unknown' || side === 'revoked';
    // Both bad is 401 whichever is read; the same live key in both is that key.
    const as: Caller = bad(bearer) && bad(header) ? 'invalid' : bearer === header ? (bearer as KeyRole) : 'unclear';
    return { what: `Bearer ${bearer} key and X-API-Key ${header} key`, headers: { authorization: `Bearer ${value(bearer)}`, 'x-api-key': value(header) }, as };
  });

const credential: fc.Arbitrary<Credential> = fc.oneof(
  { arbitrary: fc.constant({ what: 'no key', headers: {}, as: 'anonymous' as const }), weight: 2 },
  {
    arbitrary: fc
      .constantFrom(...ROLES)
      .chain((role) => inEitherHeader(keyOf(role)).map((h) => ({ what: `${role} key in ${h.how}`, headers: h.headers, as: role === 'revoked' ? ('invalid' as const) : role }))),
    weight: 5,
  },
  { arbitrary: base64url(43).chain((rest) => inEitherHeader(`qrw_${rest}`).map((h) => ({ what: `an unknown well-formed key in ${h.how}`, headers: h.headers, as: 'invalid' as const }))), weight: 1 },
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...LIVE_ROLES), base64url(35))
      .chain(([role, rest]) => inEitherHeader(`qrw_{{id:${role}}}${rest}`).map((h) => ({ what: `the ${role} key's id with another secret in ${h.how}`, headers: h.headers, as: 'invalid' as const }))),
    weight: 1,
  },
  {
    arbitrary: fc
      .constantFrom(...Object.keys(MALFORMED_KEYS))
      .chain((name) => inEitherHeader(MALFORMED_KEYS[name]!).map((h) => ({ what: `${name} in ${h.how}`, headers: h.headers, as: 'invalid' as const }))),
    weight: 2,
  },
  { arbitrary: fc.constantFrom(...Object.keys(UNCLEAR_CREDENTIALS)).map((what) => ({ what, headers: UNCLEAR_CREDENTIALS[what]!, as: 'unclear' as const })), weight: 1 },
  { arbitrary: bothHeaders, weight: 1 },
);

/** The statuses each caller may get on a route; a key with a rate or a quota may get 429 as well. */
interface Expected {
  readonly anonymous: readonly number[];
  readonly key: (role: Exclude<KeyRole, 'revoked'>) => readonly number[];
}

function expected(as: Caller, e: Expected): readonly number[] | undefined {
  if (as === 'unclear') return undefined;
  if (as === 'invalid' || as === 'revoked') return [401];
  if (as === 'anonymous') return e.anonymous;
  const statuses = e.key(as);
  return as === 'limited' || as === 'spent' ? [...statuses, 429] : statuses;
}

interface AuthRoute {
  readonly what: string;
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** The statuses each caller may get; a function of nothing where the route answers the same whoever asks. */
  readonly expect: (as: Caller) => readonly number[] | undefined;
}

const keyed = (e: Expected) => (as: Caller) => expected(as, e);
const whoever = (statuses: readonly number[]) => () => statuses;

/** Names for a key to create: some free, some taken, most invalid (1 to 64 letters, digits, dots, dashes, underscores). */
const keyName: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'fz-a',
      'fz-b',
      'fz-c',
      'fuzz-normal',
      'fuzz-revoked',
      '',
      ' ',
      '-lead',
      'a'.repeat(64),
      'a'.repeat(65),
      '../../etc',
      'n\u00e4me',
      'x y',
      'a\u0000b',
      '__proto__',
      'x'.repeat(20_000),
    ),
    weight: 3,
  },
  { arbitrary: fc.string({ maxLength: 70 }), weight: 2 },
  { arbitrary: anything, weight: 1 },
);

/** Rates and quotas, valid or not: out of range, unsafe integers, unknown windows, the wrong window, the wrong type. */
const limitList: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      ['2/s'],
      ['50/min'],
      ['1/day'],
      ['9/month'],
      ['0/s'],
      ['-1/s'],
      ['1.5/s'],
      ['1e3/s'],
      ['99999999999999999999/day'],
      ['9007199254740991/month'],
      ['9007199254740992/day'],
      ['5/s', '6/s'],
      ['1/fortnight'],
      [' 7 / S '],
      [''],
      ['/'],
      [null],
      'x',
      ['9'.repeat(5000) + '/s'],
    ),
    weight: 3,
  },
  { arbitrary: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }), weight: 1 },
  { arbitrary: anything, weight: 1 },
);

/** A body that could create a key: a name from a few (so that some are taken), valid tools, rates and quotas. */
const plausibleCreateBody: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    name: fc.constantFrom('fz-a', 'fz-b', 'fz-c', 'fz-d', 'fuzz-normal'),
    admin: fc.boolean(),
    tools: fc.constantFrom(['qr'], ['idphoto'], ['qr', 'idphoto']),
    rate: fc.constantFrom(['2/s'], ['50/min'], ['1/second', '9007199254740991/minute']),
    quota: fc.constantFrom(['1/day'], ['9/month'], ['9007199254740991/month']),
  },
  { requiredKeys: ['name'] },
);

const hostileCreateBody: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        name: keyName,
        admin: fc.oneof(fc.boolean(), anything),
        tools: fc.oneof(fc.constantFrom(['qr'], ['idphoto'], ['qr', 'idphoto'], [], ['nope'], 'qr', [' QR '], Array<string>(1000).fill('qr')), anything),
        rate: limitList,
        quota: limitList,
      },
      { requiredKeys: [] },
    ),
    // Fields a client must not set: the record's own.
    fc.option(
      fc.constantFrom({ hash: '0'.repeat(64) }, { id: 'AAAAAAAA' }, { key: 'qrw_' + 'A'.repeat(43) }, { revokedAt: '2020-01-01T00:00:00Z' }, { limits: { second: 1 } }, { createdAt: 'never' }),
      { nil: undefined },
    ),
  )
  .map(([body, extra]) => ({ ...body, ...extra }));

/** Names to revoke: never a live key of the run's (a revoked one breaks every later expectation of its role, which the fuzzer would report). */
const REVOKE_NAMES: Readonly<Record<string, readonly number[] | undefined>> = {
  nobody: undefined,
  'fz-a': undefined,
  'fz-b': undefined,
  'fuzz-revoked': undefined,
  // Not the live key of that name: a store that cut the name at a NUL or a blank would revoke it, and its cases would fail after.
  'fuzz-normal%00': undefined,
  'fuzz-normal%20': undefined,
  'fuzz-normal%2f': undefined,
  '%2e%2e%2f%2e%2e': undefined,
  ['x'.repeat(100)]: undefined,
  // Refused before a route is found, whoever asks.
  ['x'.repeat(101)]: [414],
  '%ff%fe': [400],
  '%c0%af': [400],
};

const authRoute: fc.Arbitrary<AuthRoute> = fc.oneof(
  {
    arbitrary: fc.constantFrom<AuthRoute>(
      {
        what: 'GET generate',
        method: 'GET',
        url: '/api/v1/generate?text=fuzz&format=svg',
        expect: keyed({ anonymous: [200], key: (role) => (role === 'idphotoOnly' ? [403] : [200]) }),
      },
      {
        what: 'POST generate',
        method: 'POST',
        url: '/api/v1/generate',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from('{"text":"fuzz","format":"svg"}'),
        expect: keyed({ anonymous: [200], key: (role) => (role === 'idphotoOnly' ? [403] : [200]) }),
      },
      { what: 'GET the ID-photo specs', method: 'GET', url: '/api/v1/idphoto/specs', expect: keyed({ anonymous: [200], key: () => [200] }) },
      { what: 'GET a job that is not there', method: 'GET', url: '/api/v1/jobs/00000000-0000-0000-0000-000000000000', expect: keyed({ anonymous: [404], key: () => [404] }) },
      { what: 'GET usage', method: 'GET', url: '/api/v1/usage', expect: keyed({ anonymous: [401], key: () => [200] }) },
      { what: 'GET the keys', method: 'GET', url: '/api/v1/admin/keys', expect: keyed({ anonymous: [401], key: (role) => (role === 'admin' ? [200] : [403]) }) },
      // Keys guard the API only: the probes and /metrics answer whatever key comes with them.
      { what: 'GET /health', method: 'GET', url: '/health', expect: whoever([200]) },
      { what: 'GET /metrics', method: 'GET', url: '/metrics', expect: whoever([200]) },
      { what: 'PUT the keys (no such route)', method: 'PUT', url: '/api/v1/admin/keys', expect: (as) => (as === 'invalid' || as === 'revoked' || as === 'unclear' ? [401, 404] : [404]) },
    ),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom(...Object.keys(REVOKE_NAMES)).map((name): AuthRoute => ({
      what: `DELETE the key "${name.slice(0, 40)}"${name.length > 40 ? ` (${name.length} characters)` : ''}`,
      method: 'DELETE',
      url: `/api/v1/admin/keys/${name}`,
      expect: REVOKE_NAMES[name] ? whoever(REVOKE_NAMES[name]) : keyed({ anonymous: [401], key: (role) => (role === 'admin' ? [200, 404] : [403]) }),
    })),
    weight: 1,
  },
  {
    arbitrary: fc
      .tuple(fc.oneof(plausibleCreateBody, hostileCreateBody), fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded'))
      .chain(([value, type]) =>
        jsonBody(value).map(({ body, what }): AuthRoute => ({
          what: `POST a key, ${what} (${type}) ${body.slice(0, 120)}`,
          method: 'POST',
          url: '/api/v1/admin/keys',
          headers: { 'content-type': type },
          body: Buffer.from(body),
          // The body is read and checked before the caller is (401, 403): a bad body is refused as such whoever sends it; only an admin key creates.
          expect: keyed({ anonymous: [400, 401, 413, 415, 422], key: (role) => (role === 'admin' ? [201, 400, 409, 413, 415, 422] : [400, 403, 413, 415, 422]) }),
        })),
      ),
    weight: 2,
  },
);

/** Requests only a socket can send: a header twice, bytes a client library would refuse. On GET /api/v1/usage (a key: 200; none or a bad one: 401). */
const RAW_AUTH: Readonly<Record<string, { headers: string; expect?: readonly number[] }>> = {
  'two Authorization headers, the real key first': { headers: `Authorization: Bearer ${keyOf('normal')}\r\nAuthorization: Bearer qrw_${'U'.repeat(43)}` },
  'two Authorization headers, the real key second': { headers: `Authorization: Bearer qrw_${'U'.repeat(43)}\r\nAuthorization: Bearer ${keyOf('normal')}` },
  'two X-API-Key headers (joined by a comma)': { headers: `X-API-Key: ${keyOf('normal')}\r\nX-API-Key: ${keyOf('admin')}`, expect: [401] },
  'header names in capitals': { headers: `X-API-KEY: ${keyOf('normal')}`, expect: [200] },
  'Authorization with no blank after the colon': { headers: `Authorization:Bearer ${keyOf('normal')}`, expect: [200] },
  'non-UTF-8 bytes in X-API-Key': { headers: `X-API-Key: qrw_\xff\xfe\x80\xc0${'A'.repeat(39)}`, expect: [400, 401] },
  'a key folded over two lines': { headers: `X-API-Key: ${keyOf('normal')}\r\n  AAAA`, expect: [400, 401] },
  'NUL in Authorization': { headers: `Authorization: Bearer qrw_\x00${'A'.repeat(42)}`, expect: [400, 401] },
};

function authCases(raw: boolean): fc.Arbitrary<FuzzCase> {
  const http = fc.tuple(credential, authRoute).map(([who, route]): FuzzCase => ({
    target: 'auth',
    what: `${route.what} with ${who.what}`,
    method: route.method,
    url: route.url,
    headers: { ...route.headers, ...who.headers },
    ...(route.body && { body: route.body }),
    ...(route.expect(who.as) && { expect: route.expect(who.as) }),
  }));
  if (!raw) return http;
  const rawCase = fc.constantFrom(...Object.keys(RAW_AUTH)).map((name): FuzzCase => {
    const { headers, expect } = RAW_AUTH[name]!;
    return {
      target: 'auth',
      what: `raw: ${name}`,
      method: 'RAW',
      url: '',
      headers: {},
      raw: Buffer.from(`GET /api/v1/usage HTTP/1.1\r\nHost: x\r\n${headers}\r\nConnection: close\r\n\r\n`, 'latin1'),
      ...(expect && { expect }),
    };
  });
  return fc.oneof({ arbitrary: http, weight: 6 }, { arbitrary: rawCase, weight: 1 });
}

export interface CaseWeights {
  /** ID-photo cases cost about 0.3 s each with the default engine: kept fewer (an integer weight; 0: none). */
  readonly idphoto: number;
  /** Whether raw-socket cases are included (not through app.inject()). */
  readonly raw: boolean;
  /** Whether API-key cases are included: the server runs AUTH_MODE=optional with the keys of keys.ts (makeFuzzKeys). */
  readonly auth?: boolean;
}

/** Every kind of case, weighted: mostly cheap rejections, some real work on each path. */
export function fuzzCases(corpus: Corpus, weights: CaseWeights = { idphoto: 1, raw: true }): fc.Arbitrary<FuzzCase> {
  const archive = mutantOf(corpus.archives, { pristine: 2 });
  const arbitraries: fc.WeightedArbitrary<FuzzCase>[] = [
    { arbitrary: decodeCases(corpus), weight: 20 },
    { arbitrary: batchBody('decode-batch', '/api/v1/batch/decode', archive, mutantOf(corpus.images)), weight: 8 },
    { arbitrary: generateCase, weight: 16 },
    { arbitrary: generateBatchCase, weight: 4 },
    { arbitrary: jobsCases(corpus), weight: 5 },
    { arbitrary: brokenMultipart(corpus), weight: 10 },
    { arbitrary: httpCase, weight: 12 },
  ];
  if (weights.idphoto > 0) {
    arbitraries.push({ arbitrary: idphotoCases(corpus), weight: 2 * weights.idphoto });
    arbitraries.push({ arbitrary: batchBody('idphoto-batch', '/api/v1/batch/idphoto', archive, mutantOf(corpus.portraits, { pristine: 3 })), weight: weights.idphoto });
  }
  if (weights.raw) arbitraries.push({ arbitrary: rawCase, weight: 4 });
  if (weights.auth) arbitraries.push({ arbitrary: authCases(weights.raw), weight: 8 });
  return fc.oneof(...arbitraries);
}
