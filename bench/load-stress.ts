/**
 * Beyond the side-by-side figures: overload (2x and 4x the connections that
 * saturate the service), a long soak with memory samples, and CPU profiles.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { topFunctions } from './cpu-profile.js';
import { measure, wrk, type RunSettings, type Workload } from './load-run.js';
import { startService, treeRssMiB, type Target } from './load-targets.js';

type Buckets = Map<string, Map<number, number>>;

/** Cumulative request-duration buckets per "route status" from the service's own /metrics. */
async function durationBuckets(base: string): Promise<Buckets> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out: Buckets = new Map();
  for (const m of text.matchAll(/^http_request_duration_seconds_bucket\{([^}]*)\} (\d+)/gm)) {
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    const key = `${labels.route} ${labels.status}`;
    const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
    if (!out.has(key)) out.set(key, new Map());
    out.get(key)!.set(le, Number(m[2]));
  }
  return out;
}

/** Count and p99 (linear within a bucket, as Prometheus' histogram_quantile) of what happened between two scrapes. */
function delta(before: Buckets, after: Buckets, key: string): { count: number; p99Ms: number } {
  const a = after.get(key);
  if (!a) return { count: 0, p99Ms: Number.NaN };
  const b = before.get(key);
  const bounds = [...a.keys()].sort((x, y) => x - y);
  const cum = bounds.map((le) => (a.get(le) ?? 0) - (b?.get(le) ?? 0));
  const count = cum[cum.length - 1] ?? 0;
  const rank = 0.99 * count;
  for (let i = 0; i < bounds.length; i++) {
    if (cum[i]! >= rank && count > 0) {
      const lo = i === 0 ? 0 : bounds[i - 1]!;
      const hi = bounds[i]!;
      if (!Number.isFinite(hi)) return { count, p99Ms: lo * 1000 };
      const below = i === 0 ? 0 : cum[i - 1]!;
      return { count, p99Ms: (lo + ((hi - lo) * (rank - below)) / Math.max(1, cum[i]! - below)) * 1000 };
    }
  }
  return { count, p99Ms: Number.NaN };
}

export async function overload(target: Target, connections: number, durationS: number): Promise<string> {
  const lines = [
    `Decode at 1x, 2x and 4x the ${connections} connections that saturate it (wrk, ${durationS} s each). Accepted and shed requests are counted and timed by the service's own histogram (p99 interpolated within buckets).`,
    '',
    '| connections | req/s | 200 | 503 shed | p99 of 200s (server) ms | p99 of 503s (server) ms | client p99 ms (all) | socket errors | RSS after MiB |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const factor of [1, 2, 4]) {
    const c = connections * factor;
    const before = await durationBuckets(target.base);
    const r = await wrk(target, 'decode', c, durationS);
    const after = await durationBuckets(target.base);
    const ok = delta(before, after, '/api/v1/decode 200');
    const shed = delta(before, after, '/api/v1/decode 503');
    const errors = ['err_connect', 'err_read', 'err_write', 'err_timeout'].reduce((n, k) => n + Number(r.get(k) ?? 0), 0);
    const rss = target.pid ? treeRssMiB(target.pid).toFixed(0) : '-';
    lines.push(
      `| ${c} | ${Number(r.get('rps')).toFixed(1)} | ${ok.count} | ${shed.count} | ${ok.p99Ms.toFixed(1)} | ${shed.count ? shed.p99Ms.toFixed(2) : '-'} | ${r.get('p99_ms')} | ${errors} | ${rss} |`,
    );
    console.log(lines[lines.length - 1]);
  }
  return lines.join('\n');
}

export async function soak(target: Target, connections: number, durationS: number): Promise<string> {
  if (!target.pid) throw new Error('the soak samples the service process; it needs a PID');
  const samples: Array<[number, number]> = [];
  const start = Date.now();
  const timer = setInterval(() => samples.push([(Date.now() - start) / 1000, treeRssMiB(target.pid!)]), 10_000);
  samples.push([0, treeRssMiB(target.pid)]);
  const r = await wrk(target, 'mix', connections, durationS);
  clearInterval(timer);
  samples.push([(Date.now() - start) / 1000, treeRssMiB(target.pid)]);
  const rss = samples.map((s) => s[1]);
  const firstMinute = samples.filter((s) => s[0] >= 60 && s[0] <= 70)[0]?.[1] ?? rss[1] ?? rss[0]!;
  return [
    `Mix for ${durationS} s at ${connections} connections: ${Number(r.get('rps')).toFixed(1)} req/s, p99 ${r.get('p99_ms')} ms, ${r.get('non2xx')} non-2xx, ${['err_connect', 'err_read', 'err_write', 'err_timeout'].reduce((n, k) => n + Number(r.get(k) ?? 0), 0)} socket errors.`,
    `RSS MiB every 10 s: ${rss.map((v) => v.toFixed(0)).join(' ')}`,
    `RSS at 60 s ${firstMinute.toFixed(0)} MiB, at the end ${rss[rss.length - 1]!.toFixed(0)} MiB, highest ${Math.max(...rss).toFixed(0)} MiB.`,
  ].join('\n');
}

/** Starts a service under --cpu-prof, runs one workload, stops it (profiles are written at exit) and lists the top costs. */
export async function profile(workload: Workload, settings: RunSettings, poolThreads: number | undefined): Promise<string> {
  const dir = join(settings.outDir, `profile-${workload}`);
  mkdirSync(dir, { recursive: true });
  const service = await startService({ poolThreads, nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`], log: join(dir, 'service.log') });
  let m;
  try {
    m = await measure(service, workload, 0, settings);
  } finally {
    await service.stop();
  }
  const { total, threads, top } = topFunctions(dir);
  return [
    `${workload}: ${m.rps.toFixed(1)} req/s under the profiler; ${total.toFixed(0)} ms of JS/wasm CPU sampled on ${threads} threads = ${(total / (m.rps * (settings.durationS + settings.warmupS))).toFixed(3)} ms per request (warm-up included) (libvips/libuv native threads are not sampled).`,
    '',
    '| self ms | share | function |',
    '|---:|---:|---|',
    ...top.map((f) => `| ${f.ms.toFixed(0)} | ${(f.share * 100).toFixed(1)} % | \`${f.name}\` |`),
  ].join('\n');
}
