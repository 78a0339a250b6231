import sharp, { type Sharp } from 'sharp';
import { decode as decodeBmp } from 'bmp-ts';
import { QrwError } from '../core/errors.js';

export interface Luminance {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface SourceImage {
  /** Image format as sharp names it (jpeg, png, webp, gif, tiff, ...) or bmp. */
  readonly format: string;
  /** Size after EXIF orientation, in pixels. */
  readonly width: number;
  readonly height: number;
  /** True when the strict decode failed and what could be read was used. */
  readonly damaged: boolean;
  /** Re-decodes at a maximum side (undefined: full size). */
  luminance(maxSide: number | undefined): Promise<Luminance>;
}

export interface ImageLimits {
  /** Largest width x height accepted (decompression bombs stop here, before pixels are decoded). */
  readonly maxPixels: number;
}

type RawInput = { kind: 'raw'; bytes: Uint8Array; width: number; height: number };
/** `alpha`: transparent pixels must read as white paper, whatever colour they carry underneath. */
type SharpInput = { kind: 'encoded'; bytes: Uint8Array; alpha: boolean } | RawInput;

const isBmp = (b: Uint8Array): boolean => b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d;

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

function pipeline(input: SharpInput, limits: ImageLimits, lenient: boolean): Sharp {
  const common = { limitInputPixels: limits.maxPixels, failOn: lenient ? ('none' as const) : ('error' as const), sequentialRead: true };
  return input.kind === 'raw'
    ? sharp(input.bytes, { ...common, raw: { width: input.width, height: input.height, channels: 4 } })
    : sharp(input.bytes, { ...common, animated: false });
}

function mapSharpError(err: unknown): QrwError {
  const message = err instanceof Error ? err.message : String(err);
  if (/pixel limit/i.test(message)) return new QrwError('IMAGE_TOO_LARGE', `The image has more pixels than allowed (${message}).`);
  if (/unsupported image format/i.test(message)) {
    return new QrwError('UNSUPPORTED_IMAGE', 'The data is not an image in a supported format (PNG, JPEG, BMP, WebP, GIF, TIFF, AVIF).');
  }
  if (/empty/i.test(message)) return new QrwError('EMPTY_IMAGE', 'The image is empty (0 bytes).');
  return new QrwError('CORRUPT_IMAGE', `The image data is damaged and could not be read (${message.split('\n')[0]}).`);
}

async function toLuminance(input: SharpInput, limits: ImageLimits, lenient: boolean, maxSide: number | undefined): Promise<Luminance> {
  let img = pipeline(input, limits, lenient).rotate();
  if (input.kind === 'encoded' && input.alpha) img = img.flatten({ background: '#ffffff' });
  if (maxSide) img = img.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true, kernel: 'linear' });
  // toColourspace('b-w') converts after the resize (grayscale() before it measured 3x slower).
  const { data, info } = await img.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 1) throw new Error(`expected one channel, got ${info.channels}`);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height };
}

/**
 * Validates the bytes (format, header, pixel count) without decoding pixels,
 * then decodes on demand. A strict decode is tried first; a damaged image
 * (for example truncated) is read leniently and flagged instead of refused.
 */
export async function openImage(bytes: Uint8Array, limits: ImageLimits, firstMaxSide: number | undefined): Promise<{ source: SourceImage; first: Luminance }> {
  if (bytes.length === 0) throw new QrwError('EMPTY_IMAGE', 'The image is empty (0 bytes).');
  let input: SharpInput;
  let format: string;
  let width: number;
  let height: number;
  if (isBmp(bytes)) {
    const raw = openBmp(bytes, limits);
    input = raw;
    format = 'bmp';
    width = raw.width;
    height = raw.height;
  } else {
    let meta;
    try {
      meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    } catch (err) {
      throw mapSharpError(err);
    }
    input = { kind: 'encoded', bytes, alpha: meta.hasAlpha };
    format = meta.format ?? 'unknown';
    // EXIF orientations 5-8 swap the axes.
    const swap = (meta.orientation ?? 1) >= 5;
    width = (swap ? meta.height : meta.width) ?? 0;
    height = (swap ? meta.width : meta.height) ?? 0;
    checkPixels(width, height, limits);
  }
  let damaged = false;
  let first: Luminance;
  try {
    first = await toLuminance(input, limits, false, firstMaxSide);
  } catch (strictError) {
    try {
      first = await toLuminance(input, limits, true, firstMaxSide);
      damaged = true;
    } catch {
      throw mapSharpError(strictError);
    }
  }
  const source: SourceImage = {
    format,
    width,
    height,
    damaged,
    luminance: (maxSide) => toLuminance(input, limits, damaged, maxSide).catch((err: unknown) => Promise.reject(mapSharpError(err))),
  };
  return { source, first };
}
