/**
 * A finished photo (or sheet) to a JPEG or PNG file: the DPI written where every reader looks for it
 * (the JFIF density of a JPEG, the pHYs chunk of a PNG), no other metadata (no EXIF, GPS, device or ICC
 * data: the pixels come in raw, so nothing of the upload can be carried), and for a JPEG the quality
 * searched to meet file-size bounds.
 */
import { crc32 } from 'node:zlib';
import { QrwError } from '../../errors.js';
import { checkRgb, type RgbImage } from '../rgb.js';
import { loadSharp } from './sharp.js';

/** 8-bit RGBA pixels, straight (not premultiplied) alpha: the transparent cut-out. */
export interface RgbaImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 4;
}

export interface EncodeOptions {
  readonly format: 'jpeg' | 'png';
  /** Pixels per inch written into the file, 1..65535. */
  readonly dpi: number;
  /** Largest file size in KB (1 KB = 1024 bytes). JPEG: the highest quality (up to `quality`) that fits; PNG: a warning when over. */
  readonly maxKb?: number;
  /** Smallest file size in KB (1 KB = 1024 bytes). JPEG: the lowest quality from `quality` up that reaches it, then 4:4:4 chroma, then padding; PNG: a warning when under. */
  readonly minKb?: number;
  /** JPEG quality 1..100, the one used when no bound needs another (default 95); the ceiling of the search under `maxKb`. PNG ignores it. */
  readonly quality?: number;
  /** Written at this size instead (libvips' Lanczos resampling): a cut-out made at the working size handed back at the upload's. */
  readonly size?: { readonly width: number; readonly height: number };
}

export interface EncodedPhoto {
  readonly data: Buffer;
  readonly contentType: string;
  /** The JPEG quality used. */
  readonly quality?: number;
  /** Bounds that could not be met (the closest file is returned), and other things the report should say. */
  readonly warnings: string[];
  /** How many times the pixels were encoded (the JPEG size search runs several). */
  readonly encodes: number;
}

export const DEFAULT_JPEG_QUALITY = 95;
const KB = 1024;

const invalid = (option: string, message: string): QrwError => new QrwError('INVALID_OPTION', message, { option });

function checkOptions(options: EncodeOptions): void {
  if (options.format !== 'jpeg' && options.format !== 'png') throw invalid('format', `The format must be jpeg or png, not ${String(options.format)}.`);
  if (!(Number.isFinite(options.dpi) && options.dpi >= 1 && options.dpi <= 65535)) throw invalid('dpi', `The dpi must be between 1 and 65535, not ${options.dpi}.`);
  if (options.quality !== undefined && !(Number.isInteger(options.quality) && options.quality >= 1 && options.quality <= 100)) {
    throw invalid('quality', `The quality must be a whole number from 1 to 100, not ${options.quality}.`);
  }
  for (const key of ['maxKb', 'minKb'] as const) {
    const value = options[key];
    if (value !== undefined && !(Number.isFinite(value) && value > 0 && value <= 1024 * 1024)) throw invalid(key, `${key} must be a number of KB above 0 (at most 1 GB), not ${value}.`);
  }
  if (options.maxKb !== undefined && options.minKb !== undefined && options.minKb > options.maxKb) {
    throw invalid('minKb', `minKb (${options.minKb}) is above maxKb (${options.maxKb}): no file can meet both.`);
  }
}

/** A JFIF APP0 segment: version 1.01, density in dots per inch, no thumbnail. */
function jfifSegment(dpi: number): Buffer {
  const seg = Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  seg.writeUInt16BE(dpi, 12);
  seg.writeUInt16BE(dpi, 14);
  return seg;
}

/** Writes the density into the JFIF header: patched where libjpeg wrote one, inserted right after SOI otherwise. */
function withJfifDensity(jpeg: Buffer, dpi: number): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new QrwError('INTERNAL', 'The JPEG encoder did not start its output with SOI.');
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0 && jpeg.toString('latin1', 6, 11) === 'JFIF\0') {
    const out = Buffer.from(jpeg);
    out[13] = 1;
    out.writeUInt16BE(dpi, 14);
    out.writeUInt16BE(dpi, 16);
    return out;
  }
  return Buffer.concat([jpeg.subarray(0, 2), jfifSegment(dpi), jpeg.subarray(2)]);
}

