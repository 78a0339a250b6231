/**
 * The ID-photo tool, measured per matting engine (selfie always; isnet when its optional package is
 * installed): the time of each stage and end to end per photo (sequential, in this process), photos
 * per second under concurrent requests to the production build (started as `npm start` starts it,
 * TOOLS=idphoto) with the server's peak RSS, and the halo score with and without the foreground
 * estimation. Prints a markdown report with the issue's targets beside the figures, and writes it to
 * bench/results/<date>-idphoto.md.
 *
 *   npm run bench:idphoto [-- --seconds 20] [--concurrency 4] [--spec us-passport] [--engines selfie,isnet] [--no-load]
 *                         [--isnet-photos 6] [--full] [--threads N (the server's IDPHOTO_THREADS)] [--isnet-profile lean|fast]
 *
 * ISNet costs ~20x selfie here: it runs on the first 6 portraits and without the halo unless --full
 * (all 24 and the halo: ~3 more minutes). The box's load average is printed beside the figures, and
 * the CPU seconds per photo, which other processes on the box do not inflate.
 *
 * The portraits are ../shared/idphoto/portraits/*.jpg (24 CC0 stock portraits beside the checkout).
 */
import { readdirSync, readFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodePortrait, type DecodeLimits } from '../src/idphoto/codec/decode.js';
import { engineLoader } from '../src/idphoto/engine-loader.js';
import { ISNET_PROFILES, type IsnetProfile } from '../src/idphoto/onnx-device.js';
import { makeCutout, makeIdPhoto, type IdPhotoModels } from '../src/idphoto/make.js';
import { fromBytes } from '../src/idphoto/matte/bytes.js';
import { haloBand, haloScore } from '../src/idphoto/matte/halo.js';
import type { Image } from '../src/idphoto/matte/image.js';
import { engineAvailability } from '../src/idphoto/matting/engines.js';
import { createModels, type LoadedModels } from '../src/idphoto/models.js';
import { photoGeometry, pxToMm } from '../src/idphoto/geometry.js';
import { parseIdPhotoOptions } from '../src/idphoto/options.js';
import { backgroundFor, parseBackground } from '../src/idphoto/output/background.js';
import { runPipeline, type PipelineModels, type PipelineResult } from '../src/idphoto/pipeline.js';
import { composite } from '../src/idphoto/matte/composite.js';
import type { RgbImage } from '../src/idphoto/rgb.js';
import { headAgainstMarks, headTable, type HeadRun } from './idphoto-head.js';
import { ROOT, startService, type Target } from './load-targets.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const LOAD_SECONDS = Number(flag('--seconds') ?? 20);
const CONCURRENCY = Number(flag('--concurrency') ?? 4);
const SPEC = flag('--spec') ?? 'us-passport';
const BACKGROUND = 'white';
const ONLY = flag('--engines')?.split(',');
const NO_LOAD = args.includes('--no-load');
/** ISNet costs ~15-30x selfie on this box: by default it runs on the first ISNET_PHOTOS portraits and skips the halo (--full: all of it). */
const FULL = args.includes('--full');
const ISNET_PHOTOS = Number(flag('--isnet-photos') ?? 6);
/** The server's ID-photo threads (IDPHOTO_THREADS); by default its own default (the cores). */
const THREADS = flag('--threads');
/** ISNet's session profile (IDPHOTO_ISNET_PROFILE), in this process and the server. */
const ISNET_PROFILE = parseIsnetProfile(flag('--isnet-profile') ?? 'lean');
/** The CLI's limits (and the service's defaults). */
const LIMITS: DecodeLimits = { maxPixels: 25_000_000, maxSide: 1600 };
const PORTRAITS_RELATIVE = '../shared/idphoto/portraits';
const PORTRAITS = join(ROOT, PORTRAITS_RELATIVE);
const RESULTS = join(ROOT, 'bench/results');
/** Portraits with hair against the background (long blonde, windblown, curly). */
const HALO_PORTRAITS = ['011.jpg', '042.jpg', '058.jpg'];
/** The colour every halo composite is put on. */
const HALO_TARGET = '#628bce';
const STAGES = ['decode', 'face', 'matting', 'placement', 'refinement', 'composition', 'encoding', 'total'] as const;

