import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { generateQr } from '../../dist/src/qr/generate.js';
import { parseGenerateOptions } from '../../dist/src/qr/options.js';
import { TASKS_PER_THREAD } from '../../dist/src/workers/pool.js';
import { multipart, startTestServer } from '../helpers/server.js';

let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
afterEach(async () => {
  await server?.shutdown();
  server = undefined;
});

describe('saturation', () => {
  it('answers 503 with Retry-After at once when the pool queue is full, and recovers', async () => {
    server = await startTestServer({ POOL_THREADS: '1', POOL_MAX_QUEUE: '1' });
    // A large symbol makes each decode take a while, so concurrent requests find the single thread busy.
    const big = generateQr('saturate '.repeat(60), parseGenerateOptions({ size: 4000, ec: 'L' }), (d: Uint8Array) => deflateSync(d)).body;
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 16 }, () => fetch(`${server!.base}/api/v1/decode`, { method: 'POST', body: multipart('image', big) })));
    const statuses = responses.map((r) => r.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    const refused = responses.find((r) => r.status === 503)!;
    expect(refused.headers.get('retry-after')).toBe('1');
    // The refused upload is not read: the connection closes instead of being drained.
    expect(refused.headers.get('connection')).toBe('close');
    expect(await refused.json()).toMatchObject({ error: { code: 'SATURATED' } });
    expect(Date.now() - started).toBeLessThan(30_000);
    // Recovers: once the burst is over, requests are served again.
    let after = 0;
    for (let i = 0; i < 20 && after !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      after = (await fetch(`${server.base}/api/v1/decode`, { method: 'POST', body: multipart('image', big) })).status;
    }
    expect(after).toBe(200);
  });
});