/** Where inserted segments go: after SOI and the JFIF APP0 that must follow it directly. */
function afterJfif(jpeg: Buffer): number {
  let at = 2;
  while (jpeg[at] === 0xff && jpeg[at + 1] === 0xe0) at += 2 + jpeg.readUInt16BE(at + 2);
  return at;
}

/**
 * Pads a JPEG to at least `size` bytes with COM (comment) segments inserted after its JFIF header:
 * a valid file every decoder reads the same, never bytes after EOI. A COM segment is 4 bytes at least,
 * so the result can be up to 3 bytes over.
 */
function padJpeg(jpeg: Buffer, size: number): Buffer {
  let need = size - jpeg.length;
  if (need <= 0) return jpeg;
  const segments: Buffer[] = [];
  const MAX = 4 + 65533;
  while (need > 0) {
    let length = Math.max(4, Math.min(need, MAX));
    if (need - length > 0 && need - length < 4) length -= 4;
    const seg = Buffer.alloc(length, 0x20);
    seg[0] = 0xff;
    seg[1] = 0xfe;
    seg.writeUInt16BE(length - 2, 2);
    segments.push(seg);
    need -= length;
  }
  const at = afterJfif(jpeg);
  return Buffer.concat([jpeg.subarray(0, at), ...segments, jpeg.subarray(at)]);
}

/** A PNG chunk: length, type, data and CRC (also used by the tests to build hostile PNGs). */
export function pngChunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Replaces any pHYs chunk with one giving `dpi` (in pixels per metre, the unit PNG knows), right after IHDR. */
function withPngDensity(png: Buffer, dpi: number): Buffer {
  const parts: Buffer[] = [png.subarray(0, 8)];
  const phys = Buffer.alloc(9);
  const ppm = Math.round(dpi / 0.0254);
  phys.writeUInt32BE(ppm, 0);
  phys.writeUInt32BE(ppm, 4);
  phys[8] = 1;
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (type !== 'pHYs') parts.push(png.subarray(at, end));
    if (type === 'IHDR') parts.push(pngChunk('pHYs', phys));
    at = end;
  }
  return Buffer.concat(parts);
}

function checkPixels(image: RgbImage | RgbaImage): 3 | 4 {
  const channels = 'channels' in image ? image.channels : 3;
  if (channels === 3) {
    checkRgb(image);
    return 3;
  }
  if (channels !== 4 || !(Number.isInteger(image.width) && Number.isInteger(image.height) && image.width > 0 && image.height > 0) || image.data.length < image.width * image.height * 4) {
    throw new RangeError(`An RGBA image of ${image.width}x${image.height} needs ${image.width * image.height * 4} bytes, got ${image.data.length}.`);
  }
  return 4;
}

const kb = (bytes: number): string => `${(bytes / KB).toFixed(1)} KB`;

/**
 * Encodes 8-bit RGB (or RGBA: kept in a PNG, flattened onto white in a JPEG) with the DPI in the file
 * and no other metadata. KB means 1024 bytes.
 *
 * JPEG size bounds: with `maxKb`, a binary search over the qualities 1..`quality` (default 95) for the
 * highest one whose file fits (the result's quality + 1 was encoded and was over, unless the ceiling
 * itself fits); with `minKb`, the lowest quality from `quality` up to 100 that reaches it; where even
 * quality 100 stays under it, 4:4:4 chroma, then COM padding after the JFIF header up to the minimum.
 * A bound that cannot be met gives the closest file and a warning; so does a PNG outside its bounds
 * (PNG has no quality to search).
 */
