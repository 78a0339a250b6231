/**
 * Scores the service's own decode pipeline on a labelled image set, upright and
 * rotated by 90/180/270 degrees, and prints per folder: codes passed / total,
 * misreads, false positives, median and p95 ms per image, and which cascade pass
 * found the codes (with the extra passes' time reported apart from the fast pass).
 *
 *   npm run bench:decode [-- MANIFEST] [--upright] [--plain]
 *
 * --plain scores one zxing-wasm pass with its default options (QR only) instead:
 * the single reader the issue's reference figures come from, for a side-by-side run.
 *
 * MANIFEST defaults to ../shared/corpus/manifest.tsv. A plain list
 * `path<TAB>category<TAB>n_codes` (paths relative to the list) is scored by count:
 * an image passes when at least n_codes codes are returned (0: nothing returned).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { decodeImage, mergeSequences, type DecodeResult } from '../src/recognise/index.js';
import { toCode } from '../src/recognise/reader/codes.js';
import { openImage } from '../src/recognise/input/image.js';
import { loadReader, readFile, readLuminance } from '../src/recognise/reader/zxing.js';
import { loadManifest, scoreCorpus, scoreImage, type CategoryScore, type ImageCase } from './corpus.js';

const args = process.argv.slice(2);
const manifest = args.find((a) => !a.startsWith('--')) ?? fileURLToPath(new URL('../../../shared/corpus/manifest.tsv', import.meta.url));
const rotations = args.includes('--upright') ? [0] : [0, 90, 180, 270];
const plain = args.includes('--plain');
const options = { formats: ['QRCode'] as const, maxSide: 1200, maxPixels: 25_000_000 };

interface CountCase {
  readonly path: string;
  readonly file: string;
  readonly category: string;
  readonly codes: number;
}

/** The corpus format has a header starting with "path\texpected"; anything else is the count-only list. */
function isCorpusManifest(file: string): boolean {
  return readFileSync(file, 'utf8').startsWith('path\texpected');
}

function loadCountList(file: string): CountCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#') && !l.startsWith('path\t'))
    .map((l) => {
      const [path, category, n] = l.split('\t');
      return { path: path!, file: join(dirname(file), path!), category: category ?? 'default', codes: Number(n ?? 1) };
    });
}

async function rotated(bytes: Buffer, degrees: number): Promise<Uint8Array> {
  if (degrees === 0) return new Uint8Array(bytes);
  return new Uint8Array(await sharp(bytes).rotate().rotate(degrees).png({ compressionLevel: 1 }).toBuffer());
}

interface Timing {
  readonly ms: number;
  readonly pass: string;
}

async function timedDecode(reader: Awaited<ReturnType<typeof loadReader>>, bytes: Uint8Array): Promise<{ result: DecodeResult | undefined; timing: Timing }> {
  const t = performance.now();
  let result: DecodeResult | undefined;
  try {
    result = plain ? await plainRead(reader, bytes) : await decodeImage(reader, bytes, options);
  } catch {
    result = undefined;
  }
  return { result, timing: { ms: performance.now() - t, pass: result?.pass ?? 'error' } };
}

/**
 * One zxing-wasm pass with the library's defaults, QR only: over the file itself
 * where its own decoder reads it (JPEG, PNG), else over the pixels libvips decodes
 * (zxing's decoder knows no WebP, which would count against it unfairly).
 */
