/**
 * The fuzzer's seeds: real pictures from ../shared (the QR corpus, the test portraits) and the awkward
 * kinds a decoder meets less often, made here: animated GIF, multi-page TIFF, CMYK JPEG, 16-bit PNG,
 * alpha-only PNG, headers claiming 60000x60000 in files of a few hundred bytes, a PNG bomb; and the
 * archives of the batch routes (plain, many entries, a deflate bomb, lying sizes, hostile names).
 * Used by the short run in `npm test` and by `npm run fuzz` (built into dist-bench/), so the root is
 * found by walking up to package.json rather than from a fixed relative path.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import yazl from 'yazl';
import { generateQr } from '../../src/qr/generate.js';
import { parseGenerateOptions } from '../../src/qr/options.js';
import { pngChunk } from '../helpers/images.js';

export interface Seed {
  /** Where it came from or what it is, for reports. */
  readonly label: string;
  readonly bytes: Buffer;
}

export interface Corpus {
  /** Pictures for the decode routes (and, mutated, for everything that takes an image). */
  readonly images: readonly Seed[];
  /** Small portraits the ID-photo path can really work on. */
  readonly portraits: readonly Seed[];
  /** ZIPs for the batch routes. */
  readonly archives: readonly Seed[];
}

function findRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = dirname(dir);
  }
  return dir;
}

/** The checkout (from test/fuzz/ or dist-bench/test/fuzz/). */
export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
const SHARED = join(REPO_ROOT, '../shared');

function sharedDir(path: string): string {
  const dir = join(SHARED, path);
  if (!existsSync(dir)) throw new Error(`The fuzzer seeds from ${dir}: the data folder ../shared beside the checkout is missing or incomplete.`);
  return dir;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

/** Every `step`-th small picture of the QR corpus: all its formats, no file larger than `maxBytes`. */
function corpusPictures(count: number, maxBytes: number): Seed[] {
  const dir = sharedDir('corpus');
  const pictures = filesUnder(dir).filter((f) => /\.(png|jpe?g|webp|gif)$/i.test(f) && statSync(f).size <= maxBytes);
  const step = Math.max(1, Math.floor(pictures.length / count));
  const picked = pictures.filter((_, i) => i % step === 0).slice(0, count);
  // The JPEGs are few: make sure at least one comes along.
  const jpeg = pictures.find((f) => /\.jpe?g$/i.test(f));
  if (jpeg && !picked.includes(jpeg)) picked.push(jpeg);
  return picked.map((f) => ({ label: `corpus/${relative(dir, f)}`, bytes: readFileSync(f) }));
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A PNG whose header says width x height (8-bit grey) and whose data is `rows` rows of zeros, deflated. */
function pngClaiming(width: number, height: number, rows: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = rows === height ? 1 : 8;
  const stride = 1 + (rows === height ? Math.ceil(width / 8) : width);
  return Buffer.concat([PNG_MAGIC, pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(stride * rows))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A baseline JPEG with every SOF's dimensions replaced. */
function jpegClaiming(jpeg: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i + 9 < out.length;) {
    if (out[i] !== 0xff) break;
    const marker = out[i + 1]!;
    const length = out.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
    }
    if (marker === 0xda) break;
    i += 2 + length;
  }
  return out;
}

/** A GIF whose screen and first frame say width x height. */
function gifClaiming(gif: Buffer, width: number, height: number): Buffer {
  const out = Buffer.from(gif);
  out.writeUInt16LE(width, 6);
  out.writeUInt16LE(height, 8);
  const frame = out.indexOf(0x2c, 13);
  if (frame > 0) {
    out.writeUInt16LE(width, frame + 5);
    out.writeUInt16LE(height, frame + 7);
  }
  return out;
}

/** A WebP with a VP8X chunk declaring a width x height canvas in front of a small real image. */
function webpClaiming(webp: Buffer, width: number, height: number): Buffer {
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE(width - 1, 12, 3);
  vp8x.writeUIntLE(height - 1, 15, 3);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, webp.subarray(12)]);
  const riff = Buffer.alloc(8);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body.length, 4);
  return Buffer.concat([riff, body]);
}

