/**
 * bench:batch (generate half): a million distinct codes into a ZIP on disk through the batch use
 * case and the real worker pool, with codes/s, CPU time and peak RSS sampled every 250 ms; the ZIP
 * is opened again and its entries counted. Then the reference: the original design's generator
 * (python qrcode, as in ../shared/anchors/seed-py/app.py) making 10,000 codes in two processes.
 *
 *   node dist-bench/bench/batch.js [--rows N] [--reference-rows N] [--chunk-rows N] [--in-flight N] [--out FILE] [--no-reference]
 */
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import yauzl from 'yauzl';
import { BatchGenerateService, DEFAULT_TUNING, generateRowLimits } from '../src/app/batch-generate.js';
import { poolEngine } from '../src/app/qr-engine.js';
import { readRows } from '../src/batch/rows.js';
import { startQrPool } from '../src/workers/qr-pool.js';

/**
 * The service runs with npm start's allocator and V8 settings (docs/design/memory.md), which the
 * memory figure depends on: read from package.json's start script and applied by running this
 * script again under them.
 */
function rerunAsTheServiceRuns(): void {
  const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const env = Object.fromEntries([...start.matchAll(/\b([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  const flags = [...start.matchAll(/\s(--[\w-]+=\S+)/g)].map((m) => m[1]!);
  const child = spawnSync(process.execPath, [...flags, process.argv[1]!, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, ...env, QRW_BENCH_AS_SERVICE: '1' } });
  process.exit(child.status ?? 1);
}
if (!process.env.QRW_BENCH_AS_SERVICE) rerunAsTheServiceRuns();

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'reference-rows': { type: 'string', default: '10000' },
    'chunk-rows': { type: 'string', default: String(DEFAULT_TUNING.chunkRows) },
    'in-flight': { type: 'string', default: String(DEFAULT_TUNING.chunksInFlight) },
    out: { type: 'string' },
    'no-reference': { type: 'boolean', default: false },
  },
});
const rows = Number(args.rows);
const referenceRows = Number(args['reference-rows']);
const sku = (i: number): string => `SKU-${String(i).padStart(9, '0')}`;
const MiB = 2 ** 20;

/** The rows as a client would send them: a CSV body, streamed in 64 KiB pieces, read by the service's CSV reader. */
async function* csvBody(count: number): AsyncIterable<string> {
  let piece = 'text\n';
  for (let i = 1; i <= count; i++) {
    piece += `${sku(i)}\n`;
    if (piece.length >= 64 * 1024) {
      yield piece;
      piece = '';
    }
  }
  if (piece) yield piece;
}

async function countEntries(file: string): Promise<{ entries: number; names: Set<string> }> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => yauzl.open(file, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z!))));
  const names = new Set<string>();
  let entries = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      entries++;
      if (entries <= 3 || entry.fileName === 'manifest.csv') names.add(entry.fileName);
      zip.readEntry();
    });
    zip.on('end', resolve);
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
  return { entries, names };
}

async function ours(): Promise<{ codesPerSecond: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'qrw-bench-batch-'));
  const file = args.out ?? join(dir, 'codes.zip');
  const pool = await startQrPool({ maxQueue: 1024 });
  const service = new BatchGenerateService(poolEngine(pool), { chunkRows: Number(args['chunk-rows']), chunksInFlight: Number(args['in-flight']) });
  let peakRss = process.memoryUsage().rss;
  const rssAt: number[] = [];
  const sampler = setInterval(() => {
    const rss = process.memoryUsage().rss;
    peakRss = Math.max(peakRss, rss);
    rssAt.push(rss);
  }, 250);
  const out = createWriteStream(file);
  const load = loadavg()[0]!.toFixed(2);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = await service.writeZip(readRows(csvBody(rows), 'csv', generateRowLimits(rows)), {}, out, {}, rows);
  out.end();
  await once(out, 'finish');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  await pool.close();
  const size = (await stat(file)).size;
  const check = await countEntries(file);
  const quarter = (q: number): string => (rssAt.length > 0 ? (rssAt[Math.min(rssAt.length - 1, Math.floor((rssAt.length * q) / 4))]! / MiB).toFixed(0) : '-');
  const codesPerSecond = summary.done / seconds;
  console.log(`node ${process.execArgv.join(' ')}`);
  console.log(`batch generate: ${summary.done} rows (${summary.failed} failed) into ${file}, ${availableParallelism()} cores, ${pool.threads} threads, load ${load} at start`);
  console.log(`  chunk ${args['chunk-rows']} rows, ${args['in-flight']} chunks in flight`);
  console.log(`  ${codesPerSecond.toFixed(0)} codes/s; wall ${seconds.toFixed(1)} s; CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (all threads)`);
  console.log(`  peak RSS ${(peakRss / MiB).toFixed(0)} MiB; RSS at 1/4, 1/2, 3/4, end: ${[1, 2, 3, 4].map(quarter).join(', ')} MiB`);
  console.log(
    `  ZIP ${(size / MiB).toFixed(1)} MiB, ${check.entries} entries read back with yauzl (${rows} codes + manifest.csv: ${check.entries === rows + 1 ? 'ok' : 'MISMATCH'}); first: ${[...check.names].slice(0, 3).join(', ')}`,
  );
  if (!args.out) await rm(dir, { recursive: true, force: true });
  return { codesPerSecond };
}

/** The original design's generator, as its /generate route calls it (box 10, border 4, EC H, PNG into BytesIO). */
const REFERENCE_PY = `
import io, sys, time, qrcode, qrcode.constants
start, count = int(sys.argv[1]), int(sys.argv[2])
for i in range(start, start + count):
    qr = qrcode.QRCode(version=None, error_correction=qrcode.constants.ERROR_CORRECT_H, box_size=10, border=4)
    qr.add_data("SKU-%09d" % i)
    qr.make(fit=True)
    img = qr.make_image(fill_color="black", back_color="white")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
`;

async function reference(): Promise<number> {
  const processes = availableParallelism();
  const share = Math.ceil(referenceRows / processes);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: processes }, async (_, p) => {
      const child = spawn('/usr/bin/python3', ['-c', REFERENCE_PY, String(p * share + 1), String(Math.min(share, referenceRows - p * share))], { stdio: ['ignore', 'ignore', 'inherit'] });
      const [code] = (await once(child, 'exit')) as [number | null];
      if (code !== 0) throw new Error(`python qrcode exited with ${code}`);
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const codesPerSecond = referenceRows / seconds;
  console.log(`reference (python qrcode, ${processes} processes): ${referenceRows} codes in ${seconds.toFixed(1)} s, ${codesPerSecond.toFixed(0)} codes/s`);
  return codesPerSecond;
}

const { codesPerSecond } = await ours();
if (!args['no-reference']) {
  const ref = await reference();
  console.log(`ratio: ${(codesPerSecond / ref).toFixed(1)}x the reference (target >= 20x)`);
}
