import type { Sharp } from 'sharp';
import { decode as decodeBmp } from 'bmp-ts';
import { QrwError } from '../../errors.js';
import { probePlainFile } from './header.js';
import type { Luminance } from '../luminance.js';

export interface SourceImage {
  /** Image format as sharp names it (jpeg, png, webp, gif, tiff, ...) or bmp. */
  readonly format: string;
  /** Size after EXIF orientation, in pixels. */
  readonly width: number;
  readonly height: number;
  /**
   * An opaque 8-bit sRGB or grey JPEG or PNG with no EXIF rotation: zxing's own
   * decoder reads the file as it is, to the same luminance and coordinates.
   */
  readonly plainFile: boolean;
  /** True once decoding had to fall back to lenient reading (for example a truncated file). */
  readonly damaged: boolean;
  /** Decodes at a maximum side (undefined: full size). */
  luminance(maxSide: number | undefined, kind: LumaKind): Promise<Luminance>;
}

export interface ImageLimits {
  /** Largest width x height accepted (decompression bombs stop here, before pixels are decoded). */
  readonly maxPixels: number;
}

type RawInput = { kind: 'raw'; bytes: Uint8Array; width: number; height: number };
/** `alpha`: transparent pixels must read as white paper, whatever colour they carry underneath. */
type SharpInput = { kind: 'encoded'; bytes: Uint8Array; alpha: boolean } | RawInput;

type SharpFactory = typeof import('sharp').default;

let libvipsThreads: number | undefined;
let sharpLoading: Promise<SharpFactory> | undefined;

/**
 * libvips is loaded on first use, not with this module: it adds much to a process's RSS (see
 * docs/design/memory.md), and the plain PNGs and JPEGs that the native decoders or zxing's own
 * read never reach it. Its cache is off: every upload is decoded once.
 */