/** A little-endian TIFF of 8-bit grey pages; each page declares its own size but holds only `data`. */
function tiff(pages: readonly { width: number; height: number; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0])];
  let offset = 8;
  pages.forEach((page, index) => {
    const entries: [number, number, number][] = [
      [256, 4, page.width],
      [257, 4, page.height],
      [258, 3, 8],
      [259, 3, 1],
      [262, 3, 1],
      [273, 4, 0],
      [277, 3, 1],
      [278, 4, page.height],
      [279, 4, page.data.length],
    ];
    const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
    const dataAt = offset + ifd.length;
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, value], i) => {
      const at = 2 + i * 12;
      ifd.writeUInt16LE(tag, at);
      ifd.writeUInt16LE(type, at + 2);
      ifd.writeUInt32LE(1, at + 4);
      if (type === 3) ifd.writeUInt16LE(value, at + 8);
      else ifd.writeUInt32LE(tag === 273 ? dataAt : value, at + 8);
    });
    const next = index === pages.length - 1 ? 0 : dataAt + page.data.length;
    ifd.writeUInt32LE(next, ifd.length - 4);
    parts.push(ifd, page.data);
    offset = dataAt + page.data.length;
  });
  return Buffer.concat(parts);
}

/** A BMP header claiming width x height, 24-bit, with a few bytes of pixels. */
function bmpClaiming(width: number, height: number): Buffer {
  const out = Buffer.alloc(54 + 64);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  return out;
}