const TARGETS = {
  selfie: { p50: 0.6, photosPerSecond: 3, rssMb: 450 },
  isnet: { p50: 2.5, photosPerSecond: undefined, rssMb: 1024 },
} as const;
const HALO_REDUCTION_TARGET = 30;

type EngineName = 'selfie' | 'isnet';

function parseIsnetProfile(raw: string): IsnetProfile {
  if (!(ISNET_PROFILES as readonly string[]).includes(raw)) throw new Error(`--isnet-profile is one of ${ISNET_PROFILES.join(', ')}, not ${raw}`);
  return raw as IsnetProfile;
}

const out: string[] = [];
function print(line = ''): void {
  out.push(line);
  process.stdout.write(line + '\n');
}

const quantile = (values: readonly number[], q: number): number => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
};
const median = (values: readonly number[]): number => quantile(values, 0.5);
const f = (v: number | undefined, digits = 2): string => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));

// ---------------------------------------------------------------------------------------------------------------------
// Sequential, in this process.

interface Sequential {
  readonly seconds: number[];
  /** CPU seconds of this process (all its threads) per photo: what the photo costs whatever else the box runs. */
  readonly cpuSeconds: number[];
  readonly stages: Record<string, number[]>;
  /** Per photo made: the share of it where the person is continued past the picture's edges. */
  readonly continued: number[];
  readonly failed: { file: string; code: string }[];
  readonly ok: string[];
  readonly loadSeconds: number;
}

async function sequential(engine: EngineName, models: IdPhotoModels, files: readonly string[]): Promise<Sequential> {
  const options = parseIdPhotoOptions({ spec: SPEC, background: BACKGROUND, engine });
  const read = (file: string): Uint8Array => new Uint8Array(readFileSync(join(PORTRAITS, file)));
  // The first call loads the models: timed apart, not counted.
  let t = performance.now();
  await makeIdPhoto(read(HALO_PORTRAITS[0]!), options, models, LIMITS).catch(() => undefined);
  const loadSeconds = (performance.now() - t) / 1000;
  const seconds: number[] = [];
  const cpuSeconds: number[] = [];
  const stages: Record<string, number[]> = Object.fromEntries(STAGES.map((s) => [s, []]));
  const continued: number[] = [];
  const failed: { file: string; code: string }[] = [];
  const ok: string[] = [];
  for (const file of files) {
    const bytes = read(file);
    t = performance.now();
    const cpu = process.cpuUsage();
    try {
      const result = await makeIdPhoto(bytes, options, models, LIMITS);
      seconds.push((performance.now() - t) / 1000);
      const used = process.cpuUsage(cpu);
      cpuSeconds.push((used.user + used.system) / 1e6);
      for (const s of STAGES) stages[s]!.push(result.report.timings[s] ?? 0);
      continued.push(result.report.continued);
      ok.push(file);
    } catch (err) {
      failed.push({ file, code: (err as { code?: string }).code ?? String(err) });
    }
  }
  return { seconds, cpuSeconds, stages, continued, failed, ok, loadSeconds };
}

// ---------------------------------------------------------------------------------------------------------------------
// Under load: the production build, N requests in flight for LOAD_SECONDS, peak RSS sampled.

interface Load {
  readonly completions: number;
  readonly perSecond: number;
  readonly latencies: number[];
  readonly cacheHits: number;
  readonly rejected: number;
  readonly errors: string[];
  readonly peakRssMb: number;
  readonly hwmMb: number;
  /** The server's CPU seconds (all threads) in the window per photo made. */
  readonly cpuPerPhoto: number;
}

/** utime + stime of a process (all its threads), in seconds. */
function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // Fields 14 and 15 of stat(5), counted from the state (field 3) here; clock ticks of 1/100 s on Linux.
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function rssOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

