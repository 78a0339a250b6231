/**
 * One workload against one target through ../shared/anchors/bench/run.sh
 * (wrk + Lua, with its process sampler), parsed into numbers.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANCHORS, type Target } from './load-targets.js';

export const RUN_SH = join(ANCHORS, 'bench/run.sh');

/**
 * generate-hit cycles through run.sh's 50 texts (every request after the first
 * 50 is a cache hit here); generate-miss makes every text unique.
 */
export const WORKLOADS = ['generate-miss', 'generate-hit', 'decode', 'mix'] as const;
export type Workload = (typeof WORKLOADS)[number];

export interface RunSettings {
  readonly durationS: number;
  readonly warmupS: number;
  readonly connections: number;
  readonly outDir: string;
}

export interface Measurement {
  readonly target: string;
  readonly workload: Workload;
  readonly round: number;
  readonly rps: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly decodeEmpty: number;
  /** Server tree CPU, 100 = one core (undefined without a PID to sample). */
  readonly cpuPct: number | undefined;
  readonly rssMiB: number | undefined;
  /** Server CPU time per request: the contention-robust cost figure. */
  readonly cpuMsPerRequest: number | undefined;
  /** Mean latency per route from the service's own histogram (run.sh's warm-up included); QR Workshop only. */
  readonly routeMeanMs: RouteMeans | undefined;
}

export interface RouteMeans {
  readonly generate: number;
  readonly decode: number;
}

interface RouteTotals {
  readonly sum: Map<string, number>;
  readonly count: Map<string, number>;
}

/** Seconds and requests so far per route, summed over methods and statuses, from the Prometheus text of /metrics. */
async function routeTotals(base: string): Promise<RouteTotals> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const totals: RouteTotals = { sum: new Map(), count: new Map() };
  for (const m of text.matchAll(/^http_request_duration_seconds_(sum|count)\{[^}]*route="([^"]+)"[^}]*\} (\S+)$/gm)) {
    const into = m[1] === 'sum' ? totals.sum : totals.count;
    into.set(m[2]!, (into.get(m[2]!) ?? 0) + Number(m[3]));
  }
  return totals;
}

function meanMs(before: RouteTotals, after: RouteTotals, route: string): number {
  const n = (after.count.get(route) ?? 0) - (before.count.get(route) ?? 0);
  return n > 0 ? (1000 * ((after.sum.get(route) ?? 0) - (before.sum.get(route) ?? 0))) / n : Number.NaN;
}

/**
 * Writes `count` texts with the length mix of run.sh's own texts, each made unique
 * by a serial and `salt` (a fresh salt per run keeps every request a cache miss).
 */
function writeMissTexts(file: string, count: number, salt: string): void {
  const base = readFileSync(join(ANCHORS, 'bench/gen_texts.txt'), 'utf8').split('\n').filter(Boolean);
  const lines = Array.from({ length: count }, (_, i) => `${base[i % base.length]} #${salt}${i}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

const MISS_TEXTS = 150_000;

export function parseKeyValues(line: string): Map<string, string> {
  return new Map(
    line
      .trim()
      .split(/\s+/)
      .flatMap((kv) => {
        const at = kv.indexOf('=');
        return at > 0 ? [[kv.slice(0, at), kv.slice(at + 1)] as [string, string]] : [];
      }),
  );
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

export async function measure(target: Target, workload: Workload, round: number, settings: RunSettings): Promise<Measurement> {
  const script = workload.startsWith('generate') ? 'generate' : workload;
  const dir = join(settings.outDir, 'runs', `${round}-${workload}-${target.conf}-${target.base.split(':').pop()}`);
  mkdirSync(dir, { recursive: true });
  let warmupS = settings.warmupS;
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (workload === 'generate-miss') {
    // run.sh would warm up on the texts it then measures, turning the first of them into hits.
    const warm = join(dir, 'warmup-texts.txt');
    writeMissTexts(warm, MISS_TEXTS, `w${round}-`);
    if (warmupS > 0) await wrk(target, 'generate', settings.connections, warmupS, warm);
    warmupS = 0;
    env.BENCH_TEXTS = join(dir, 'texts.txt');
    writeMissTexts(env.BENCH_TEXTS, MISS_TEXTS, `r${round}-`);
  }
  const args = [RUN_SH, '-d', String(settings.durationS), '-w', String(warmupS), '-c', String(settings.connections), '-l', script, '-o', dir];
  if (target.pid) args.push('-p', String(target.pid));
  args.push(target.base, target.conf);
  const ownHistogram = target.conf === 'qr-workshop';
  const before = ownHistogram ? await routeTotals(target.base) : undefined;
  const { code, output } = await run('bash', args, env);
  const after = before ? await routeTotals(target.base) : undefined;
  let raw: string;
  try {
    raw = readFileSync(join(dir, 'raw.txt'), 'utf8').trim().split('\n').pop()!;
  } catch {
    throw new Error(`run.sh gave no result for ${workload} on ${target.name} (exit ${code}):\n${output}`);
  }
  const kv = parseKeyValues(raw);
  const num = (k: string): number => Number(kv.get(k) ?? 'NaN');
  const opt = (k: string): number | undefined => (kv.has(k) && kv.get(k) !== 'nan' ? num(k) : undefined);
  const rps = num('rps');
  const cpuPct = opt('cpu_mean_pct');
  return {
    target: target.name,
    workload,
    round,
    rps,
    p50: num('p50_ms'),
    p90: num('p90_ms'),
    p99: num('p99_ms'),
    max: num('max_ms'),
    non2xx: num('non2xx'),
    socketErrors: num('err_connect') + num('err_read') + num('err_write') + num('err_timeout'),
    decodeEmpty: num('dec_empty'),
    cpuPct,
    rssMiB: opt('rss_max_mib'),
    cpuMsPerRequest: cpuPct !== undefined && rps > 0 ? (cpuPct * 10) / rps : undefined,
    routeMeanMs: before && after ? { generate: meanMs(before, after, '/api/v1/generate'), decode: meanMs(before, after, '/api/v1/decode') } : undefined,
  };
}

/** A plain wrk run of one of run.sh's Lua workloads (for overload and soak, where run.sh's warm-up and table do not fit). */
export async function wrk(target: Target, script: 'decode' | 'mix' | 'generate', connections: number, durationS: number, texts?: string): Promise<Map<string, string>> {
  const conf = readFileSync(join(ANCHORS, `bench/targets/${target.conf}.conf`), 'utf8');
  const env: NodeJS.ProcessEnv = { ...process.env, ...(texts ? { BENCH_TEXTS: texts } : {}) };
  for (const m of conf.matchAll(/^([A-Z_]+)=(?:'([^']*)'|(\S*))/gm)) env[m[1]!] = m[2] ?? m[3] ?? '';
  const { output } = await run('wrk', ['-t1', `-c${connections}`, `-d${durationS}s`, '--timeout', '10s', '--latency', '-s', join(ANCHORS, `bench/wrk/${script}.lua`), target.base], env);
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`wrk gave no RESULT line:\n${output}`);
  return parseKeyValues(line);
}
