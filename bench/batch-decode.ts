/**
 * bench:batch (decode half): the corpus photos (../shared/corpus) repeated into a ZIP of 10,000
 * entries on disk, read from the file as a job reads it, through BatchDecodeService and the real
 * worker pool; prints images/s, CPU time (all threads), peak RSS sampled every 250 ms, and how many
 * entries had codes and matched the corpus' expected texts. For reference, the same distinct images
 * decoded one by one in this thread, in the same run.
 *
 *   node dist-bench/bench/batch-decode.js [--images N] [--manifest FILE] [--keep FILE]
 */
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import yazl from 'yazl';
import { BatchDecodeService, archiveBatch, type BatchLine } from '../src/app/batch-decode.js';
import { poolEngine } from '../src/app/qr-engine.js';
import { zipLimits } from '../src/batch/zip-reader.js';
import { loadConfig } from '../src/platform/config.js';
import { decodeImage, loadReader, parseFormats, type DecodeResult } from '../src/recognise/index.js';
import { startQrPool } from '../src/workers/qr-pool.js';
import { loadManifest, scoreImage, type ImageCase } from './corpus.js';

const { values: args } = parseArgs({
  options: {
    images: { type: 'string', default: '10000' },
    manifest: { type: 'string', default: fileURLToPath(new URL('../../../shared/corpus/manifest.tsv', import.meta.url)) },
    keep: { type: 'string' },
  },
});
const MiB = 1024 * 1024;
const total = Number(args.images);
const config = loadConfig();
const limits = { maxSide: config.decodeMaxSide, maxPixels: config.maxImagePixels };
const cases = loadManifest(args.manifest);
const photos = cases.map((c) => readFileSync(c.file));

/** An entry's case, from its name `NNNNN-<index in the manifest>-<file>`. */
const caseOf = (file: string): ImageCase => cases[Number(file.split('-')[1])]!;

/** Whether a result counts as read by the corpus' rules; structured-append parts pass on any code (they are merged across images). */
function passes(c: ImageCase, result: DecodeResult): boolean {
  const first = c.rows[0]!;
  if (first.kind === 'sa-part') return result.codes.length > 0;
  const score = scoreImage(c, result);
  return score.passed === score.total;
}

async function buildZip(file: string): Promise<void> {
  const zip = new yazl.ZipFile();
  const written = zip.outputStream.pipe(createWriteStream(file));
  for (let i = 0; i < total; i++) {
    const k = i % cases.length;
    // Lazy: yazl compresses an entry when its turn comes, so the build does not hold the whole archive in memory (and in this process's RSS).
    zip.addReadStreamLazy(`${String(i).padStart(5, '0')}-${k}-${cases[k]!.path.replace(/\//g, '_')}`, (cb) => cb(null, Readable.from([photos[k]!])));
  }
  zip.end();
  await once(written, 'finish');
}

