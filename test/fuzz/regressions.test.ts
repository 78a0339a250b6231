/**
 * What the fuzzer found (docs/design/fuzzing.md), each with the input that caused it: the saved request
 * (test/fuzz/fixtures/*.http, bytes as they went on the wire) or the same breakage built here.
 */
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessEngine } from '../../src/app/qr-engine.js';
import { loadConfig } from '../../src/platform/config.js';
import { assembleApp } from '../../src/server.js';
import { injectableApp } from '../helpers/app.js';
import { startTestServer } from '../helpers/server.js';
import { fromWire } from './run.js';
import { multipartBody } from './targets.js';

type App = Awaited<ReturnType<typeof injectableApp>>;

const jobsDir = mkdtempSync(join(tmpdir(), 'qrw-fuzz-regressions-'));
let app: App;
beforeAll(async () => {
  app = await injectableApp({ JOBS_DIR: jobsDir, REDIS_URL: '' });
});
afterAll(async () => {
  await app?.server.close();
  rmSync(jobsDir, { recursive: true, force: true });
});

const fixture = (name: string) => fromWire(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** Every route that reads a multipart body. */
const MULTIPART_ROUTES = ['/api/v1/decode', '/api/v1/decode/batch', '/decode', '/api/v1/batch/decode', '/api/v1/idphoto', '/api/v1/idphoto/sheet', '/api/v1/batch/idphoto', '/api/v1/jobs?type=decode'];

const file = { name: 'image', filename: 'a.png', type: 'image/png', body: Buffer.from('not really a png, the parser fails first') };

/** The multipart parser's own errors (plain Errors, no status) were answered 500 INTERNAL. */
const BROKEN_MULTIPART: Record<string, { type: string; body: Buffer }> = {
  'no boundary parameter': { type: 'multipart/form-data', body: multipartBody([file], 'b0undary') },
  'a boundary longer than the parser takes (256)': { type: `multipart/form-data; boundary=${'b'.repeat(300)}`, body: multipartBody([file], 'b'.repeat(300)) },
  'no closing boundary': { type: 'multipart/form-data; boundary=b0undary', body: multipartBody([file], 'b0undary', false) },
  'a body cut inside a part': { type: 'multipart/form-data; boundary=b0undary', body: multipartBody([file], 'b0undary').subarray(0, 90) },
  'a damaged closing boundary only': { type: 'multipart/form-data; boundary=b0undary', body: Buffer.from('--b0undar$--\r\n') },
};

describe('fuzz finding: malformed multipart bodies were answered 500 INTERNAL', () => {
  it.each(['multipart-no-boundary.http', 'multipart-damaged-closing-boundary.http'])('the saved input %s gets 400 INVALID_REQUEST', async (name) => {
    const c = fixture(name);
    const res = await app.server.inject({ method: c.method as 'POST', url: c.url, headers: c.headers, payload: c.body });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_REQUEST', message: expect.stringMatching(/^The multipart body is malformed: /) } });
  });

  for (const [name, { type, body }] of Object.entries(BROKEN_MULTIPART)) {
    it(`${name}: 400 INVALID_REQUEST on every multipart route`, async () => {
      const answers = await Promise.all(
        MULTIPART_ROUTES.map(async (url) => {
          const res = await app.server.inject({ method: 'POST', url, headers: { 'content-type': type }, payload: body });
          return `${url} ${res.statusCode} ${(res.json() as { error?: { code?: string } }).error?.code}`;
        }),
      );
      expect(answers).toEqual(MULTIPART_ROUTES.map((url) => `${url} 400 INVALID_REQUEST`));
    });
  }

  it('the service still decodes a well-formed multipart upload after them', async () => {
    const png = await app.server.inject({ method: 'GET', url: '/api/v1/generate?text=after%20the%20fuzz' });
    const res = await app.server.inject({
      method: 'POST',
      url: '/api/v1/decode',
      headers: { 'content-type': 'multipart/form-data; boundary=b0undary' },
      payload: multipartBody([{ ...file, body: png.rawPayload }], 'b0undary'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ texts: ['after the fuzz'] });
  });
});

/** Whether the server closes a connection on which `head` is written, then `drip` a byte every 200 ms, within 5 s. */
async function cutOff(base: string, head: string, drip: string): Promise<boolean> {
  const socket = connect(Number(new URL(base).port), '127.0.0.1');
  socket.on('error', () => undefined);
  socket.write(head);
  let i = 0;
  const timer = setInterval(() => socket.write(drip[i++ % drip.length]!), 200);
  const closed = await new Promise<boolean>((resolve) => {
    socket.on('close', () => resolve(true));
    setTimeout(() => resolve(false), 5000);
  });
  clearInterval(timer);
  socket.destroy();
  return closed;
}

describe('fuzz finding: requests sent one byte at a time outlived REQUEST_TIMEOUT_MS', () => {
  // Node checked request deadlines every 30 s (connectionsCheckingInterval), and not at all for a body
  // once the request was in the app's hands: now every second, and the app bounds the body itself.
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ REQUEST_TIMEOUT_MS: '1000' });
  });
  afterAll(() => server.shutdown());

  it('a slow-header client is cut off within a few seconds of a 1 s request timeout', async () => {
    expect(await cutOff(server.base, 'GET /health HTTP/1.1\r\nHost: x\r\n', 'X-Slow: ' + 'z'.repeat(1000))).toBe(true);
  });

  it('a slow-body client is cut off too', async () => {
    const head = 'POST /api/v1/decode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n';
    expect(await cutOff(server.base, head, 'x')).toBe(true);
    expect((await fetch(`${server.base}/health`)).status).toBe(200);
  });
});