export async function encodePhoto(image: RgbImage | RgbaImage, options: EncodeOptions): Promise<EncodedPhoto> {
  checkOptions(options);
  const channels = checkPixels(image);
  const sharp = await loadSharp();
  const dpi = Math.round(options.dpi);
  const warnings: string[] = [];
  let encodes = 0;
  const size = options.size;
  const source = () => {
    encodes++;
    const raw = sharp(image.data, { raw: { width: image.width, height: image.height, channels } });
    return size && (size.width !== image.width || size.height !== image.height) ? raw.resize(size.width, size.height, { fit: 'fill' }) : raw;
  };
  const maxBytes = options.maxKb === undefined ? undefined : Math.floor(options.maxKb * KB);
  const minBytes = options.minKb === undefined ? undefined : Math.ceil(options.minKb * KB);

  // zlib level 6, not 9: 9 saved 3 % of an A4 sheet's bytes at 2.8x the time (170 against 60 ms).
  if (options.format === 'png') {
    const data = withPngDensity(await source().png({ compressionLevel: 6 }).toBuffer(), dpi);
    if (maxBytes !== undefined && data.length > maxBytes) warnings.push(`The PNG is ${kb(data.length)}, over the maximum of ${options.maxKb} KB (PNG is lossless: choose JPEG to meet it).`);
    if (minBytes !== undefined && data.length < minBytes) warnings.push(`The PNG is ${kb(data.length)}, under the minimum of ${options.minKb} KB.`);
    return { data, contentType: 'image/png', warnings, encodes };
  }

  if (channels === 4) warnings.push('JPEG has no transparency: the transparent pixels were flattened onto white.');
  const jpeg = async (quality: number, chroma: '4:2:0' | '4:4:4' = '4:2:0'): Promise<Buffer> => {
    let pipeline = source();
    if (channels === 4) pipeline = pipeline.flatten({ background: '#ffffff' });
    return withJfifDensity(await pipeline.jpeg({ quality, chromaSubsampling: chroma, optimiseCoding: true }).toBuffer(), dpi);
  };
  const ceiling = options.quality ?? DEFAULT_JPEG_QUALITY;
  let quality = ceiling;
  let data = await jpeg(ceiling);

  if (maxBytes !== undefined && data.length > maxBytes) {
    // Invariant: `lo` fits (0: none known), `hi` was encoded and is over.
    let [lo, hi] = [0, ceiling];
    let fitting: Buffer | undefined;
    let smallest = data;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const candidate = await jpeg(mid);
      if (candidate.length <= maxBytes) [lo, fitting] = [mid, candidate];
      else [hi, smallest] = [mid, candidate];
    }
    if (fitting) [quality, data] = [lo, fitting];
    else [quality, data] = [1, smallest];
  } else if (minBytes !== undefined && data.length < minBytes) {
    // Invariant: `lo` is under the minimum, `hi` reaches it (101: none known).
    let [lo, hi] = [ceiling, 101];
    let reaching: Buffer | undefined;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const candidate = await jpeg(mid);
      if (candidate.length >= minBytes) [hi, reaching] = [mid, candidate];
      else [lo, quality, data] = [mid, mid, candidate];
    }
    if (reaching && (maxBytes === undefined || reaching.length <= maxBytes)) [quality, data] = [hi, reaching];
    else if (!reaching) {
      // Quality 100 stays under the minimum (a flat, small picture): full-resolution chroma adds bytes that carry detail.
      const full = await jpeg(100, '4:4:4');
      if (maxBytes === undefined || full.length <= maxBytes) [quality, data] = [100, full];
    }
  }
  // What is still under the minimum (quality 100 at 4:4:4, or a quality whose next one jumps over the maximum) is padded: valid, and decoded the same.
  if (minBytes !== undefined && data.length < minBytes) data = padJpeg(data, minBytes);
  if (maxBytes !== undefined && data.length > maxBytes) {
    warnings.push(
      quality === 1
        ? `Even JPEG quality 1 gives ${kb(data.length)}, over the maximum of ${options.maxKb} KB: the photo has too many pixels for the bound.`
        : `The JPEG is ${kb(data.length)}, over the maximum of ${options.maxKb} KB.`,
    );
  }
  return { data, contentType: 'image/jpeg', quality, warnings, encodes };
}
