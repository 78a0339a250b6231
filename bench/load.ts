/**
 * Throughput of the production build against the original design, on the same
 * machine in the same run, with ../shared/anchors/bench/run.sh (wrk + Lua and its
 * process sampler) driving both. Targets alternate within each round; the table
 * gives medians over the rounds. Results go to bench/results/<stamp>-load.md.
 *
 *   npm run bench:load [-- options]
 *     --rounds N          rounds per workload and target (3)
 *     --duration S        measured seconds per run (15); --warmup S (3); --connections C (32)
 *     --workloads LIST    generate-miss,generate-hit,decode,mix
 *     --threads N         POOL_THREADS of the service (default: its own, the number of cores)
 *     --compare URL       a reference already running (seed-py routes) instead of starting seed-py;
 *                         --compare-pid PID samples its CPU and RSS
 *     --no-reference      the service alone
 *     --scaling LIST      also decode and mix with these pool thread counts, e.g. 1,2
 *     --overload          also decode at 1x, 2x and 4x the connections
 *     --soak S            also the mix for S seconds with RSS samples
 *     --profile           also decode and generate-miss under node --cpu-prof, top functions
 *     --help              this text
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { decodeImage } from '../src/recognise/cascade.js';
import { loadReader } from '../src/recognise/reader/zxing.js';
import { RUN_SH, WORKLOADS, measure, type Measurement, type RunSettings, type Workload } from './load-run.js';
import { checkTargets, mixLatencyLines, summarise, table, targetLines } from './load-report.js';
import { overload, profile, soak } from './load-stress.js';
import { ANCHORS, ROOT, externalReference, seedAvailable, startSeed, startService, type Target } from './load-targets.js';

const OPTIONS = {
  rounds: { type: 'string', default: '3' },
  duration: { type: 'string', default: '15' },
  warmup: { type: 'string', default: '3' },
  connections: { type: 'string', default: '32' },
  workloads: { type: 'string', default: WORKLOADS.join(',') },
  threads: { type: 'string' },
  compare: { type: 'string' },
  'compare-pid': { type: 'string' },
  'no-reference': { type: 'boolean', default: false },
  scaling: { type: 'string' },
  overload: { type: 'boolean', default: false },
  soak: { type: 'string' },
  profile: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** The usage at the top of this file, printed for --help or an unknown option instead of a stack trace. */
function usage(): string {
  const source = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  return source
    .slice(source.indexOf('/**') + 3, source.indexOf('*/'))
    .split('\n')
    .map((l) => l.replace(/^ \* ?/, ''))
    .join('\n')
    .trim();
}