describe("fuzz finding: a path parameter over 100 characters was answered with Fastify's own code", () => {
  // Fastify refuses it before any route is found, in its own shape (414 FST_ERR_MAX_PARAM_LENGTH), unless the app passes frameworkErrors.
  it.each(['GET /api/v1/jobs/', 'GET /api/v1/jobs/x/result?', 'DELETE /api/v1/jobs/'])('%s<101 characters> is 414 URI_TOO_LONG', async (route) => {
    const [method, path] = route.split(' ') as ['GET' | 'DELETE', string];
    const url = path.endsWith('?') ? path.replace('x', 'a'.repeat(101)).slice(0, -1) : path + 'a'.repeat(101);
    const res = await app.server.inject({ method, url });
    expect(res.statusCode).toBe(414);
    expect(res.json()).toMatchObject({ error: { code: 'URI_TOO_LONG' } });
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('a parameter of 100 characters still reaches its route (which checks it is a job id)', async () => {
    const res = await app.server.inject({ method: 'GET', url: `/api/v1/jobs/${'a'.repeat(100)}` });
    expect(`${res.statusCode} ${res.json<{ error: { code: string } }>().error.code}`).toBe('422 INVALID_OPTION');
  });

  it('a parameter that is not valid percent-encoded UTF-8 is 400 INVALID_REQUEST, not FST_ERR_BAD_URL', async () => {
    const res = await app.server.inject({ method: 'GET', url: '/api/v1/jobs/%ff%fe' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
  });
});

describe('fuzz finding: a client that hung up mid-body was logged as a failed request at error level', () => {
  /** Bodies that the server is reading when their client goes: multipart, a ZIP, CSV rows (a batch, a job), a raw image. */
  const CUT_BODIES: Record<string, { type: string; part: string }> = {
    '/api/v1/decode': { type: 'multipart/form-data; boundary=b0undary', part: '--b0undary\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n' + 'x'.repeat(500) },
    '/api/v1/batch/decode': { type: 'application/zip', part: 'PK\x03\x04' + 'x'.repeat(500) },
    '/api/v1/batch/generate': { type: 'text/csv', part: 'text\n' + 'a\n'.repeat(300) },
    '/api/v1/jobs?type=generate': { type: 'text/csv', part: 'text\n' + 'a\n'.repeat(300) },
    '/decode': { type: 'image/png', part: 'x'.repeat(500) },
  };

  it('is logged at info as a client that closed its connection, never at error', async () => {
    const lines: { level: number; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        done();
      },
    });
    const config = loadConfig({ MAX_EVENT_LOOP_DELAY_MS: '0', TOOLS: 'qr', JOBS_DIR: jobsDir, REDIS_URL: '', JOB_CONCURRENCY: '0' });
    const logged = await assembleApp(config, { qr: inProcessEngine(), idphoto: undefined }, [], pino({ level: 'debug' }, sink));
    await logged.server.listen({ port: 0, host: '127.0.0.1' });
    const { port } = logged.server.server.address() as AddressInfo;
    try {
      for (const [url, { type, part }] of Object.entries(CUT_BODIES)) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        const arrived = once(logged.server.server, 'request') as Promise<[IncomingMessage]>;
        socket.write(`POST ${url} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n\r\n${part}`, 'latin1');
        const [request] = await arrived;
        // The app has the request and is reading its body: the client goes.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const gone = new Promise((resolve) => request.on('close', resolve));
        socket.destroy();
        await gone;
      }
      const closed = () => lines.filter((l) => l.msg === 'client closed the connection mid-request');
      for (let i = 0; i < 100 && closed().length < Object.keys(CUT_BODIES).length; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual([]);
      expect(closed().map((l) => l.level)).toEqual(Object.keys(CUT_BODIES).map(() => 30));
    } finally {
      await logged.server.close();
    }
  });
});
