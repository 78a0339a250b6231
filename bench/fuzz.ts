/**
 * The long fuzz run: the production build (`node dist/src/server.js`) in its own process, thrown
 * malformed requests over real sockets (test/fuzz/: the corpus, the mutation engine, the targets),
 * its RSS sampled, then slow headers and slow bodies (slowloris). The server runs AUTH_MODE=optional
 * with API keys made in its own ACCOUNTS_DB before it starts (test/fuzz/keys.ts), which the auth cases
 * present. Every 5xx, hang, crash, leaked key or status a case does not allow is saved with its input
 * (keys redacted); the server is checked healthy (/health, generate -> decode) along the way and at the end.
 *
 *   npm run fuzz [-- options]
 *     --cases N             cases to throw (10000)
 *     --seed S              fast-check seed (20260601): the same seed throws the same cases
 *     --concurrency C       requests in flight (2)
 *     --request-timeout MS  REQUEST_TIMEOUT_MS of the server (5000); a case with no answer 5 s past it is a hang
 *     --slow N              slow-header and slow-body connections at the end (4 each)
 *     --out DIR             where findings and the summary go (bench/results/fuzz-<stamp>/)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { REPO_ROOT, loadCorpus } from '../test/fuzz/corpus.js';
import { makeFuzzKeys, redact, secretsOf, withKeys } from '../test/fuzz/keys.js';
import { AnswerTally, PeakSampler, findingOf, healthy, rssOf, saveFinding, sendRaw, toWire, type Answer } from '../test/fuzz/run.js';
import { fuzzCases, type FuzzCase } from '../test/fuzz/targets.js';
import { freePort } from './load-targets.js';

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20260601' },
    concurrency: { type: 'string', default: '2' },
    'request-timeout': { type: 'string', default: '5000' },
    slow: { type: 'string', default: '4' },
    out: { type: 'string' },
  },
});
const CASES = Number(args.cases);
const SEED = Number(args.seed);
const CONCURRENCY = Number(args.concurrency);
const REQUEST_TIMEOUT_MS = Number(args['request-timeout']);
/** A case with no answer this long after the server's own deadline hangs. */
const HANG_MS = REQUEST_TIMEOUT_MS + 5000;
const OUT = args.out ?? join(REPO_ROOT, 'bench/results', `fuzz-${new Date().toISOString().replace(/[:.]/g, '-')}`);
/** Cases drawn at a time (each draw its own seed, so a case is found again from its index). */
const DRAW = 100;

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
  readonly base: string;
}

/** The server of the moment, stopped however the run ends. */
let running: Server | undefined;

const jobsDir = mkdtempSync(join(tmpdir(), 'qrw-fuzz-jobs-'));
/** The run's own key store (SQLite): its keys are made before the server starts and gone with the run. */
const accountsDir = mkdtempSync(join(tmpdir(), 'qrw-fuzz-accounts-'));
const accountsDb = join(accountsDir, 'accounts.db');

async function startServer(): Promise<Server> {
  const port = await freePort();
  const log = openSync(join(OUT, 'server.log'), 'a');
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist/src/server.js')], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      JOBS_DIR: jobsDir,
      REDIS_URL: '',
      AUTH_MODE: 'optional',
      ACCOUNTS_DB: accountsDb,
    },
    stdio: ['ignore', log, log],
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode} while starting; see ${OUT}/server.log`);
    if (
      (await fetch(`${base}/health`).then(
        (r) => r.status,
        () => 0,
      )) === 200
    )
      return { child, port, base };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the server did not answer /health within 60 s; see ${OUT}/server.log`);
}

async function stopServer(server: Server): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  await exited;
}

interface Finding {
  readonly index: number;
  readonly kind: string;
  readonly what: string;
  readonly file: string;
}

