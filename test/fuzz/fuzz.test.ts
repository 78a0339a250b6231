/**
 * The short fuzz run of `npm test`: a few hundred cases from a fixed seed through app.inject(), then
 * the raw-socket cases and slow clients against a real server with a 1 s request timeout. The long run
 * is `npm run fuzz` (bench/fuzz.ts). Expected of every case: an answer, no 5xx but designed refusals,
 * a JSON error body with a code for every 4xx that reaches the app, bounded memory, a healthy server after.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectableApp } from '../helpers/app.js';
import { startTestServer } from '../helpers/server.js';
import { loadCorpus, type Corpus } from './corpus.js';
import { PeakSampler, errorCodeOf, healthy, isFinding, sendRaw, toWire, type Answer } from './run.js';
import { fuzzCases } from './targets.js';

const SEED = 20260601;
const jobsDir = mkdtempSync(join(tmpdir(), 'qrw-fuzz-short-'));
let corpus: Corpus;
beforeAll(async () => {
  corpus = await loadCorpus({ pictures: 8, portraits: 1 });
});
afterAll(() => rmSync(jobsDir, { recursive: true, force: true }));

describe('fuzz (short run, app.inject())', () => {
  it('answers 300 malformed requests without a 5xx, each error as JSON with a code, and stays healthy', async () => {
    const app = await injectableApp({ JOBS_DIR: jobsDir, REDIS_URL: '', JOB_CONCURRENCY: '0' });
    const rss = new PeakSampler(() => process.memoryUsage().rss);
    try {
      await fc.assert(
        fc.asyncProperty(fuzzCases(corpus, { idphoto: 1, raw: false }), async (c) => {
          const res = await app.server.inject({ method: c.method as 'GET', url: c.url, headers: c.headers, ...(c.body && { payload: c.body }) });
          const answer: Answer = { status: res.statusCode, code: errorCodeOf(res.body), ms: 0 };
          expect(isFinding(answer), `${res.statusCode} ${answer.code} for ${c.target}: ${c.what}`).toBe(false);
          if (res.statusCode >= 400 && c.method !== 'HEAD') expect(answer.code, `${res.statusCode} without a JSON error code for ${c.target}: ${c.what}`).not.toBe('-');
        }),
        { seed: SEED, numRuns: 300, endOnFailure: true },
      );
      const png = await app.server.inject({ method: 'GET', url: '/api/v1/generate?text=still%20here' });
      const decoded = await app.server.inject({ method: 'POST', url: '/api/v1/decode', headers: { 'content-type': 'image/png' }, payload: png.rawPayload });
      expect(decoded.json()).toMatchObject({ texts: ['still here'] });
    } finally {
      await app.server.close();
    }
    // The test process holds the models and the corpus too: a bomb decoded whole would go far past this.
    expect(rss.stop()).toBeLessThan(2 * 2 ** 30);
  });
});

describe('fuzz (short run, real sockets)', () => {
  it('answers requests no HTTP client would send, holds up under slow clients, and stays healthy', async () => {
    const server = await startTestServer({ REQUEST_TIMEOUT_MS: '1000', JOBS_DIR: jobsDir, REDIS_URL: '', JOB_CONCURRENCY: '0' });
    const port = Number(new URL(server.base).port);
    // Slow clients: headers and a body dripped a byte at a time, for as long as the cases run.
    const slow = [
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'z'.repeat(500),
      'POST /api/v1/decode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(500),
    ].map((drip) => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      let i = 0;
      const timer = setInterval(() => socket.write(drip[i++ % drip.length]!), 100);
      return { socket, timer };
    });
    try {
      const cases = fc.sample(fuzzCases(corpus, { idphoto: 0, raw: true }), { seed: SEED, numRuns: 60 });
      const findings: string[] = [];
      for (const c of cases) {
        const answer = await sendRaw(port, toWire(c), 8000);
        if (isFinding(answer)) findings.push(`${answer.hung ? 'hang' : `${answer.status} ${answer.code}`} for ${c.target}: ${c.what}`);
      }
      expect(findings).toEqual([]);
      expect(await healthy(server.base)).toEqual({ ok: true });
    } finally {
      for (const s of slow) {
        clearInterval(s.timer);
        s.socket.destroy();
      }
      await server.shutdown();
    }
  });
});
