/**
 * The short fuzz run of `npm test`: a few hundred cases from a fixed seed through app.inject(), then
 * the raw-socket cases and slow clients against a real server with a 1 s request timeout. The long run
 * is `npm run fuzz` (bench/fuzz.ts). Expected of every case: an answer, no 5xx but designed refusals,
 * a JSON error body with a code for every 4xx that reaches the app, bounded memory, a healthy server after.
 * Both servers run AUTH_MODE=optional with the keys of keys.ts, so the API-key cases run in each.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injectableApp } from '../helpers/app.js';
import { startTestServer } from '../helpers/server.js';
import { loadCorpus, type Corpus } from './corpus.js';
import { makeFuzzKeys, redact, secretsOf, withKeys, type FuzzKeys } from './keys.js';
import { PeakSampler, errorCodeOf, findingOf, healthy, leaks, saveFinding, sendRaw, toWire, type Answer } from './run.js';
import { fuzzCases, type FuzzCase } from './targets.js';

const SEED = 20260601;
const jobsDir = mkdtempSync(join(tmpdir(), 'qrw-fuzz-short-'));
const accountsDb = join(jobsDir, 'accounts.db');
const env = { JOBS_DIR: jobsDir, REDIS_URL: '', JOB_CONCURRENCY: '0', AUTH_MODE: 'optional', ACCOUNTS_DB: accountsDb };
let corpus: Corpus;
let keys: FuzzKeys;
let secrets: string[];
beforeAll(async () => {
  corpus = await loadCorpus({ pictures: 8, portraits: 1 });
  keys = await makeFuzzKeys(accountsDb);
  secrets = secretsOf(keys);
});
afterAll(() => rmSync(jobsDir, { recursive: true, force: true }));

describe('fuzz (short run, app.inject())', () => {
  it('answers 300 malformed requests without a 5xx, each error as JSON with a code, and stays healthy', async () => {
    const app = await injectableApp(env);
    const rss = new PeakSampler(() => process.memoryUsage().rss);
    try {
      await fc.assert(
        fc.asyncProperty(fuzzCases(corpus, { idphoto: 1, raw: false, auth: true }), async (c) => {
          const sent = withKeys(c, keys);
          const res = await app.server.inject({ method: sent.method as 'GET', url: sent.url, headers: sent.headers, ...(sent.body && { payload: sent.body }) });
          const answer: Answer = { status: res.statusCode, code: errorCodeOf(res.body), ms: 0, ...(leaks(res.body, secrets) && { leak: true }) };
          expect(findingOf(c, answer), `for ${c.target}: ${c.what}`).toBeUndefined();
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
    const server = await startTestServer({ ...env, REQUEST_TIMEOUT_MS: '1000' });
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
      const cases = fc.sample(fuzzCases(corpus, { idphoto: 0, raw: true, auth: true }), { seed: SEED, numRuns: 60 });
      const findings: string[] = [];
      for (const c of cases) {
        const finding = findingOf(c, await sendRaw(port, toWire(withKeys(c, keys)), 8000, secrets));
        if (finding) findings.push(`${finding} for ${c.target}: ${c.what}`);
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

describe('fuzz findings', () => {
  it('are saved with every API key, its id and its hash put back as placeholders', () => {
    const dir = join(jobsDir, 'findings');
    const c: FuzzCase = {
      target: 'auth',
      what: 'a key in each header',
      method: 'GET',
      url: '/api/v1/usage',
      headers: { authorization: 'Bearer {{key:admin}}', 'x-api-key': 'qrw_{{id:normal}}' + 'A'.repeat(35) },
    };
    const sent = withKeys(c, keys);
    expect(sent.headers.authorization).toBe(`Bearer ${keys.admin}`);
    const leaked = { ...sent, what: `echoed ${keys.spent} ${secretsOf(keys)[1]}` };
    const file = saveFinding(dir, 7, leaked, { status: 200, code: '-', ms: 1, leak: true }, (text) => redact(text, keys));
    const saved = readdirSync(dir).map((name) => readFileSync(join(dir, name), 'latin1'));
    expect(saved).toHaveLength(2);
    for (const text of saved) {
      expect(leaks(text, [...secrets, ...Object.values(keys).map((k) => k.slice(4, 12))])).toBe(false);
      expect(text).toContain('{{key:admin}}');
      expect(text).toContain('qrw_{{id:normal}}');
    }
    expect(saved.join('\n')).toContain('echoed {{key:spent}} {{hash:normal}}');
    expect(readFileSync(file, 'latin1')).toContain('authorization: Bearer {{key:admin}}\r\n');
  });
});