async function underLoad(engine: EngineName, files: readonly string[], log: string): Promise<Load> {
  const service: Target = await startService({ log, env: { TOOLS: 'idphoto', LOG_LEVEL: 'warn', IDPHOTO_ISNET_PROFILE: ISNET_PROFILE, ...(THREADS && { IDPHOTO_THREADS: THREADS }) } });
  const pid = service.pid!;
  let peakRss = rssOf(pid).rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(pid).rss)), 200);
  const bodies = files.map((file) => readFileSync(join(PORTRAITS, file)));
  let next = 0;
  // A colour of its own per request (near white): the result cache never answers, every request is made.
  const request = async (): Promise<{ status: number; cache: string; ms: number; text?: string }> => {
    const i = next++;
    const colour = (0xffffff - i).toString(16).padStart(6, '0');
    const t = performance.now();
    const res = await fetch(`${service.base}/api/v1/idphoto?spec=${SPEC}&engine=${engine}&background=%23${colour}`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/jpeg' },
      body: bodies[i % bodies.length]!,
    });
    const body = await res.arrayBuffer();
    const ms = performance.now() - t;
    return { status: res.status, cache: res.headers.get('x-cache') ?? '', ms, ...(res.status !== 200 && { text: Buffer.from(body).toString().slice(0, 200) }) };
  };
  try {
    // Warm-up: every thread loads its models.
    const warm = await Promise.all(Array.from({ length: CONCURRENCY }, () => request()));
    const bad = warm.find((r) => r.status !== 200);
    if (warm.every((r) => r.status !== 200)) throw new Error(`the server made no photo: ${bad!.status} ${bad!.text ?? ''}`);
    const latencies: number[] = [];
    const errors: string[] = [];
    let completions = 0;
    let cacheHits = 0;
    let rejected = 0;
    const started = performance.now();
    const deadline = started + LOAD_SECONDS * 1000;
    const cpuStart = cpuOf(pid);
    let cpuEnd = NaN;
    const stopwatch = setTimeout(() => (cpuEnd = cpuOf(pid)), LOAD_SECONDS * 1000);
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const r = await request().catch((err: Error) => ({ status: 0, cache: '', ms: 0, text: err.message }));
        if (performance.now() > deadline) break;
        if (r.status === 200) {
          completions++;
          latencies.push(r.ms);
          if (r.cache.startsWith('hit')) cacheHits++;
        } else if (r.status === 503) {
          rejected++;
        } else if (errors.length < 5) {
          errors.push(`${r.status}: ${r.text ?? ''}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    clearTimeout(stopwatch);
    if (Number.isNaN(cpuEnd)) cpuEnd = cpuOf(pid);
    const elapsed = Math.min(performance.now(), deadline) - started;
    const { hwm } = rssOf(pid);
    peakRss = Math.max(peakRss, rssOf(pid).rss);
    return { completions, perSecond: completions / (elapsed / 1000), latencies, cacheHits, rejected, errors, peakRssMb: peakRss, hwmMb: hwm, cpuPerPhoto: (cpuEnd - cpuStart) / completions };
  } finally {
    clearInterval(sampler);
    await service.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Halo: one cut-out over very different backgrounds, the whole pipeline on each, outputs compared in the hair band.

/** A deterministic busy texture: coloured blocks of several sizes under diagonal stripes. */
function texture(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  let seed = 12345;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
  const palette = Array.from({ length: 64 }, () => [random() * 255, random() * 255, random() * 255]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const block = palette[((x >> 5) * 7 + (y >> 5) * 13 + ((x >> 3) ^ (y >> 3))) & 63]!;
      const stripe = ((x + y) >> 2) & 1 ? 1 : 0.55;
      const p = (y * width + x) * 3;
      data[p] = block[0]! * stripe;
      data[p + 1] = block[1]! * stripe;
      data[p + 2] = block[2]! * stripe;
    }
  }
  return data;
}

function over(rgba: Uint8Array, background: (p: number) => readonly [number, number, number], width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const a = rgba[i * 4 + 3]! / 255;
    const bg = background(i);
    for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.round(rgba[i * 4 + c]! * a + bg[c]! * (1 - a));
  }
  return { data, width, height };
}

/**
 * Mean |alpha - true alpha| over the band of the first alpha and the three composites, the true alpha read off the
 * frames over white and over green (colours as uploaded: no foreground estimate), which differ by (1 - alpha) in red
 * and blue; only meaningful where the three frames share one geometry (face and coarse matte fixed).
 */
function matteError(frames: readonly Image[], alphas: readonly Image[]): number {
  const [white, green] = [frames[0]!.data, frames[1]!.data];
  const band = haloBand(alphas[0]!);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < band.length; i++) {
    if (band[i] === 0) continue;
    const truth = Math.min(1, Math.max(0, 1 - (white[i * 3]! - green[i * 3]! + white[i * 3 + 2]! - green[i * 3 + 2]!) / 2));
    for (const alpha of alphas) sum += Math.abs(alpha.data[i]! - truth);
    count += alphas.length;
  }
  return count === 0 ? 0 : sum / count;
}

interface Halo {
  readonly portraits: {
    file: string;
    withEstimate: number;
    /** Blur-fusion without the edge's colour decontamination. */
    noEdge: number;
    multilevel: number;
    without: number;
    fixedWith: number;
    fixedWithout: number;
    /** The whole pipeline's score over the two plain backgrounds alone (white and green), with and without the estimate. */
    plainWith: number;
    plainWithout: number;
    /** Face and coarse matte fixed: mean |alpha - the composites' true alpha| over the band and the three backgrounds. */
    matteError: number;
    /** The whole pipeline, each composite's colours put on the first composite's alpha: the colour estimate alone, with and without it. */
    colourWith: number;
    colourWithout: number;
  }[];
  readonly failed: string[];
}

async function halo(engine: EngineName, models: LoadedModels): Promise<Halo> {
  const spec = parseIdPhotoOptions({ spec: SPEC }).spec;
  const target = parseBackground(HALO_TARGET, '#ffffff');
  const fill = (w: number, h: number) => backgroundFor(target, w, h);
  const [detector, mesh, matting] = await Promise.all([models.detector(), models.mesh(), models.engine(engine)]);
  const results: Halo['portraits'] = [];
  const failed: string[] = [];
  for (const file of HALO_PORTRAITS) {
    try {
      const cut = await makeCutout(new Uint8Array(readFileSync(join(PORTRAITS, file))), engine, models, LIMITS);
      const { data, info } = await sharp(cut.image.data).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const { width, height } = info;
      const busy = texture(width, height);
      const composites = [
        over(data, () => [255, 255, 255], width, height),
        over(data, () => [0, 255, 0], width, height),
        over(data, (i) => [busy[i * 3]!, busy[i * 3 + 1]!, busy[i * 3 + 2]!], width, height),
      ];
      // Through the decoder as an upload would be (PNG: lossless).
      const decoded = await Promise.all(
        composites.map(
          async (c) =>
            (
              await decodePortrait(
                await sharp(c.data, { raw: { width, height, channels: 3 } })
                  .png({ compressionLevel: 1 })
                  .toBuffer(),
                LIMITS,
              )
            ).rgb,
        ),
      );
      // The whole pipeline on each composite; and with the face and coarse matte of the first held fixed, which isolates the colour estimation.
      const faces = await detector.detect(decoded[0]!);
      const first = { faces, landmarks: faces[0] ? await mesh.landmarks(decoded[0]!, faces[0]) : null, matte: await matting.matte(decoded[0]!) };
      const fixed: PipelineModels = {
        detector: { model: detector.model, detect: () => Promise.resolve(first.faces), release: () => Promise.resolve() },
        mesh: { landmarks: () => Promise.resolve(first.landmarks), release: () => Promise.resolve() },
        engine: { name: matting.name, matte: () => Promise.resolve(first.matte), release: () => Promise.resolve() },
      };
      const score = async (
        pipelineModels: PipelineModels,
        foreground: 'blur-fusion' | 'multilevel' | 'none',
        edgeColours = true,
      ): Promise<{ all: number; plain: number; matteError: number; colourOnly: number }> => {
        const outputs: Image[] = [];
        const alphas: Image[] = [];
        const frames: Image[] = [];
        let composited: PipelineResult['fill'] = null;
        for (const rgb of decoded) {
          const r = await runPipeline(rgb, pipelineModels, { spec, background: fill, foreground, edgeColours });
          outputs.push(fromBytes(r.photo.data, { width: r.photo.width, height: r.photo.height, channels: 3 }));
          alphas.push(r.alpha);
          frames.push(r.foreground);
          composited = r.fill;
        }
        // Each composite's colours (its foreground estimate, or its own pixels without one) on the first one's alpha:
        // what differs then is the colour estimate alone, not the matte.
        const colourOnly = haloScore(
          frames.map((frame) => composite(frame, alphas[0]!, composited!)),
          alphas[0]!,
        );
        return { all: haloScore(outputs, alphas[0]!), plain: haloScore(outputs.slice(0, 2), alphas[0]!), matteError: foreground === 'none' ? matteError(frames, alphas) : NaN, colourOnly };
      };
      const whole: PipelineModels = { detector, mesh, engine: matting };
      const [withEstimate, without] = [await score(whole, 'blur-fusion'), await score(whole, 'none')];
      results.push({
        file,
        withEstimate: withEstimate.all,
        noEdge: (await score(whole, 'blur-fusion', false)).all,
        multilevel: (await score(whole, 'multilevel')).all,
        without: without.all,
        fixedWith: (await score(fixed, 'blur-fusion')).all,
        ...(({ all, matteError }) => ({ fixedWithout: all, matteError }))(await score(fixed, 'none')),
        plainWith: withEstimate.plain,
        plainWithout: without.plain,
        colourWith: withEstimate.colourOnly,
        colourWithout: without.colourOnly,
      });
    } catch (err) {
      failed.push(`${file}: ${(err as Error).message}`);
    }
  }
  return { portraits: results, failed };
}

// ---------------------------------------------------------------------------------------------------------------------

interface EngineRun {
  readonly engine: EngineName;
  readonly sequential: Sequential;
  /** VmHWM of this process after the engine's sequential run: one model instance in one thread (isnet runs first, in a fresh process). */
  readonly inProcessHwmMb: number;
  readonly load?: Load | { skipped: string };
  readonly halo: Halo;
  readonly head: HeadRun;
}

function machine(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length}-core ${model}, node ${process.version}`;
}

async function main(): Promise<void> {
  if (!existsSync(PORTRAITS)) throw new Error(`${PORTRAITS} is missing: the portraits live in ../shared/idphoto/portraits beside the checkout.`);
  const files = readdirSync(PORTRAITS)
    .filter((f) => /\.jpe?g$/i.test(f))
    .sort();
  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().slice(0, 16).replace(/[T:]/g, '-');
  print(`# bench:idphoto ${stamp}`);
  print();
  print(
    `\`npm run bench:idphoto${args.length ? ' -- ' + args.join(' ') : ''}\` — ${machine()}. ${files.length} portraits (${PORTRAITS_RELATIVE}), spec ${SPEC}, background ${BACKGROUND}, ISNet profile ${ISNET_PROFILE}.`,
  );
  const loadAtStart = loadavg()[0]!;
  print();

  const engines: EngineName[] = [];
  for (const name of ['selfie', 'isnet'] as const) {
    if (ONLY && !ONLY.includes(name)) continue;
    if (name === 'isnet') {
      const availability = engineAvailability('isnet');
      if (!availability.available) {
        print(`isnet: skipped (not available: ${availability.reason ?? 'no reason given'})`);
        print();
        continue;
      }
    }
    engines.push(name);
  }

  const runs: EngineRun[] = [];
  // ISNet first, in a process that has run nothing else, so that its VmHWM is its own; the tables list selfie first.
  for (const engine of [...engines].reverse()) {
    // The service's own loader (the worker threads and the CLI use it).
    const models = createModels(engineLoader({ isnetProfile: ISNET_PROFILE }));
    const sample = engine === 'isnet' && !FULL ? files.slice(0, ISNET_PHOTOS) : files;
    process.stderr.write(`${engine}: ${sample.length} portraits, one at a time...\n`);
    const seq = await sequential(engine, models, sample);
    const hwm = rssOf(process.pid).hwm;
    process.stderr.write(`${engine}: the head against the hand-marked landmarks...\n`);
    const head = await headAgainstMarks(engine, models, PORTRAITS, LIMITS, engine === 'isnet' && !FULL ? sample : undefined);
    const skipHalo = engine === 'isnet' && !FULL;
    if (!skipHalo) process.stderr.write(`${engine}: halo on ${HALO_PORTRAITS.join(', ')}...\n`);
    const haloResult = skipHalo ? { portraits: [], failed: ['not run (--full runs it: about 24 ISNet mattes)'] } : await halo(engine, models);
    await models.release();
    let load: EngineRun['load'];
    if (!NO_LOAD) {
      process.stderr.write(`${engine}: ${CONCURRENCY} concurrent requests for ${LOAD_SECONDS} s against the production build...\n`);
      load = await underLoad(engine, seq.ok.length > 0 ? seq.ok : files, join(RESULTS, `${stamp}-idphoto-${engine}-server.log`)).catch((err: Error) => ({ skipped: err.message }));
    }
    runs.unshift({ engine, sequential: seq, inProcessHwmMb: hwm, halo: haloResult, head, ...(load && { load }) });
  }

  print('## Stages (ms per photo, median over the photos made; sequential, in-process)');
  print();
  print(`| engine | ${STAGES.join(' | ')} | model load (first photo) s |`);
  print(`|---|${STAGES.map(() => '---:').join('|')}|---:|`);
  for (const r of runs) print(`| ${r.engine} | ${STAGES.map((s) => f(median(r.sequential.stages[s]!), 1)).join(' | ')} | ${f(r.sequential.loadSeconds)} |`);
  print();
  const share = (values: readonly number[]): string =>
    `${f(values.length ? (100 * values.reduce((a, v) => a + v, 0)) / values.length : undefined, 1)} % mean, ${values.filter((v) => v > 0.1).length} of ${values.length} above 10 %`;
  print(`The person continued past the picture's edges (the report's \`continued\`, share of the ${SPEC} photo): ${runs.map((r) => `${r.engine} ${share(r.sequential.continued)}`).join('; ')}.`);
  print();

  print('## End to end and under load');
  print();
  const cores = availableParallelism();
  print(
    `| engine | photos made | p50 s | p95 s | CPU-s per photo (p50) | photos/s (${CONCURRENCY} concurrent, ${LOAD_SECONDS} s) | p50 s under load | server CPU-s per photo | ${cores} idle cores would make, photos/s | peak RSS MB (VmRSS sampled / VmHWM) | refused (4xx) |`,
  );
  print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of runs) {
    const s = r.sequential;
    const load = r.load && 'completions' in r.load ? r.load : undefined;
    const refused = s.failed.map((x) => `${x.file} ${x.code}`).join(', ') || 'none';
    print(
      `| ${r.engine} | ${s.ok.length}/${s.ok.length + s.failed.length} | ${f(median(s.seconds), 3)} | ${f(quantile(s.seconds, 0.95), 3)} | ${f(median(s.cpuSeconds), 3)} | ${f(load?.perSecond)} | ${f(load ? median(load.latencies) / 1000 : undefined, 3)} | ${f(load?.cpuPerPhoto, 3)} | ${f(load && cores / load.cpuPerPhoto)} | ${load ? `${f(load.peakRssMb, 0)} / ${f(load.hwmMb, 0)}` : 'n/a'} | ${refused} |`,
    );
  }
  for (const r of runs) {
    if (!r.load) continue;
    if ('skipped' in r.load) print(`\n${r.engine} under load: not measured (${r.load.skipped})`);
    else
      print(
        `\n${r.engine} under load: ${r.load.completions} photos in ${LOAD_SECONDS} s, ${r.load.cacheHits} cache hits, ${r.load.rejected} refused with 503${r.load.errors.length ? `, errors: ${r.load.errors.join('; ')}` : ', no errors'}.`,
      );
  }
  print();
  print(
    `The box's load average (1 min) was ${f(loadAtStart)} at the start and ${f(loadavg()[0])} at the end on ${cores} cores: above ${cores}, other processes took CPU and every time above is longer than on an idle box. The CPU-s figures are what a photo costs whatever else runs; "${cores} idle cores would make" is ${cores} / the server's CPU-s per photo, derived, not measured.`,
  );
  print();

  print('## The head against hand-marked landmarks');
  print();
  print(
    `Eyes, chin and the top of the hair marked by hand on the portraits (test/fixtures/idphoto/portrait-landmarks.json; those with both eyes visible, and for the hair those whose hair is inside the picture), against the head the pipeline measures (the face mesh's eyes and chin, the hair top from the engine's matte). Distances along the marked head's axis; signed errors are measured minus marked.${FULL ? '' : ' ISNet: its first portraits only (--full: all).'}`,
  );
  print();
  const specGeometry = photoGeometry(parseIdPhotoOptions({ spec: SPEC }).spec);
  for (const line of headTable(
    runs.map((r) => r.head),
    { id: SPEC, geometry: specGeometry, mm: (px) => pxToMm(px, specGeometry.dpi) },
  ))
    print(line);
  print();

  print(`## Halo (mean ΔE76 between outputs over white, #00ff00 and a busy texture, in the hair band; target colour ${HALO_TARGET})`);
  print();
  print(
    '| engine | portrait | whole pipeline: blur-fusion (default) | blur-fusion, no edge step | multilevel | none | reduction (blur-fusion) | reduction (no edge step) | reduction (multilevel) | face + coarse matte fixed: blur-fusion | none | reduction |',
  );
  print('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const reduction = (withEstimate: number, without: number): number => 100 * (1 - withEstimate / without);
  const haloSummary: { engine: EngineName; whole: number; fixed: number }[] = [];
  for (const r of runs) {
    for (const p of r.halo.portraits)
      print(
        `| ${r.engine} | ${p.file} | ${f(p.withEstimate)} | ${f(p.noEdge)} | ${f(p.multilevel)} | ${f(p.without)} | ${f(reduction(p.withEstimate, p.without), 1)} % | ${f(reduction(p.noEdge, p.without), 1)} % | ${f(reduction(p.multilevel, p.without), 1)} % | ${f(p.fixedWith)} | ${f(p.fixedWithout)} | ${f(reduction(p.fixedWith, p.fixedWithout), 1)} % |`,
      );
    const mean = (k: keyof Halo['portraits'][number]): number => r.halo.portraits.reduce((a, p) => a + (p[k] as number), 0) / r.halo.portraits.length;
    if (r.halo.portraits.length > 0) {
      const whole = reduction(mean('withEstimate'), mean('without'));
      const fixed = reduction(mean('fixedWith'), mean('fixedWithout'));
      haloSummary.push({ engine: r.engine, whole, fixed });
      print(
        `| ${r.engine} | **mean** | ${f(mean('withEstimate'))} | ${f(mean('noEdge'))} | ${f(mean('multilevel'))} | ${f(mean('without'))} | **${f(whole, 1)} %** | ${f(reduction(mean('noEdge'), mean('without')), 1)} % | ${f(reduction(mean('multilevel'), mean('without')), 1)} % | ${f(mean('fixedWith'))} | ${f(mean('fixedWithout'))} | ${f(fixed, 1)} % |`,
      );
    }
    for (const x of r.halo.failed) print(`\n${r.engine} halo: ${x}`);
  }
  print();
  // The score is the mean of three pairs; the two with the texture follow from it and the plain pair's.
  print(
    'By pair, whole pipeline, means over the portraits (blur-fusion / none, reduction): the plain pair is white against green, the texture pairs are each plain background against the busy texture.',
  );
  print();
  type HaloPortrait = Halo['portraits'][number];
  /** A row for each engine with halo figures, given its portraits and their mean of any figure. */
  const haloRows = (row: (engine: EngineName, portraits: readonly HaloPortrait[], mean: (v: (p: HaloPortrait) => number) => number) => string): void => {
    for (const r of runs) {
      const ps = r.halo.portraits;
      if (ps.length > 0) print(row(r.engine, ps, (v) => ps.reduce((a, p) => a + v(p), 0) / ps.length));
    }
  };
  print('| engine | white vs green | the two pairs with the texture |');
  print('|---|---:|---:|');
  const cell = ([w, wo]: readonly [number, number]): string => `${f(w)} / ${f(wo)}, ${f(reduction(w, wo), 1)} %`;
  haloRows((engine, _, avg) => {
    const plain = [avg((p) => p.plainWith), avg((p) => p.plainWithout)] as const;
    const textured = [avg((p) => (3 * p.withEstimate - p.plainWith) / 2), avg((p) => (3 * p.without - p.plainWithout) / 2)] as const;
    return `| ${engine} | ${cell(plain)} | ${cell(textured)} |`;
  });
  print();
  print(
    "Colour only, whole pipeline: each composite's colours (its foreground estimate, or its own pixels without one) composited on the first composite's alpha, so that the three outputs differ only where the colours carry the old background, not where the matte moved with it (blur-fusion / none, reduction). Not the issue's score, which is the whole pipeline's above; it shows how much of what remains is the matte.",
  );
  print();
  print('| engine | by portrait | mean |');
  print('|---|---|---:|');
  haloRows((engine, ps, avg) => `| ${engine} | ${ps.map((p) => `${p.file} ${cell([p.colourWith, p.colourWithout])}`).join('; ')} | ${cell([avg((p) => p.colourWith), avg((p) => p.colourWithout)])} |`);
  print();
  print(
    "Matte error: the refined matte against the composites' true alpha (read off the frames over white and green), mean |difference| over the band and the three backgrounds, face and coarse matte fixed; lower is better. A blurrier matte can score a lower halo and a higher error.",
  );
  print();
  print('| engine | matte error by portrait | mean |');
  print('|---|---|---:|');
  haloRows(
    (engine, ps, avg) =>
      `| ${engine} | ${ps.map((p) => `${p.file} ${f(p.matteError, 3)}`).join(', ')} | ${f(
        avg((p) => p.matteError),
        3,
      )} |`,
  );
  print();

  print('## Targets (2-core box)');
  print();
  print('| engine | figure | measured | target | met |');
  print('|---|---|---:|---:|---|');
  const row = (engine: string, what: string, value: number | undefined, target: string, met: boolean | undefined): void =>
    print(`| ${engine} | ${what} | ${value === undefined || Number.isNaN(value) ? 'n/a' : value} | ${target} | ${met === undefined ? '-' : met ? 'yes' : '**no**'} |`);
  for (const r of runs) {
    const t = TARGETS[r.engine];
    const p50 = Number(f(median(r.sequential.seconds), 3));
    row(r.engine, `p50 end to end, s (${r.sequential.ok.length} photos, sequential)`, p50, `≤ ${t.p50}`, Number.isNaN(p50) ? undefined : p50 <= t.p50);
    row(r.engine, 'p50 CPU-s per photo (all threads of the process)', Number(f(median(r.sequential.cpuSeconds), 3)), `(≤ ${t.p50})`, undefined);
    const load = r.load && 'completions' in r.load ? r.load : undefined;
    if (t.photosPerSecond !== undefined) row(r.engine, 'photos/s under load', load && Number(f(load.perSecond)), `≥ ${t.photosPerSecond}`, load && load.perSecond >= t.photosPerSecond);
    if (load)
      row(r.engine, `photos/s on ${cores} idle cores (derived: ${cores} / server CPU-s per photo)`, Number(f(cores / load.cpuPerPhoto)), t.photosPerSecond ? `≥ ${t.photosPerSecond}` : '-', undefined);
    const peak = load && Math.max(load.peakRssMb, load.hwmMb);
    if (peak !== undefined) row(r.engine, `peak RSS of the server (${CONCURRENCY} concurrent), MB`, Math.round(peak), `≤ ${t.rssMb}`, peak <= t.rssMb);
    // Only the engine that ran first has a VmHWM of its own.
    else if (r === runs[runs.length - 1])
      row(r.engine, 'peak RSS in-process (the model + the face detector, one thread; VmHWM of this bench), MB', Math.round(r.inProcessHwmMb), `≤ ${t.rssMb}`, r.inProcessHwmMb <= t.rssMb);
    else row(r.engine, 'peak RSS', undefined, `≤ ${t.rssMb}`, undefined);
  }
  for (const h of haloSummary) row(h.engine, 'halo reduction by the foreground estimation (whole pipeline), %', Number(f(h.whole, 1)), `≥ ${HALO_REDUCTION_TARGET}`, h.whole >= HALO_REDUCTION_TARGET);
  print();

  print('## Reference');
  print();
  const anchors = join(ROOT, '../shared/anchors');
  const anchorHasIdPhoto = existsSync(anchors) && readdirSync(anchors, { recursive: true }).some((p) => /id.?photo|matting|hivision/i.test(String(p)));
  if (anchorHasIdPhoto) print(`${anchors} has an ID-photo part: run it beside this one for a measured reference.`);
  else
    print(
      `Not measured: ${anchors.replace(ROOT, '')} has no ID-photo part (seed-py is the QR service only). Quoted: HivisionIDPhotos (MODNet + MTCNN, Python) publishes 0.21-0.25 s per photo on an Apple M1 Max CPU — another machine, another photo size; a quote, not a measurement.`,
    );

  const file = join(RESULTS, `${stamp}-idphoto.md`);
  writeFileSync(file, out.join('\n') + '\n');
  process.stderr.write(`wrote ${file}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
