/**
 * Running cases and judging their answers, shared by the short run (app.inject() and a test server)
 * and the long one (a server process): a case's bytes on a socket, its answer's status and error code,
 * the verdict (a 5xx other than a designed refusal, or no answer within the request timeout, is a
 * finding), RSS sampling, and the check that the server is still healthy (a generate -> decode round trip).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { FuzzCase } from './targets.js';

export interface Answer {
  /** The HTTP status, or 0 when the connection closed without an answer. */
  readonly status: number;
  /** The error code of a JSON error body, or '-' (success, or not JSON). */
  readonly code: string;
  readonly ms: number;
  /** No answer and no close within the time allowed. */
  readonly hung?: boolean;
  /** The answer holds one of the secrets it was checked for (an API key or its hash). */
  readonly leak?: boolean;
}

/** 503s the service answers by design under load: not findings, but counted. */
const DESIGNED_REFUSALS = new Set(['SATURATED', 'SHUTTING_DOWN']);

export function isFinding(answer: Answer): boolean {
  return answer.hung === true || answer.leak === true || (answer.status >= 500 && !(answer.status === 503 && DESIGNED_REFUSALS.has(answer.code)));
}

/** What is wrong with a case's answer, in a few words, or undefined: a hang, a 5xx, a leaked secret, or a status the case does not allow. */
export function findingOf(c: FuzzCase, answer: Answer): string | undefined {
  const got = answer.hung ? 'hang' : `${answer.status} ${answer.code}`;
  if (answer.leak) return `${got}, with a secret in the answer`;
  if (isFinding(answer)) return got;
  const designed = answer.status === 503 && DESIGNED_REFUSALS.has(answer.code);
  return c.expect && !c.expect.includes(answer.status) && !designed ? `${got}, where ${c.expect.join(' or ')} is due` : undefined;
}

/** Whether `text` holds any of `secrets`. */
export const leaks = (text: string, secrets: readonly string[]): boolean => secrets.some((s) => text.includes(s));

export function errorCodeOf(body: string): string {
  return /"code"\s*:\s*"([A-Z_]+)"/.exec(body.slice(0, 4096))?.[1] ?? '-';
}

/** The case as bytes on the wire, one request on a connection that closes after it. */
export function toWire(c: FuzzCase): Buffer {
  if (c.raw) return c.raw;
  const headers = { host: '127.0.0.1', connection: 'close', ...c.headers, ...(c.body !== undefined && { 'content-length': String(c.body.length) }) };
  const head = `${c.method} ${c.url} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), c.body ?? Buffer.alloc(0)]);
}

/** A saved request (the `.http` file of a finding) back as a case, for a regression test to replay with app.inject(). */
export function fromWire(bytes: Buffer): FuzzCase {
  const end = bytes.indexOf('\r\n\r\n');
  const [line, ...fields] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const [method, url] = line!.split(' ');
  const headers = Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf(':')).toLowerCase(), f.slice(f.indexOf(':') + 1).trim()]));
  return { target: 'http', what: line!, method: method!, url: url!, headers, body: bytes.subarray(end + 4) };
}

/** Sends bytes on a fresh connection and reads until the server closes it (or `timeoutMs` passes: a hang); the answer is checked for `secrets`. */
export function sendRaw(port: number, bytes: Buffer, timeoutMs: number, secrets: readonly string[] = []): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let kept = 0;
    const finish = (hung: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
      // A pipelined pair answers twice: the worst status counts.
      const statuses = [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
      // An answer on a connection kept open (a mutated request lost its "Connection: close") is no hang.
      const hang = hung && status === 0;
      resolve({
        status: Math.max(status, ...statuses),
        code: errorCodeOf(text.slice(text.indexOf('\r\n\r\n'))),
        ms: performance.now() - started,
        ...(hang && { hung: hang }),
        ...(leaks(text, secrets) && { leak: true }),
      });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (d: Buffer) => {
      // Only the head of the answer is judged: a large image is counted, not kept.
      if (kept < 64 * 1024) chunks.push(d);
      kept += d.length;
    });
    socket.on('error', () => undefined); // EPIPE / ECONNRESET: the server refused early; what it answered still counts
    socket.on('close', () => finish(false));
    socket.write(bytes, () => undefined);
  });
}

/** The resident set of a process (Linux /proc), in bytes; 0 when it is gone. */
export function rssOf(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a reading every `everyMs` and keeps the peak. */
export class PeakSampler {
  peak = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(read: () => number, everyMs = 100) {
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, read())), everyMs);
    this.timer.unref();
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

/** /health answers 200 and a code generated by the server is read back by it. */
export async function healthy(base: string): Promise<{ ok: boolean; why?: string }> {
  try {
    const health = await fetch(`${base}/health`, { signal: AbortSignal.timeout(10_000) });
    if (health.status !== 200) return { ok: false, why: `/health answered ${health.status}` };
    const text = `fuzz round trip ${Date.now()}`;
    const png = await fetch(`${base}/api/v1/generate?text=${encodeURIComponent(text)}`, { signal: AbortSignal.timeout(10_000) });
    if (png.status !== 200) return { ok: false, why: `generate answered ${png.status}` };
    const decoded = await fetch(`${base}/api/v1/decode`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: await png.arrayBuffer(), signal: AbortSignal.timeout(10_000) });
    const body = (await decoded.json()) as { texts?: string[] };
    return decoded.status === 200 && body.texts?.includes(text) ? { ok: true } : { ok: false, why: `decode answered ${decoded.status} ${JSON.stringify(body).slice(0, 200)}` };
  } catch (err) {
    return { ok: false, why: (err as Error).message };
  }
}

/**
 * Writes a finding's input (the request as bytes on the wire) and what it was; returns the path. Both
 * go through `redact` (keys.ts: each API key back to its placeholder), so a finding can be shared.
 */
export function saveFinding(dir: string, index: number, c: FuzzCase, answer: Answer, redact: (text: string) => string = (t) => t): string {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `case-${String(index).padStart(6, '0')}-${c.target}`);
  // latin1 both ways keeps every byte of the request as it was.
  writeFileSync(`${base}.http`, Buffer.from(redact(toWire(c).toString('latin1')), 'latin1'));
  writeFileSync(`${base}.json`, redact(JSON.stringify({ target: c.target, what: c.what, method: c.method, url: c.url, headers: c.headers, expect: c.expect, answer }, null, 2)));
  return `${base}.http`;
}

/** Counts of answers by "status code" (e.g. "400 INVALID_OPTION"), highest first. */
export class AnswerTally {
  private readonly counts = new Map<string, number>();
  add(answer: Answer): void {
    const key = answer.hung ? 'hang' : answer.status === 0 ? 'closed without an answer' : `${answer.status} ${answer.code}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  rows(): [string, number][] {
    return [...this.counts].sort((a, b) => b[1] - a[1]);
  }
}
