/** Medians over rounds, the side-by-side table, the ratios and the targets. */
import type { Measurement, RouteMeans, Workload } from './load-run.js';

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Summary {
  readonly target: string;
  readonly workload: Workload;
  readonly rounds: number;
  readonly rps: number;
  readonly rpsRange: readonly [number, number];
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  /** Summed over rounds: every failed request counts. */
  readonly non2xx: number;
  readonly socketErrors: number;
  readonly decodeEmpty: number;
  readonly cpuMsPerRequest: number | undefined;
  /** Highest over the rounds. */
  readonly rssMiB: number | undefined;
  /** Medians over the rounds. */
  readonly routeMeanMs: RouteMeans | undefined;
}

function defined(values: ReadonlyArray<number | undefined>): number[] {
  return values.filter((v): v is number => v !== undefined && Number.isFinite(v));
}

export function summarise(runs: readonly Measurement[]): Summary[] {
  const groups = new Map<string, Measurement[]>();
  for (const r of runs) {
    const key = `${r.target}\u0000${r.workload}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const cpu = defined(g.map((r) => r.cpuMsPerRequest));
    const rss = defined(g.map((r) => r.rssMiB));
    const rps = g.map((r) => r.rps);
    const routes = g.map((r) => r.routeMeanMs).filter((r): r is RouteMeans => r !== undefined);
    return {
      target: g[0]!.target,
      workload: g[0]!.workload,
      rounds: g.length,
      rps: median(rps),
      rpsRange: [Math.min(...rps), Math.max(...rps)],
      p50: median(g.map((r) => r.p50)),
      p90: median(g.map((r) => r.p90)),
      p99: median(g.map((r) => r.p99)),
      non2xx: g.reduce((n, r) => n + r.non2xx, 0),
      socketErrors: g.reduce((n, r) => n + r.socketErrors, 0),
      decodeEmpty: g.reduce((n, r) => n + r.decodeEmpty, 0),
      cpuMsPerRequest: cpu.length ? median(cpu) : undefined,
      rssMiB: rss.length ? Math.max(...rss) : undefined,
      routeMeanMs: routes.length ? { generate: median(routes.map((r) => r.generate)), decode: median(routes.map((r) => r.decode)) } : undefined,
    };
  });
}

const fmt = (v: number | undefined, digits = 1): string => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

export function table(summaries: readonly Summary[]): string {
  const head = '| target | workload | req/s (median) | range | p50 ms | p90 ms | p99 ms | non-2xx | socket errors | decode found nothing | CPU-ms/req | peak RSS MiB |';
  const rule = '|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|';
  const rows = summaries.map(
    (s) =>
      `| ${s.target} | ${s.workload} | ${fmt(s.rps)} | ${fmt(s.rpsRange[0], 0)}-${fmt(s.rpsRange[1], 0)} | ${fmt(s.p50)} | ${fmt(s.p90)} | ${fmt(s.p99)} | ${s.non2xx} | ${s.socketErrors} | ${s.decodeEmpty} | ${fmt(s.cpuMsPerRequest, 2)} | ${fmt(s.rssMiB, 0)} |`,
  );
  return [head, rule, ...rows].join('\n');
}

export interface TargetCheck {
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface TargetInputs {
  readonly ours: readonly Summary[];
  readonly reference: readonly Summary[];
  /** In-process CPU-ms of image decode + read per image, same images, same process as the figures. */
  readonly inProcessDecodeMs: number;
}

/** The targets, each with the figure it was judged on. */
export function checkTargets({ ours, reference, inProcessDecodeMs }: TargetInputs): TargetCheck[] {
  const get = (list: readonly Summary[], w: Workload): Summary | undefined => list.find((s) => s.workload === w);
  const checks: TargetCheck[] = [];
  const mix = get(ours, 'mix');
  const refMix = get(reference, 'mix');
  if (mix && refMix) {
    const ratio = mix.rps / refMix.rps;
    checks.push({ goal: 'mix req/s >= 6x the reference', measured: `${fmt(mix.rps)} / ${fmt(refMix.rps)} = ${ratio.toFixed(2)}x`, met: ratio >= 6 });
    checks.push({ goal: 'mix p99 <= 1/4 of the reference p99', measured: `${fmt(mix.p99)} ms vs ${fmt(refMix.p99)} ms (${(mix.p99 / refMix.p99).toFixed(2)}x)`, met: mix.p99 <= refMix.p99 / 4 });
  }
  const decode = get(ours, 'decode');
  if (decode?.cpuMsPerRequest !== undefined) {
    const ratio = decode.cpuMsPerRequest / inProcessDecodeMs;
    checks.push({
      goal: 'decode CPU-ms/request <= 1.3x in-process decode + read',
      measured: `${fmt(decode.cpuMsPerRequest, 2)} / ${fmt(inProcessDecodeMs, 2)} ms = ${ratio.toFixed(2)}x`,
      met: ratio <= 1.3,
    });
  }
  const miss = get(ours, 'generate-miss');
  const refGen = get(reference, 'generate-miss') ?? get(reference, 'generate-hit');
  if (miss && refGen) {
    const ratio = miss.rps / refGen.rps;
    checks.push({ goal: 'generate (cache miss) req/s >= 15x the reference', measured: `${fmt(miss.rps)} / ${fmt(refGen.rps)} = ${ratio.toFixed(1)}x`, met: ratio >= 15 });
  }
  const rss = Math.max(...defined(ours.map((s) => s.rssMiB)));
  if (Number.isFinite(rss)) checks.push({ goal: 'RSS under load <= 160 MiB', measured: `${fmt(rss, 0)} MiB peak`, met: rss <= 160 });
  const errors = ours.reduce((n, s) => n + s.non2xx + s.socketErrors, 0);
  checks.push({ goal: 'zero errors', measured: `${errors} non-2xx or socket errors`, met: errors === 0 });
  return checks;
}

export function targetLines(checks: readonly TargetCheck[]): string {
  return checks.map((c) => `- ${c.met ? 'MET    ' : 'NOT MET'} ${c.goal}: ${c.measured}`).join('\n');
}

/**
 * Where the mix's latency goes. run.sh's mix repeats 50 texts, so its generates are cache hits
 * answered at once, and with C connections almost all of them wait on a decode at any moment:
 * by Little's law a decode then takes about 2C / (mix req/s), and the mix's p99 is a decode's p98.
 * A p99 of a quarter of the reference's needs, even if every decode took exactly that mean,
 * mix req/s >= 2C / (reference p99 / 4).
 */
export function mixLatencyLines(ours: Summary | undefined, reference: Summary | undefined, connections: number): string {
  if (!ours?.routeMeanMs) return '';
  const lines = [
    `- ${ours.target}, mix, mean latency by route (its own histogram, warm-up included): generate ${fmt(ours.routeMeanMs.generate)} ms, decode ${fmt(ours.routeMeanMs.decode)} ms.`,
    `- With ${connections} connections and the generates answered at once, a decode waits about 2 x ${connections} / ${fmt(ours.rps)} req/s = ${fmt((2000 * connections) / ours.rps)} ms, and the mix's p99 is a decode's p98.`,
  ];
  if (reference) {
    const needed = (2000 * connections) / (reference.p99 / 4);
    lines.push(
      `- A p99 of a quarter of the reference's (${fmt(reference.p99 / 4)} ms) needs, even if every decode took exactly the mean, at least ${fmt(needed, 0)} mix req/s: ${(needed / reference.rps).toFixed(1)}x the reference's ${fmt(reference.rps)}.`,
    );
  }
  return lines.join('\n');
}