/** Decodes the corpus' distinct images one by one in this thread: the single-image rate for reference. */
async function inProcessRate(): Promise<{ perSecond: number; cpuSeconds: number; passed: number; positives: number }> {
  const reader = await loadReader();
  const cpu0 = process.cpuUsage();
  let passed = 0;
  let positives = 0;
  const t0 = performance.now();
  for (const [k, c] of cases.entries()) {
    let result: DecodeResult | undefined;
    try {
      result = await decodeImage(reader, new Uint8Array(photos[k]!), { formats: parseFormats(undefined), ...limits });
    } catch {
      result = undefined;
    }
    if (c.rows[0]!.kind !== 'negative') {
      positives++;
      passed += Number(!!result && passes(c, result));
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: cases.length / ((performance.now() - t0) / 1000), cpuSeconds: (cpu.user + cpu.system) / 1e6, passed, positives };
}

/** The archive read alone (entries inflated and checked, nothing decoded): the share of the run that is ZIP work. */
async function readOnly(file: string): Promise<{ perSecond: number; mibPerSecond: number }> {
  const t0 = performance.now();
  const batch = await archiveBatch(file, { maxRows: config.jobMaxRows, zip: zipLimits(config.jobMaxBytes, config.maxBodyBytes) });
  let entries = 0;
  let bytes = 0;
  try {
    for await (const item of batch.items) {
      entries++;
      if ('bytes' in item) bytes += item.bytes.byteLength;
    }
  } finally {
    batch.close?.();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { perSecond: entries / seconds, mibPerSecond: bytes / MiB / seconds };
}

interface Tally {
  withCodes: number;
  positives: number;
  passed: number;
  negatives: number;
  falsePositives: number;
  errors: Map<string, number>;
}

/** Reads the NDJSON the service writes and scores each line against the manifest as it arrives. */
function scoringSink(tally: Tally): Writable {
  let rest = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const entry = JSON.parse(line) as BatchLine;
        const c = caseOf(entry.file);
        const negative = c.rows[0]!.kind === 'negative';
        if ('error' in entry) {
          tally.errors.set(entry.error.code, (tally.errors.get(entry.error.code) ?? 0) + 1);
          if (!negative) tally.positives++;
          else tally.negatives++;
          continue;
        }
        tally.withCodes += Number(entry.codes.length > 0);
        if (negative) {
          tally.negatives++;
          tally.falsePositives += Number(entry.codes.length > 0);
        } else {
          tally.positives++;
          tally.passed += Number(passes(c, entry));
        }
      }
      done();
    },
  });
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'qrw-bench-batch-decode-'));
  const file = args.keep ?? join(dir, 'photos.zip');
  try {
    const tBuild = performance.now();
    await buildZip(file);
    const size = (await stat(file)).size;
    console.log(`batch decode: ${total} entries (${cases.length} corpus images repeated), ZIP ${(size / MiB).toFixed(0)} MiB built in ${((performance.now() - tBuild) / 1000).toFixed(1)} s`);

    const pool = await startQrPool({ threads: config.poolThreads, maxQueue: config.poolMaxQueue });
    const service = new BatchDecodeService(poolEngine(pool), limits, pool.threads * 2);
    const tally: Tally = { withCodes: 0, positives: 0, passed: 0, negatives: 0, falsePositives: 0, errors: new Map() };
    const rssAt: number[] = [];
    const rssBefore = process.memoryUsage().rss;
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      const rss = process.memoryUsage().rss;
      peakRss = Math.max(peakRss, rss);
      rssAt.push(rss);
    }, 250);
    const load = loadavg()[0]!.toFixed(2);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const batch = await archiveBatch(file, { maxRows: config.jobMaxRows, zip: zipLimits(config.jobMaxBytes, config.maxBodyBytes) });
    const sink = scoringSink(tally);
    const summary = await service.write(batch, undefined, 'ndjson', sink);
    sink.end();
    await once(sink, 'finish');
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    clearInterval(sampler);
    await pool.close();
    // After the batch, so that the reader this thread loads does not count in the batch's memory.
    const reference = await inProcessRate();
    const reading = await readOnly(file);

    const quarter = (q: number): string => (rssAt.length > 0 ? (rssAt[Math.min(rssAt.length - 1, Math.floor((rssAt.length * q) / 4))]! / MiB).toFixed(0) : '-');
    const pct = (n: number, d: number): string => `${n}/${d} (${((100 * n) / Math.max(1, d)).toFixed(1)}%)`;
    console.log(`  ${availableParallelism()} cores, ${pool.threads} threads, ${pool.threads * 2} images in flight, load ${load} at start`);
    console.log(
      `  ${summary.done} images (${summary.failed} error lines) in ${seconds.toFixed(1)} s: ${(summary.done / seconds).toFixed(1)} images/s; CPU ${cpuSeconds.toFixed(1)} s (all threads), ${(summary.done / cpuSeconds).toFixed(1)} images per CPU-second`,
    );
    console.log(
      `  RSS before the pool started ${(rssBefore / MiB).toFixed(0)} MiB; peak RSS ${(peakRss / MiB).toFixed(0)} MiB; RSS at 1/4, 1/2, 3/4, end: ${[1, 2, 3, 4].map(quarter).join(', ')} MiB`,
    );
    console.log(
      `  entries with codes: ${pct(tally.withCodes, summary.done)}; expected texts found: ${pct(tally.passed, tally.positives)}; negatives with a code: ${pct(tally.falsePositives, tally.negatives)}`,
    );
    if (tally.errors.size) console.log(`  error lines by code: ${[...tally.errors].map(([code, n]) => `${code} ${n}`).join(', ')}`);
    console.log(`  the ZIP read alone (yauzl from the file, inflated, CRC checked, nothing decoded): ${reading.perSecond.toFixed(0)} entries/s, ${reading.mibPerSecond.toFixed(0)} MiB/s`);
    console.log(
      `  reference, the ${cases.length} distinct images decoded one by one in this thread: ${reference.perSecond.toFixed(1)} images/s (1 thread), ${(cases.length / reference.cpuSeconds).toFixed(1)} images per CPU-second; expected texts found ${pct(reference.passed, reference.positives)}`,
    );
  } finally {
    if (!args.keep) await rm(dir, { recursive: true, force: true });
  }
}

await main();