async function plainRead(reader: Awaited<ReturnType<typeof loadReader>>, bytes: Uint8Array): Promise<DecodeResult> {
  const image = await openImage(bytes, { maxPixels: options.maxPixels });
  const lum = image.format === 'jpeg' || image.format === 'png' ? undefined : await image.luminance(undefined, 'fast');
  const found = lum ? readLuminance(reader, lum.data, lum.width, lum.height, { formats: options.formats }) : readFile(reader, bytes, { formats: options.formats });
  const codes = found.filter((r) => !r.error).map((r) => toCode(r, 1));
  return { codes, sequences: mergeSequences(codes), width: 0, height: 0, imageFormat: '', damaged: false, pass: 'plain' };
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function printTable(title: string, rows: Map<string, CategoryScore & { times: number[] }>): void {
  console.log(`\n${title}`);
  console.log('folder                 passed     misreads  false+  median ms  p95 ms');
  const total = { passed: 0, total: 0, misreads: 0, falsePositives: 0, times: [] as number[] };
  const negatives = { passed: 0, total: 0, falsePositives: 0 };
  for (const [folder, s] of [...rows].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(
      `${folder.padEnd(22)} ${`${s.passed}/${s.total}`.padEnd(10)} ${String(s.misreads).padEnd(9)} ${String(s.falsePositives).padEnd(7)} ${quantile(s.times, 0.5).toFixed(1).padStart(9)} ${quantile(s.times, 0.95).toFixed(1).padStart(7)}`,
    );
    total.times.push(...s.times);
    if (folder.startsWith('falsepositives')) {
      negatives.passed += s.passed;
      negatives.total += s.total;
      negatives.falsePositives += s.falsePositives;
    } else {
      total.passed += s.passed;
      total.total += s.total;
      total.misreads += s.misreads;
    }
  }
  console.log(
    `${'codes (all folders)'.padEnd(22)} ${`${total.passed}/${total.total}`.padEnd(10)} ${String(total.misreads).padEnd(9)} ${String(negatives.falsePositives).padEnd(7)} ${quantile(total.times, 0.5).toFixed(1).padStart(9)} ${quantile(total.times, 0.95).toFixed(1).padStart(7)}`,
  );
  if (negatives.total) console.log(`${'negative images'.padEnd(22)} ${`${negatives.passed}/${negatives.total}`}`);
}

async function main(): Promise<void> {
  const reader = await loadReader();
  const corpus = isCorpusManifest(manifest);
  const cases: Array<ImageCase | CountCase> = corpus ? loadManifest(manifest) : loadCountList(manifest);
  const all = new Map<string, CategoryScore & { times: number[] }>();
  const passTimes = new Map<string, number[]>();
  const misreads: string[] = [];
  for (const degrees of rotations) {
    const entries: Array<{ case: ImageCase; result: DecodeResult | undefined }> = [];
    const times = new Map<string, number[]>();
    const counts = new Map<string, CategoryScore>();
    for (const c of cases) {
      const { result, timing } = await timedDecode(reader, await rotated(readFileSync(c.file), degrees));
      times.set(c.category, [...(times.get(c.category) ?? []), timing.ms]);
      passTimes.set(timing.pass, [...(passTimes.get(timing.pass) ?? []), timing.ms]);
      if ('rows' in c) {
        entries.push({ case: c, result });
        if (result && c.rows[0]!.kind !== 'sa-part' && scoreImage(c, result).misread) misreads.push(`${c.path} at ${degrees}°: ${JSON.stringify(result.codes.map((x) => x.text))}`);
      } else {
        const s = counts.get(c.category) ?? { passed: 0, total: 0, misreads: 0, falsePositives: 0 };
        const found = result?.codes.length ?? 0;
        s.total += 1;
        s.passed += Number(c.codes === 0 ? found === 0 : found >= c.codes);
        s.falsePositives += Number(c.codes === 0 && found > 0);
        counts.set(c.category, s);
      }
    }
    const scores = corpus ? scoreCorpus(entries) : counts;
    const table = new Map([...scores].map(([k, v]) => [k, { ...v, times: times.get(k) ?? [] }]));
    printTable(`rotation ${degrees}°`, table);
    for (const [k, v] of table) {
      const acc = all.get(k) ?? { passed: 0, total: 0, misreads: 0, falsePositives: 0, times: [] };
      all.set(k, {
        passed: acc.passed + v.passed,
        total: acc.total + v.total,
        misreads: acc.misreads + v.misreads,
        falsePositives: acc.falsePositives + v.falsePositives,
        times: [...acc.times, ...v.times],
      });
    }
  }
  if (rotations.length > 1) printTable(`all rotations (${rotations.join('/')})`, all);
  if (misreads.length) console.log(`\nmisreads (returned texts)\n${misreads.map((m) => `  ${m}`).join('\n')}`);
  console.log('\ntime per image by the passes that read its codes (fast = one pass; later ones include the passes before them)');
  for (const [pass, t] of passTimes) console.log(`  ${pass.padEnd(22)} n=${String(t.length).padEnd(5)} median ${quantile(t, 0.5).toFixed(1)} ms  p95 ${quantile(t, 0.95).toFixed(1)} ms`);
}

await main();
