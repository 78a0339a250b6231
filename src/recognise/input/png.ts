/**
 * The commonest upload, an 8-bit grey or RGB PNG without interlacing, straight
 * to luminance: the native decoder (native.ts) when it is built, else Node's
 * zlib inflates it in one call and the rows are unfiltered and turned grey in
 * one pass. `npm run bench:core` measures both against zxing's own decoder
 * (stb_image in wasm) and sharp on the same files; everything else (palette,
 * alpha, 16-bit, interlaced) is left to those.
 */
import { constants as zlibConstants, inflateSync } from 'node:zlib';
import { IDAT, IEND, pngHeader, TRNS } from './header.js';
import type { Luminance, LumaFile } from '../luminance.js';
import { nativeLuma } from './native.js';

const GREY = 0;
const RGB = 2;

interface Header {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

/** The image header when the file is of the kind this module decodes, else undefined. */
function simpleHeader(view: DataView): Header | undefined {
  const header = pngHeader(view);
  if (!header) return undefined;
  const { width, height, depth, colour, compression, filter, interlace } = header;
  if (depth !== 8 || compression !== 0 || filter !== 0 || interlace !== 0) return undefined;
  if (colour !== GREY && colour !== RGB) return undefined;
  return { width, height, channels: colour === GREY ? 1 : 3 };
}

/**
 * Joined IDAT payloads up to this size are kept in one buffer per thread, reused from file to file:
 * a fresh buffer per upload is fresh pages the kernel must fault in and zero (see decodeInto).
 */
const JOIN_BUFFER_MAX = 4 << 20;
let joinBuffer = new Uint8Array(0);

function joinedOf(total: number): Uint8Array {
  if (total > JOIN_BUFFER_MAX) return new Uint8Array(total);
  if (joinBuffer.length < total) joinBuffer = new Uint8Array(Math.min(JOIN_BUFFER_MAX, Math.max(total, 2 * joinBuffer.length)));
  return joinBuffer.subarray(0, total);
}

/** The IDAT chunks' payload, concatenated; undefined when a chunk runs past the end or a transparency chunk appears. */
function imageData(bytes: Uint8Array, view: DataView): Uint8Array | undefined {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = view.getUint32(at + 4);
    const end = at + 12 + length;
    if (end > bytes.length) return undefined;
    if (type === TRNS) return undefined; // transparent pixels must read as white, which sharp does
    if (type === IDAT) {
      parts.push(bytes.subarray(at + 8, at + 8 + length));
      total += length;
    }
    if (type === IEND) break;
    at = end;
  }
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  const joined = joinedOf(total);
  let offset = 0;
  for (const p of parts) {
    joined.set(p, offset);
    offset += p.length;
  }
  return joined;
}

/** The Paeth predictor without branches: on photo noise the branches mispredict (see docs/design/recognition.md). */
function paeth(a: number, b: number, c: number): number {
  let pa = b - c;
  let pb = a - c;
  let pc = pa + pb;
  pa = (pa ^ (pa >> 31)) - (pa >> 31);
  pb = (pb ^ (pb >> 31)) - (pb >> 31);
  pc = (pc ^ (pc >> 31)) - (pc >> 31);
  const notA = ((pb - pa) | (pc - pa)) >> 31;
  const bOrC = b ^ ((b ^ c) & ((pc - pb) >> 31));
  return a ^ ((a ^ bOrC) & notA);
}

/**
 * A Paeth row of RGB: each byte depends on the one to its left, so the three
 * channels are carried in registers side by side, three independent chains the
 * CPU overlaps.
 */
function paethRgb(raw: Uint8Array, at: number, above: number, n: number): void {
  let c0 = raw[above]!;
  let c1 = raw[above + 1]!;
  let c2 = raw[above + 2]!;
  let a0 = (raw[at]! + c0) & 0xff;
  let a1 = (raw[at + 1]! + c1) & 0xff;
  let a2 = (raw[at + 2]! + c2) & 0xff;
  raw[at] = a0;
  raw[at + 1] = a1;
  raw[at + 2] = a2;
  for (let i = at + 3, j = above + 3, end = at + n; i < end; i += 3, j += 3) {
    const b0 = raw[j]!;
    const b1 = raw[j + 1]!;
    const b2 = raw[j + 2]!;
    a0 = (raw[i]! + paeth(a0, b0, c0)) & 0xff;
    a1 = (raw[i + 1]! + paeth(a1, b1, c1)) & 0xff;
    a2 = (raw[i + 2]! + paeth(a2, b2, c2)) & 0xff;
    raw[i] = a0;
    raw[i + 1] = a1;
    raw[i + 2] = a2;
    c0 = b0;
    c1 = b1;
    c2 = b2;
  }
}