async function zip(entries: readonly { name: string; bytes: Buffer; compress?: boolean }[]): Promise<Buffer> {
  const archive = new yazl.ZipFile();
  for (const e of entries) archive.addBuffer(e.bytes, e.name, { compress: e.compress ?? true });
  archive.end();
  const chunks: Buffer[] = [];
  for await (const chunk of archive.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Rewrites every occurrence of a 4-byte little-endian field found by signature: `patch(offsetOfRecord)`. */
function patchRecords(archive: Buffer, signature: number, patch: (buffer: Buffer, at: number) => void): Buffer {
  const out = Buffer.from(archive);
  for (let i = 0; i + 4 <= out.length; i++) if (out.readUInt32LE(i) === signature) patch(out, i);
  return out;
}

function replaceAll(bytes: Buffer, from: string, to: string): Buffer {
  const out = Buffer.from(bytes);
  for (let at = out.indexOf(from); at >= 0; at = out.indexOf(from, at + 1)) out.write(to, at, 'latin1');
  return out;
}

const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** The special pictures: each names the trait it exercises. */
async function specialPictures(): Promise<Seed[]> {
  const qr = generateQr('fuzz seed', parseGenerateOptions({ scale: 4, margin: 2 }), (d: Uint8Array) => deflateSync(d)).body;
  const qrPng = Buffer.from(qr.buffer, qr.byteOffset, qr.byteLength);
  const { data: luma, info } = await sharp(qrPng).greyscale().raw().toBuffer({ resolveWithObject: true });
  const inverted = await sharp(qrPng).negate({ alpha: false }).png().toBuffer();
  const alphaOnly = Buffer.alloc(info.width * info.height * 2);
  for (let i = 0; i < luma.length; i++) alphaOnly[i * 2 + 1] = 255 - luma[i]!;
  const smallJpeg = await sharp(qrPng).jpeg({ quality: 80 }).toBuffer();
  const smallGif = await sharp(qrPng).gif().toBuffer();
  const smallWebp = await sharp(qrPng).webp().toBuffer();
  const page = { width: 16, height: 16, data: Buffer.alloc(256, 200) };
  return [
    { label: 'qr.png', bytes: qrPng },
    {
      label: 'animated.gif',
      bytes: await sharp([qrPng, inverted, qrPng], { join: { animated: true } })
        .gif()
        .toBuffer(),
    },
    {
      label: 'multipage.tiff (sharp)',
      bytes: await sharp([qrPng, inverted], { join: { animated: true } })
        .tiff()
        .toBuffer(),
    },
    { label: 'multipage.tiff (3 pages, hand-written)', bytes: tiff([page, page, page]) },
    { label: 'cmyk.jpg', bytes: await sharp(qrPng).toColourspace('cmyk').jpeg().toBuffer() },
    { label: 'rgb16.png', bytes: await sharp(qrPng).toColourspace('rgb16').png().toBuffer() },
    { label: 'grey16.png', bytes: await sharp(qrPng).toColourspace('grey16').png().toBuffer() },
    {
      label: 'alpha-only.png',
      bytes: await sharp(alphaOnly, { raw: { width: info.width, height: info.height, channels: 2 } })
        .png()
        .toBuffer(),
    },
    {
      label: 'alpha.webp',
      bytes: await sharp(alphaOnly, { raw: { width: info.width, height: info.height, channels: 2 } })
        .webp()
        .toBuffer(),
    },
    { label: 'qr.jpg', bytes: smallJpeg },
    { label: 'qr.gif', bytes: smallGif },
    { label: 'qr.webp', bytes: smallWebp },
    { label: 'huge-60000.png (one row of data)', bytes: pngClaiming(60000, 60000, 1) },
    { label: 'huge-60000.jpg', bytes: jpegClaiming(smallJpeg, 60000, 60000) },
    { label: 'huge-60000.gif', bytes: gifClaiming(smallGif, 60000, 60000) },
    { label: 'huge-60000.webp (VP8X)', bytes: webpClaiming(smallWebp, 60000, 60000) },
    { label: 'huge-60000.tiff', bytes: tiff([{ width: 60000, height: 60000, data: Buffer.alloc(64, 128) }]) },
    { label: 'huge-60000.bmp', bytes: bmpClaiming(60000, 60000) },
    { label: 'bomb-20000.png (valid, 400 Mpx)', bytes: pngClaiming(20000, 20000, 20000) },
  ];
}

/** ZIPs for the batch routes, from a few pictures. */
async function archives(images: readonly Seed[]): Promise<Seed[]> {
  const three = images.slice(0, 3).map((s, i) => ({ name: `img-${i}.${s.label.split('.').pop()}`, bytes: s.bytes }));
  const plain = await zip(three);
  const many = await zip(Array.from({ length: 2000 }, (_, i) => ({ name: `tiny/${i}.png`, bytes: Buffer.from([i & 0xff]) })));
  const bomb = await zip([{ name: 'bomb.png', bytes: Buffer.alloc(48 * 1024 * 1024) }]);
  // Each entry says it holds 10 bytes while it inflates to far more: the reader must stop at what was declared.
  const lying = patchRecords(await zip([{ name: 'a.png', bytes: Buffer.alloc(4 * 1024 * 1024) }]), CENTRAL, (b, at) => b.writeUInt32LE(10, at + 24));
  const encrypted = patchRecords(
    patchRecords(plain, CENTRAL, (b, at) => b.writeUInt16LE(b.readUInt16LE(at + 8) | 1, at + 8)),
    LOCAL,
    (b, at) => b.writeUInt16LE(b.readUInt16LE(at + 6) | 1, at + 6),
  );
  // yazl refuses '..' in names: written with a stand-in of the same length, then rewritten in place.
  const hostileNames = replaceAll(
    await zip([
      { name: 'a/xx/xx/xx/xx/etc/passwd.png', bytes: three[0]!.bytes },
      { name: '__MACOSX/._x.png', bytes: three[0]!.bytes },
      { name: `${'n'.repeat(250)}.png`, bytes: three[0]!.bytes },
      { name: 'nested.zip', bytes: plain },
    ]),
    'a/xx/xx/xx/xx/',
    'a/../../../../',
  );
  const stored = await zip(three.map((e) => ({ ...e, compress: false })));
  return [
    { label: 'zip: 3 pictures', bytes: plain },
    { label: 'zip: 3 pictures stored', bytes: stored },
    { label: 'zip: 2000 one-byte entries', bytes: many },
    { label: 'zip: deflate bomb (48 MiB of zeros)', bytes: bomb },
    { label: 'zip: sizes that lie (10 bytes declared, 4 MiB inside)', bytes: lying },
    { label: 'zip: encrypted flag', bytes: encrypted },
    { label: 'zip: traversal, long, nested and dot names', bytes: hostileNames },
  ];
}

/** Portraits from ../shared/idphoto/portraits, shrunk to 480 px so that each ID-photo case costs little. */
async function smallPortraits(count: number): Promise<Seed[]> {
  const dir = sharedDir('idphoto/portraits');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jpg'))
    .sort()
    .slice(0, count);
  return Promise.all(files.map(async (f) => ({ label: `portrait/${f}`, bytes: await sharp(join(dir, f)).rotate().resize(480, 480, { fit: 'inside' }).jpeg({ quality: 85 }).toBuffer() })));
}

export async function loadCorpus(options: { pictures?: number; portraits?: number } = {}): Promise<Corpus> {
  const images = [...corpusPictures(options.pictures ?? 16, 60 * 1024), ...(await specialPictures())];
  return { images, portraits: await smallPortraits(options.portraits ?? 2), archives: await archives(images) };
}
