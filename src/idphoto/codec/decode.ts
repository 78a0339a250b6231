/**
 * An uploaded portrait to 8-bit sRGB pixels, with the bounds a hostile upload needs: the pixel count is
 * checked from the header before anything is decoded, only the first page of an animation or a
 * multi-page file is read, the picture is shrunk while it is read (JPEG shrink-on-load) to at most
 * `maxSide`, and a decode that runs away is stopped.
 */
import type { Metadata } from 'sharp';
import { QrwError } from '../../errors.js';
import type { RgbImage } from '../rgb.js';
import { loadSharp } from './sharp.js';

export interface DecodeLimits {
  /** Largest width x height accepted, read from the header (decompression bombs stop here). */
  readonly maxPixels: number;
  /** The decoded picture's longer side is shrunk to this (never enlarged). */
  readonly maxSide: number;
}

export interface DecodedPortrait {
  /** The picture after EXIF orientation, alpha flattened onto white, at most `maxSide` on its longer side. */
  readonly rgb: RgbImage;
  /** The picture's size after EXIF orientation, before any shrinking: the frame of the uploaded picture's coordinates. */
  readonly original: { readonly width: number; readonly height: number };
  /** rgb.width / original.width (1 when not shrunk). */
  readonly scale: number;
}

/** The raster formats a portrait may come in; SVG, PDF and the rest are refused (a vector file is no photo, and a renderer is more attack surface). */
const PORTRAIT_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'heif', 'avif', 'jp2', 'jxl']);

const FORMAT_LIST = 'JPEG, PNG, WebP, AVIF, GIF, TIFF';

/** A decode that takes longer than this is stopped: the pixel limit bounds honest files far below it. */
const DECODE_TIMEOUT_SECONDS = 20;

function mapSharpError(err: unknown): QrwError {
  if (err instanceof QrwError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const first = message.split('\n')[0];
  if (/pixel limit/i.test(message)) return new QrwError('IMAGE_TOO_LARGE', `The image has more pixels than allowed (${first}).`);
  if (/unsupported image format/i.test(message)) return new QrwError('UNSUPPORTED_IMAGE', `The data is not an image in a supported format (${FORMAT_LIST}).`);
  if (/buffer is empty/i.test(message)) return new QrwError('EMPTY_IMAGE', 'The image is empty (0 bytes).');
  if (/timeout/i.test(message)) return new QrwError('CORRUPT_IMAGE', `The image took longer than ${DECODE_TIMEOUT_SECONDS} s to decode and was given up.`);
  return new QrwError('CORRUPT_IMAGE', `The image is damaged or truncated and could not be decoded (${first}).`);
}

function checkLimits(limits: DecodeLimits): void {
  for (const key of ['maxPixels', 'maxSide'] as const) {
    const value = limits[key];
    if (!(Number.isInteger(value) && value > 0)) throw new RangeError(`decodePortrait: limits.${key} must be a positive integer, got ${value}`);
  }
}

/** Width and height after EXIF orientation (5-8 swap the axes), from the header alone. */
function orientedSize(meta: Metadata): { width: number; height: number } {
  if (meta.autoOrient) return { width: meta.autoOrient.width, height: meta.autoOrient.height };
  const swap = (meta.orientation ?? 1) >= 5;
  const [w, h] = [meta.width ?? 0, meta.pageHeight ?? meta.height ?? 0];
  return swap ? { width: h, height: w } : { width: w, height: h };
}

/**
 * Decodes a portrait for the ID-photo pipeline: EXIF orientation applied, the first page only, CMYK,
 * 16-bit and grey converted to 8-bit sRGB, alpha flattened onto white, shrunk (never enlarged) so the
 * longer side is at most `limits.maxSide`.
 *
 * Errors (QrwError): zero bytes EMPTY_IMAGE; not a raster image (text, SVG, PDF, HEVC-coded HEIC)
 * UNSUPPORTED_IMAGE; more than `limits.maxPixels` pixels IMAGE_TOO_LARGE, from the header before any
 * pixel is decoded; damaged or truncated CORRUPT_IMAGE. A truncated file is refused, not decoded as far
 * as it goes: the grey or smeared lower part would end up in an ID photo.
 */
export async function decodePortrait(bytes: Uint8Array, limits: DecodeLimits): Promise<DecodedPortrait> {
  checkLimits(limits);
  if (bytes.length === 0) throw new QrwError('EMPTY_IMAGE', 'The image is empty (0 bytes).');
  const sharp = await loadSharp();
  let meta: Metadata;
  try {
    // The limit is checked here, with the size in the message, rather than by libvips.
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw mapSharpError(err);
  }
  const format = meta.format ?? 'unknown';
  if (!PORTRAIT_FORMATS.has(format)) throw new QrwError('UNSUPPORTED_IMAGE', `A portrait must be a photo (${FORMAT_LIST}), not ${format.toUpperCase()}.`, { format });
  if (format === 'heif' && meta.compression === 'hevc') {
    throw new QrwError('UNSUPPORTED_IMAGE', 'HEIC photos (HEVC-coded) cannot be read here; export the photo as JPEG (on an iPhone: Settings > Camera > Formats > Most Compatible).', { format });
  }
  const original = orientedSize(meta);
  if (!(original.width > 0 && original.height > 0)) throw new QrwError('CORRUPT_IMAGE', 'The image has no pixels: its header gives a size of zero.');
  if (original.width * original.height > limits.maxPixels) {
    throw new QrwError('IMAGE_TOO_LARGE', `The image is ${original.width}x${original.height} pixels, more than the limit of ${limits.maxPixels} pixels; scale it down and try again.`, {
      ...original,
      maxPixels: limits.maxPixels,
    });
  }
  let decoded;
  try {
    decoded = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error', sequentialRead: true, pages: 1, page: 0 })
      .timeout({ seconds: DECODE_TIMEOUT_SECONDS })
      .rotate()
      .resize({ width: limits.maxSide, height: limits.maxSide, fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw mapSharpError(err);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) throw new QrwError('INTERNAL', `Decoding gave ${info.channels} channels where 3 were expected.`);
  const rgb: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height * 3), width: info.width, height: info.height };
  return { rgb, original, scale: info.width / original.width };
}