let parsed;
try {
  parsed = parseArgs({ options: OPTIONS });
} catch (err) {
  console.error(`${(err as Error).message}\n\n${usage()}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(usage());
  process.exit(0);
}
const args = parsed.values;

const positive = (name: string, raw: string | undefined): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
};
const rounds = positive('rounds', args.rounds);
const workloads = args.workloads.split(',').map((w) => {
  if (!(WORKLOADS as readonly string[]).includes(w)) throw new Error(`unknown workload ${w}; known: ${WORKLOADS.join(', ')}`);
  return w as Workload;
});
const poolThreads = args.threads ? positive('threads', args.threads) : undefined;
for (const tool of ['wrk', 'curl']) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`${tool} is not installed (apt-get install ${tool})`);
  }
}
if (!existsSync(RUN_SH)) throw new Error(`${RUN_SH} is missing: the load driver comes from ../shared/anchors/bench`);

const stamp = new Date().toISOString().replace(/[:T]/g, '-').slice(0, 16);
const resultsDir = join(ROOT, 'bench/results');
const outDir = join(resultsDir, 'raw', stamp);
mkdirSync(outDir, { recursive: true });
const settings: RunSettings = {
  durationS: positive('duration', args.duration),
  warmupS: args.warmup === '0' ? 0 : positive('warmup', args.warmup),
  connections: positive('connections', args.connections),
  outDir,
};

/** The same pipeline the workers run, on one thread here: what a decode request costs without HTTP. */
async function inProcessDecodeMs(): Promise<number> {
  sharp.cache(false);
  sharp.concurrency(1);
  const dir = join(ANCHORS, 'bench/images');
  const images = readdirSync(dir)
    .filter((f) => /\.(png|jpe?g)$/i.test(f))
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
  const reader = await loadReader();
  const options = { formats: ['QRCode'] as const, maxSide: 1200, maxPixels: 25_000_000 };
  for (const img of images) await decodeImage(reader, img, options);
  const reps = 5;
  const before = process.cpuUsage();
  for (let r = 0; r < reps; r++) for (const img of images) await decodeImage(reader, img, options);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / (reps * images.length);
}

const started: Target[] = [];
const stopAll = (): Promise<unknown> => Promise.all(started.splice(0).map((t) => t.stop()));
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));

const report: string[] = [];
const say = (text: string): void => {
  console.log(text);
  report.push(text);
};

try {
  const decodeCost = await inProcessDecodeMs();
  say(`# Load benchmark ${stamp}`);
  say('');
  say(`Command: \`npm run bench:load -- ${process.argv.slice(2).join(' ')}\``);
  say(
    `Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; wrk 1 thread, ${settings.connections} connections, ${settings.warmupS} s warm-up + ${settings.durationS} s per run, ${rounds} round(s), targets alternating.`,
  );
  say(`In-process decode + read (same pipeline, one thread, the 50 bench images): ${decodeCost.toFixed(2)} CPU-ms per image.`);
  say('');

  let reference: Target | undefined;
  if (args.compare) reference = externalReference(args.compare, args['compare-pid'] ? Number(args['compare-pid']) : undefined);
  else if (!args['no-reference']) {
    const missing = seedAvailable();
    if (missing) throw new Error(`cannot start the reference: ${missing}; pass --compare URL or --no-reference`);
    reference = await startSeed(join(outDir, 'seed.log'));
    started.push(reference);
  }
  const ours = await startService({ poolThreads, log: join(outDir, 'service.log') });
  started.push(ours);

  const runs: Measurement[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const w of workloads) {
      // The reference has no cache: its generate runs once, on run.sh's own 50 texts.
      const targets = reference && w !== 'generate-miss' ? [ours, reference] : [ours];
      for (const t of round % 2 ? targets : [...targets].reverse()) {
        const m = await measure(t, w, round, settings);
        console.log(
          `  round ${round} ${w.padEnd(13)} ${t.name.padEnd(28)} ${m.rps.toFixed(1).padStart(9)} req/s  p99 ${m.p99.toFixed(1)} ms  non-2xx ${m.non2xx}  CPU-ms/req ${m.cpuMsPerRequest?.toFixed(2) ?? '-'}  RSS ${m.rssMiB?.toFixed(0) ?? '-'} MiB`,
        );
        runs.push(m);
      }
    }
  }
  const summaries = summarise(runs);
  say('## Side by side (medians over rounds)');
  say('');
  say(table(summaries));
  say('');
  if (reference) {
    say('## Targets');
    say('');
    say(targetLines(checkTargets({ ours: summaries.filter((s) => s.target === ours.name), reference: summaries.filter((s) => s.target === reference.name), inProcessDecodeMs: decodeCost })));
    say('');
  }
  const mixLatency = mixLatencyLines(
    summaries.find((s) => s.target === ours.name && s.workload === 'mix'),
    reference && summaries.find((s) => s.target === reference.name && s.workload === 'mix'),
    settings.connections,
  );
  if (mixLatency) {
    say('## Where the mix latency goes');
    say('');
    say(mixLatency);
    say('');
  }

  if (args.overload) {
    say('## Overload');
    say('');
    say(await overload(ours, settings.connections, settings.durationS));
    say('');
  }
  if (args.soak) {
    say('## Soak');
    say('');
    say(await soak(ours, settings.connections, positive('soak', args.soak)));
    say('');
  }
  await stopAll();

  if (args.scaling) {
    const scaling: Measurement[] = [];
    for (const threads of args.scaling.split(',').map((t) => positive('scaling', t))) {
      // The default queue (16 per thread) is below 32 connections with one thread: it would measure shedding, not capacity.
      const maxQueue = Math.max(settings.connections, 16 * threads);
      const service = await startService({ poolThreads: threads, env: { POOL_MAX_QUEUE: String(maxQueue) }, log: join(outDir, `service-${threads}.log`) });
      started.push(service);
      for (const w of ['decode', 'mix'] as const) scaling.push(await measure(service, w, 1, settings));
      await stopAll();
    }
    say('## Pool threads');
    say('');
    say(table(summarise(scaling)));
    say('');
  }
  if (args.profile) {
    say('## CPU profile (node --cpu-prof, self time, all threads)');
    say('');
    for (const w of ['decode', 'generate-miss'] as const) {
      say(await profile(w, settings, poolThreads));
      say('');
    }
  }
  const file = join(resultsDir, `${stamp}-load.md`);
  writeFileSync(file, `${report.join('\n')}\n`);
  console.log(`\nwritten to ${file} (raw wrk output and samples under ${outDir})`);
} finally {
  await stopAll();
}