/** Slow headers (one byte every 500 ms) or a slow body: how long until the server closes the connection. */
function slowClient(port: number, kind: 'headers' | 'body'): Promise<{ closedAfterMs: number; answered: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answered = '';
    const head = 'POST /api/v1/decode HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n';
    const drip = kind === 'headers' ? head : 'x'.repeat(100_000);
    if (kind === 'body') socket.write(head);
    let i = 0;
    const timer = setInterval(() => socket.write(drip[i++ % drip.length]!), 500);
    const giveUp = setTimeout(() => socket.destroy(), HANG_MS + 40_000);
    socket.on('data', (d: Buffer) => (answered ||= d.toString('latin1').split('\r\n')[0] ?? ''));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ closedAfterMs: performance.now() - started, answered: answered || '(nothing)' });
    });
  });
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const corpus = await loadCorpus();
  const arbitrary = fuzzCases(corpus, { idphoto: 1, raw: true, auth: true });
  const keys = await makeFuzzKeys(accountsDb);
  const secrets = secretsOf(keys);
  let server = await startServer();
  running = server;
  let rss = new PeakSampler(() => rssOf(server.child.pid!));
  let peakRss = 0;
  const tally = new AnswerTally();
  const authTally = new AnswerTally();
  const byTarget = new Map<string, number>();
  const findings: Finding[] = [];
  const healthFailures: string[] = [];
  let slowest: { ms: number; what: string; answer: string } = { ms: 0, what: '', answer: '' };
  let crashes = 0;
  let fiveHundreds = 0;
  const started = performance.now();

  /** `c` as generated (keys as placeholders: what is printed), `sent` with the real keys in (saved through redact). */
  const record = (index: number, c: FuzzCase, sent: FuzzCase, answer: Answer) => {
    tally.add(answer);
    if (c.target === 'auth') authTally.add(answer);
    byTarget.set(c.target, (byTarget.get(c.target) ?? 0) + 1);
    if (answer.status >= 500) fiveHundreds++;
    if (answer.ms > slowest.ms) slowest = { ms: answer.ms, what: `${c.target}: ${c.what}`, answer: `${answer.status} ${answer.code}` };
    const kind = findingOf(c, answer);
    if (kind) {
      const file = saveFinding(OUT, index, sent, answer, (text) => redact(text, keys));
      findings.push({ index, kind, what: `${c.target}: ${c.what}`, file });
      console.log(`  finding #${index}: ${kind} ${c.target}: ${c.what.slice(0, 200)}`);
    }
  };

  for (let drawn = 0; drawn < CASES; drawn += DRAW) {
    const cases = fc.sample(arbitrary, { seed: SEED + drawn / DRAW, numRuns: Math.min(DRAW, CASES - drawn) });
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < cases.length) {
          const i = next++;
          const c = cases[i]!;
          const sent = withKeys(c, keys);
          record(drawn + i, c, sent, await sendRaw(server.port, toWire(sent), HANG_MS, secrets));
        }
      }),
    );
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      // A crash: the cases of this draw are all suspects; each was saved if it got no answer.
      crashes++;
      const file = join(OUT, `crash-${drawn}.txt`);
      writeFileSync(file, `exit ${server.child.exitCode ?? server.child.signalCode} during cases ${drawn}..${drawn + cases.length - 1} (seed ${SEED + drawn / DRAW})\n`);
      findings.push({ index: drawn, kind: 'crash', what: `server exited (${server.child.exitCode ?? server.child.signalCode})`, file });
      peakRss = Math.max(peakRss, rss.stop());
      server = await startServer();
      running = server;
      rss = new PeakSampler(() => rssOf(server.child.pid!));
    }
    if ((drawn / DRAW) % 10 === 9) {
      const check = await healthy(server.base);
      if (!check.ok) healthFailures.push(`after ${drawn + DRAW} cases: ${check.why}`);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `${drawn + DRAW} cases, ${seconds.toFixed(0)} s, peak RSS ${(Math.max(peakRss, rss.peak) / 2 ** 20).toFixed(0)} MiB, findings ${findings.length}${check.ok ? '' : `, UNHEALTHY: ${check.why}`}`,
      );
    }
  }
  const fuzzSeconds = (performance.now() - started) / 1000;

  const slowCount = Number(args.slow);
  const slow = await Promise.all([...Array.from({ length: slowCount }, () => slowClient(server.port, 'headers')), ...Array.from({ length: slowCount }, () => slowClient(server.port, 'body'))]);
  for (const [i, s] of slow.entries()) {
    if (s.closedAfterMs > HANG_MS) findings.push({ index: -1, kind: 'hang', what: `slow ${i < slowCount ? 'headers' : 'body'}: closed after ${(s.closedAfterMs / 1000).toFixed(1)} s`, file: '-' });
  }
  const final = await healthy(server.base);
  if (!final.ok) healthFailures.push(`at the end: ${final.why}`);
  peakRss = Math.max(peakRss, rss.stop());
  await stopServer(server);
  rmSync(jobsDir, { recursive: true, force: true });
  rmSync(accountsDir, { recursive: true, force: true });

  const lines = [
    `fuzz run ${new Date().toISOString()}: seed ${SEED}, concurrency ${CONCURRENCY}, REQUEST_TIMEOUT_MS ${REQUEST_TIMEOUT_MS}, node ${process.version}`,
    `cases run: ${CASES} in ${fuzzSeconds.toFixed(0)} s (${(CASES / fuzzSeconds).toFixed(0)}/s)`,
    `by target: ${[...byTarget]
      .sort((a, b) => b[1] - a[1])
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
    `answers (status code: count):`,
    ...tally.rows().map(([k, n]) => `  ${k}: ${n}`),
    `answers to the auth cases: ${authTally
      .rows()
      .map(([k, n]) => `${k}: ${n}`)
      .join('; ')}`,
    `5xx answers: ${fiveHundreds} (the designed 503 refusals SATURATED and SHUTTING_DOWN among them are not findings)`,
    `peak RSS of the server: ${(peakRss / 2 ** 20).toFixed(0)} MiB`,
    `slowest case: ${slowest.ms.toFixed(0)} ms, ${slowest.answer}, ${slowest.what.slice(0, 240)}`,
    `slow clients (${slowCount} slow-header, ${slowCount} slow-body): closed after ${slow.map((s) => (s.closedAfterMs / 1000).toFixed(1)).join(', ')} s; answered: ${[...new Set(slow.map((s) => s.answered))].join(' / ')}`,
    `server crashes: ${crashes}; health checks failed: ${healthFailures.length}${healthFailures.length ? ` (${healthFailures.join('; ')})` : ''}`,
    `findings (5xx, hang, crash, leaked key, status a case does not allow): ${findings.length}`,
    ...findings.map((f) => `  #${f.index} ${f.kind}: ${f.what.slice(0, 200)} -> ${f.file}`),
    `findings and the server log: ${OUT}`,
  ];
  writeFileSync(join(OUT, 'summary.txt'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
  process.exitCode = findings.length > 0 || healthFailures.length > 0 ? 1 : 0;
}

try {
  await main();
} finally {
  // A run that failed midway must not leave its server behind.
  if (running && running.child.exitCode === null && running.child.signalCode === null) running.child.kill('SIGTERM');
}