function loadSharp(): Promise<SharpFactory> {
  sharpLoading ??= import('sharp').then(
    ({ default: sharp }) => {
      sharp.cache(false);
      if (libvipsThreads !== undefined) sharp.concurrency(libvipsThreads);
      return sharp;
    },
    (err: unknown) => {
      // A broken install is the server's fault, not a damaged upload: a 500 that is logged, not a 422.
      throw new QrwError('INTERNAL', `sharp (libvips) could not be loaded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    },
  );
  return sharpLoading;
}

/** Threads libvips may use per image, applied when it loads (default: its own, the number of cores). */
export function setLibvipsThreads(threads: number): void {
  libvipsThreads = threads;
  void sharpLoading?.then(
    (sharp) => sharp.concurrency(threads),
    () => undefined,
  ); // a failed load is reported by the decode that needs it
}

const isBmp = (b: Uint8Array): boolean => b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d;

/**
 * The file ends as a complete one does (JPEG: an EOI marker, which entropy-coded
 * data cannot contain; PNG: the IEND chunk). zxing's decoder reads a truncated
 * file without saying so, so only complete files may skip libvips' strict check.
 */
function endsComplete(b: Uint8Array, format: string): boolean {
  const tail = b.subarray(Math.max(0, b.length - 32));
  if (format === 'jpeg') return tail.some((v, i) => v === 0xff && tail[i + 1] === 0xd9);
  return Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).includes('IEND');
}

function checkPixels(width: number, height: number, limits: ImageLimits): void {
  if (!(width > 0 && height > 0)) throw new QrwError('CORRUPT_IMAGE', 'The image has no pixels: its header gives a size of zero.');
  if (width * height > limits.maxPixels) {
    throw new QrwError('IMAGE_TOO_LARGE', `The image is ${width}x${height} pixels, more than the limit of ${limits.maxPixels} pixels; scale it down and try again.`, {
      width,
      height,
      maxPixels: limits.maxPixels,
    });
  }
}

/** sharp has no BMP loader; bmp-ts decodes it after its header size is checked against the limit. */
function openBmp(bytes: Uint8Array, limits: ImageLimits): RawInput {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkPixels(Math.abs(view.getInt32(18, true)), Math.abs(view.getInt32(22, true)), limits);
  let decoded;
  try {
    decoded = decodeBmp(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { toRGBA: true });
  } catch (err) {
    throw new QrwError('CORRUPT_IMAGE', `The BMP image could not be decoded (${(err as Error).message}).`);
  }
  return { kind: 'raw', bytes: decoded.data, width: decoded.width, height: decoded.height };
}

async function pipeline(input: SharpInput, limits: ImageLimits, lenient: boolean): Promise<Sharp> {
  const sharp = await loadSharp();
  const common = { limitInputPixels: limits.maxPixels, failOn: lenient ? ('none' as const) : ('error' as const), sequentialRead: true };
  return input.kind === 'raw' ? sharp(input.bytes, { ...common, raw: { width: input.width, height: input.height, channels: 4 } }) : sharp(input.bytes, { ...common, animated: false });
}

function mapSharpError(err: unknown): QrwError {
  if (err instanceof QrwError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return new QrwError('IMAGE_TOO_LARGE', `The image has more pixels than allowed (${message}).`);
  if (/unsupported image format/i.test(message)) {
    return new QrwError('UNSUPPORTED_IMAGE', 'The data is not an image in a supported format (PNG, JPEG, BMP, WebP, GIF, TIFF, AVIF).');
  }
  if (/empty/i.test(message)) return new QrwError('EMPTY_IMAGE', 'The image is empty (0 bytes).');
  return new QrwError('CORRUPT_IMAGE', `The image data is damaged and could not be read (${message.split('\n')[0]}).`);
}

/**
 * Rec. 601 luma in integer arithmetic, as zxing's own file decoder computes it:
 * cheaper than libvips' b-w conversion (see docs/design/recognition.md).
 */
function lumaOf(data: Buffer, pixels: number, channels: number): Uint8Array {
  if (channels < 3) {
    if (channels === 1) return new Uint8Array(data.buffer, data.byteOffset, pixels);
    const gray = new Uint8Array(pixels);
    for (let i = 0, j = 0; i < pixels; i++, j += channels) gray[i] = data[j]!;
    return gray;
  }
  const gray = new Uint8Array(pixels);
  for (let i = 0, j = 0; i < pixels; i++, j += channels) gray[i] = (data[j]! * 77 + data[j + 1]! * 150 + data[j + 2]! * 29 + 128) >> 8;
  return gray;
}

/**
 * 'fast': integer luma from 8-bit sRGB. 'colorimetric': libvips' b-w conversion
 * through linear light, slower, and different enough near the threshold that the
 * retry passes read codes on it that they miss on the fast luma (corpus, both ways).
 */
export type LumaKind = 'fast' | 'colorimetric';

async function toLuminance(input: SharpInput, limits: ImageLimits, lenient: boolean, maxSide: number | undefined, kind: LumaKind): Promise<Luminance> {
  let img = (await pipeline(input, limits, lenient)).rotate();
  if (input.kind === 'encoded' && input.alpha) img = img.flatten({ background: '#ffffff' });
  if (maxSide) img = img.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true, kernel: 'linear' });
  if (kind === 'colorimetric') {
    // toColourspace('b-w') converts after the resize, much cheaper than grayscale() before it (see docs/design/recognition.md).
    const { data, info } = await img.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), width: info.width, height: info.height };
  }
  // 8-bit sRGB (or grey) samples whatever the source depth or colour space (CMYK, 16-bit PNG).
  const { data, info } = await img.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { data: lumaOf(data, info.width * info.height, info.channels), width: info.width, height: info.height };
}

/**
 * Validates the bytes (format, header, pixel count) without decoding pixels;
 * pixels are decoded on demand. A strict decode is tried first; a damaged image
 * (for example truncated) is read leniently and flagged instead of refused.
 */
export async function openImage(bytes: Uint8Array, limits: ImageLimits): Promise<SourceImage> {
  if (bytes.length === 0) throw new QrwError('EMPTY_IMAGE', 'The image is empty (0 bytes).');
  let input: SharpInput;
  let format: string;
  let width: number;
  let height: number;
  let plainFile = false;
  const plain = probePlainFile(bytes);
  if (isBmp(bytes)) {
    const raw = openBmp(bytes, limits);
    input = raw;
    format = 'bmp';
    width = raw.width;
    height = raw.height;
  } else if (plain && endsComplete(bytes, plain.format)) {
    ({ format, width, height } = plain);
    checkPixels(width, height, limits);
    input = { kind: 'encoded', bytes, alpha: false };
    plainFile = true;
  } else {
    let meta;
    try {
      meta = await (await loadSharp())(bytes, { limitInputPixels: false }).metadata();
    } catch (err) {
      throw mapSharpError(err);
    }
    input = { kind: 'encoded', bytes, alpha: meta.hasAlpha };
    format = meta.format ?? 'unknown';
    // EXIF orientations 5-8 swap the axes.
    const orientation = meta.orientation ?? 1;
    const swap = orientation >= 5;
    width = (swap ? meta.height : meta.width) ?? 0;
    height = (swap ? meta.width : meta.height) ?? 0;
    checkPixels(width, height, limits);
    plainFile =
      (format === 'jpeg' || format === 'png') && !meta.hasAlpha && orientation === 1 && meta.depth === 'uchar' && (meta.space === 'srgb' || meta.space === 'b-w') && endsComplete(bytes, format);
  }
  let damaged: boolean | undefined;
  const luminance = async (maxSide: number | undefined, kind: LumaKind): Promise<Luminance> => {
    if (damaged !== undefined) return toLuminance(input, limits, damaged, maxSide, kind).catch((err: unknown) => Promise.reject(mapSharpError(err)));
    try {
      const lum = await toLuminance(input, limits, false, maxSide, kind);
      damaged = false;
      return lum;
    } catch (strictError) {
      try {
        const lum = await toLuminance(input, limits, true, maxSide, kind);
        damaged = true;
        return lum;
      } catch {
        throw mapSharpError(strictError);
      }
    }
  };
  return {
    format,
    width,
    height,
    plainFile,
    get damaged() {
      return damaged === true;
    },
    luminance,
  };
}