/** An Average row of RGB, the channels side by side as in paethRgb. */
function averageRgb(raw: Uint8Array, at: number, above: number, n: number): void {
  let a0 = (raw[at]! + (raw[above]! >> 1)) & 0xff;
  let a1 = (raw[at + 1]! + (raw[above + 1]! >> 1)) & 0xff;
  let a2 = (raw[at + 2]! + (raw[above + 2]! >> 1)) & 0xff;
  raw[at] = a0;
  raw[at + 1] = a1;
  raw[at + 2] = a2;
  for (let i = at + 3, j = above + 3, end = at + n; i < end; i += 3, j += 3) {
    a0 = (raw[i]! + ((a0 + raw[j]!) >> 1)) & 0xff;
    a1 = (raw[i + 1]! + ((a1 + raw[j + 1]!) >> 1)) & 0xff;
    a2 = (raw[i + 2]! + ((a2 + raw[j + 2]!) >> 1)) & 0xff;
    raw[i] = a0;
    raw[i + 1] = a1;
    raw[i + 2] = a2;
  }
}

/**
 * Reverses the filter of the row at `at` (its filter byte is at `at - 1`) in place;
 * the unfiltered row above starts at `above`, or is all zeros when `above` < 0.
 */
function unfilterRow(raw: Uint8Array, at: number, above: number, n: number, bpp: 1 | 3): boolean {
  const type = raw[at - 1]!;
  if (type === 0) return true;
  if (type === 1) {
    for (let i = bpp; i < n; i++) raw[at + i] = (raw[at + i]! + raw[at + i - bpp]!) & 0xff;
    return true;
  }
  if (type > 4) return false;
  if (above < 0) {
    // The first row: Up adds nothing, Average halves the left byte, Paeth picks the left byte.
    if (type === 2) return true;
    const shift = type === 3 ? 1 : 0;
    for (let i = bpp; i < n; i++) raw[at + i] = (raw[at + i]! + (raw[at + i - bpp]! >> shift)) & 0xff;
    return true;
  }
  if (type === 2) {
    for (let i = 0; i < n; i++) raw[at + i] = (raw[at + i]! + raw[above + i]!) & 0xff;
  } else if (bpp === 3) {
    if (type === 4) paethRgb(raw, at, above, n);
    else averageRgb(raw, at, above, n);
  } else if (type === 3) {
    raw[at] = (raw[at]! + (raw[above]! >> 1)) & 0xff;
    for (let i = 1; i < n; i++) raw[at + i] = (raw[at + i]! + ((raw[at + i - 1]! + raw[above + i]!) >> 1)) & 0xff;
  } else {
    let a = (raw[at]! + raw[above]!) & 0xff;
    let c = raw[above]!;
    raw[at] = a;
    for (let i = at + 1, j = above + 1; i < at + n; i++, j++) {
      const b = raw[j]!;
      a = (raw[i]! + paeth(a, b, c)) & 0xff;
      raw[i] = a;
      c = b;
    }
  }
  return true;
}

/**
 * An 8-bit, non-interlaced, opaque grey or RGB PNG, whose luminance decodeInto
 * gives with the integer Rec. 601 weights zxing's own decoder uses; undefined
 * for any other PNG.
 */
export function openPng(bytes: Uint8Array, maxPixels: number): LumaFile | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = simpleHeader(view);
  if (!header) return undefined;
  const { width, height, channels } = header;
  if (width === 0 || height === 0 || width * height > maxPixels) return undefined;
  const decodeInto = (grey: Uint8Array): boolean => {
    const data = imageData(bytes, view);
    if (!data) return false;
    const native = nativeLuma();
    if (native) return native.pngLuma(data, width, height, channels, grey);
    const stride = width * channels;
    const expected = (stride + 1) * height;
    let inflated: Buffer;
    try {
      // One output chunk, faster than zlib's default 16 KiB chunks (see docs/design/recognition.md). One byte
      // more than the image needs, or Node, finding the chunk full, allocates another to learn that the stream
      // has ended; at least zlib's smallest chunk (64 bytes), or a tiny image is refused with a RangeError.
      inflated = inflateSync(data, { chunkSize: Math.max(expected + 1, zlibConstants.Z_MIN_CHUNK), maxOutputLength: expected });
    } catch {
      return false;
    }
    if (inflated.length !== expected) return false;
    const raw = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
    for (let y = 0; y < height; y++) {
      const at = y * (stride + 1) + 1;
      if (!unfilterRow(raw, at, y === 0 ? -1 : at - stride - 1, stride, channels)) return false;
      const out = y * width;
      if (channels === 1) grey.set(raw.subarray(at, at + stride), out);
      else for (let x = 0, i = at; x < width; x++, i += 3) grey[out + x] = (raw[i]! * 77 + raw[i + 1]! * 150 + raw[i + 2]! * 29) >> 8;
    }
    return true;
  };
  return { width, height, decodeInto };
}

/** openPng's luminance in a buffer of its own; undefined for any other PNG or for data that does not decode. */
export function pngLuminance(bytes: Uint8Array, maxPixels: number): Luminance | undefined {
  const png = openPng(bytes, maxPixels);
  if (!png) return undefined;
  const data = new Uint8Array(png.width * png.height);
  return png.decodeInto(data) ? { data, width: png.width, height: png.height } : undefined;
}