describe('abandoned requests', () => {
  it('skips the decode of a client that hung up while its image waited for the thread', async () => {
    server = await startTestServer({ POOL_THREADS: '1', POOL_MAX_QUEUE: '16' });
    const big = generateQr('keep the thread busy '.repeat(30), parseGenerateOptions({ size: 4000, ec: 'L' }), (d: Uint8Array) => deflateSync(d)).body;
    // What the test saw, for the message of a step that stalls.
    const seen: string[] = [];
    const metric = async (name: string): Promise<number> => {
      const text = await fetch(`${server!.base}/metrics`, { signal: AbortSignal.timeout(5000) })
        .then((r) => r.text())
        .catch((err: Error) => {
          seen.push(`poll: ${err.message}`);
          return '';
        });
      return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
    };
    // A deadline, not a count of polls: on a loaded machine each poll is slower, and a stalled step must fail
    // with its name and value well inside the test's timeout.
    const waitFor = async (name: string, atLeast: number): Promise<void> => {
      const deadline = Date.now() + 15_000;
      while ((await metric(name)) < atLeast && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(await metric(name), `${name} after 15 s; seen: ${seen.slice(-8).join(' | ') || 'nothing'}`).toBeGreaterThanOrEqual(atLeast);
    };
    // Images ahead of it: those handed to the thread and ten more, so it waits about a second in the
    // queue. The pool's count of accepted tasks (it only grows) says when each request is in; the queue
    // depth would not, as a decode that ends meanwhile lowers it.
    const busy = Array.from({ length: TASKS_PER_THREAD + 10 }, () =>
      fetch(`${server!.base}/api/v1/decode`, { method: 'POST', body: multipart('image', big) }).then(
        async (r) => {
          if (r.status !== 200) seen.push(`decode ${r.status}: ${(await r.clone().text()).slice(0, 160)}`);
          return r;
        },
        (err: Error) => {
          seen.push(`decode failed: ${err.message}`);
          throw err;
        },
      ),
    );
    await waitFor('qrw_pool_submitted_tasks\\{pool="qr"\\}', busy.length);
    const leaving = new AbortController();
    const abandoned = fetch(`${server.base}/api/v1/decode`, { method: 'POST', body: multipart('image', big), signal: leaving.signal }).catch((err: Error) => err.name);
    await waitFor('qrw_pool_submitted_tasks\\{pool="qr"\\}', busy.length + 1);
    leaving.abort();
    expect(await abandoned).toBe('AbortError');
    expect((await Promise.all(busy)).map((r) => r.status)).toEqual(busy.map(() => 200));
    await waitFor('qrw_decode_total\\{outcome="abandoned"\\}', 1);
    expect(await metric('qrw_decode_total\\{outcome="abandoned"\\}')).toBe(1);
    expect((await fetch(`${server.base}/health`)).status).toBe(200);
  });
});

describe('rate limiting', () => {
  it('limits each client to RATE_LIMIT_MAX requests per window with 429 + Retry-After, never the probes', async () => {
    server = await startTestServer({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW: '60s' });
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${server.base}/api/v1/generate?text=rate${i}`);
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited!.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    for (let i = 0; i < 5; i++) expect((await fetch(`${server.base}/health`)).status).toBe(200);
  });

  it('is off when RATE_LIMIT_MAX is unset', async () => {
    server = await startTestServer({ RATE_LIMIT_MAX: '' });
    for (let i = 0; i < 10; i++) expect((await fetch(`${server.base}/api/v1/generate?text=free${i}`)).status).toBe(200);
  });
});

describe('slow clients', () => {
  it('a request whose body never finishes arriving is cut off, and the server stays healthy', async () => {
    server = await startTestServer({ REQUEST_TIMEOUT_MS: '1000' });
    const { port } = new URL(server.base);
    const { connect } = await import('node:net');
    const socket = connect(Number(port), '127.0.0.1');
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString()));
    socket.write('POST /api/v1/decode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(100));
    const closed = await new Promise<boolean>((resolve) => {
      socket.on('close', () => resolve(true));
      setTimeout(() => resolve(false), 8000);
    });
    socket.destroy();
    expect(closed).toBe(true);
    expect(response).not.toMatch(/^HTTP\/1\.1 200/);
    expect((await fetch(`${server.base}/health`)).status).toBe(200);
  });
});

describe('event-loop pressure', () => {
  it('does not shed the first requests after a start whose work blocked the loop', async () => {
    server = await startTestServer({ MAX_EVENT_LOOP_DELAY_MS: '100' });
    // Start-up work as a loaded machine stretches it: the loop blocked across the first lag reading.
    const until = Date.now() + 1100;
    while (Date.now() < until);
    const res = await fetch(`${server.base}/api/v1/generate?text=fresh`);
    expect(res.status).toBe(200);
  });

  it('sheds API requests with a fast 503 + Retry-After while the loop lags, keeps the probes answering, and recovers', async () => {
    server = await startTestServer({ MAX_EVENT_LOOP_DELAY_MS: '100' });
    const busy = (ms: number): void => {
      const until = Date.now() + ms;
      while (Date.now() < until); // the server shares this process's event loop: this is the overload
    };
    let shed: Response | undefined;
    for (let i = 0; i < 5 && !shed; i++) {
      busy(1200);
      const [api, health] = await Promise.all([fetch(`${server.base}/api/v1/generate?text=pressure${i}`), fetch(`${server.base}/health`)]);
      expect(health.status).toBe(200);
      if (api.status === 503) shed = api;
    }
    expect(shed, 'no request was shed under event-loop lag').toBeDefined();
    expect(shed!.headers.get('retry-after')).toBeTruthy();
    expect(await shed!.json()).toMatchObject({ error: { code: 'SATURATED' } });
    let after = 0;
    for (let i = 0; i < 50 && after !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await fetch(`${server.base}/api/v1/generate?text=calm`)).status;
    }
    expect(after).toBe(200);
  });
});

describe('CORS', () => {
  it('answers preflights and exposes the QR headers only to the configured origins', async () => {
    server = await startTestServer({ CORS_ORIGINS: 'https://app.example.com, https://other.example.org/' });
    const preflight = await fetch(`${server.base}/api/v1/generate`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const allowed = await fetch(`${server.base}/api/v1/generate?text=cors`, { headers: { origin: 'https://other.example.org' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://other.example.org');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('X-QR-Version');
    const foreign = await fetch(`${server.base}/api/v1/generate?text=cors`, { headers: { origin: 'https://evil.example.net' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS headers when CORS_ORIGINS is unset', async () => {
    server = await startTestServer({ CORS_ORIGINS: '' });
    const res = await fetch(`${server.base}/api/v1/generate?text=cors`, { headers: { origin: 'https://app.example.com' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
