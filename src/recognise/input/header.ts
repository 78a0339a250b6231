/**
 * Recognises, from its header alone, the commonest upload: an opaque 8-bit
 * JPEG or PNG that needs no rotation. Such a file goes straight to the fast
 * pass; anything else (or anything this probe is unsure of) is left to
 * sharp's metadata(), a libvips header load and a thread hop that cost far
 * more CPU than this probe (see docs/design/recognition.md).
 */

export interface PlainHeader {
  readonly format: 'jpeg' | 'png';
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** PNG chunk types, as big-endian 32-bit numbers. */
export const IHDR = 0x49484452;
export const IDAT = 0x49444154;
export const IEND = 0x49454e44;
export const TRNS = 0x74524e53;
const EXIF = 0x65584966;

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly depth: number;
  readonly colour: number;
  readonly compression: number;
  readonly filter: number;
  readonly interlace: number;
}

/** A PNG's IHDR (which must come first, 13 bytes long), or undefined when the bytes do not start as a PNG. */
export function pngHeader(view: DataView): PngHeader | undefined {
  if (view.byteLength < 33 || PNG_SIGNATURE.some((b, i) => view.getUint8(i) !== b)) return undefined;
  if (view.getUint32(8) !== 13 || view.getUint32(12) !== IHDR) return undefined;
  const [depth, colour, compression, filter, interlace] = [24, 25, 26, 27, 28].map((o) => view.getUint8(o)) as [number, number, number, number, number];
  return { width: view.getUint32(16), height: view.getUint32(20), depth, colour, compression, filter, interlace };
}

/** PNG colour types that carry no alpha channel, with the bit depths stb_image and libvips read as 8-bit samples. */
const PNG_OPAQUE_DEPTHS: ReadonlyMap<number, readonly number[]> = new Map([
  [0, [1, 2, 4, 8]], // grey
  [2, [8]], // RGB
  [3, [1, 2, 4, 8]], // palette
]);

function probePng(bytes: Uint8Array, view: DataView): PlainHeader | undefined {
  const header = pngHeader(view);
  if (!header || !PNG_OPAQUE_DEPTHS.get(header.colour)?.includes(header.depth)) return undefined;
  // Transparency (tRNS) and an EXIF orientation (eXIf) must come before the image data.
  for (let at = 33; at + 8 <= bytes.length;) {
    const type = view.getUint32(at + 4);
    if (type === IDAT) return { format: 'png', width: header.width, height: header.height };
    if (type === TRNS || type === EXIF) return undefined;
    at += 12 + view.getUint32(at);
  }
  return undefined;
}

/** EXIF orientation from an APP1 payload ("Exif\0\0" + TIFF); undefined when it cannot be read. */
function exifOrientation(view: DataView, start: number, end: number): number | undefined {
  const tiff = start + 6;
  if (end - tiff < 8) return undefined;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return undefined;
  const count = view.getUint16(ifd, little);
  for (let i = 0, entry = ifd + 2; i < count; i++, entry += 12) {
    if (entry + 12 > end) return undefined;
    if (view.getUint16(entry, little) === 0x0112) return view.getUint16(entry + 2, little) === 3 ? view.getUint16(entry + 8, little) : undefined;
  }
  return 1;
}

const isExifApp1 = (bytes: Uint8Array, at: number): boolean =>
  bytes[at] === 0x45 && bytes[at + 1] === 0x78 && bytes[at + 2] === 0x69 && bytes[at + 3] === 0x66 && bytes[at + 4] === 0 && bytes[at + 5] === 0;

/** Baseline, extended or progressive Huffman JPEG, 8-bit, grey or YCbCr/RGB, EXIF orientation absent or 1. */
function probeJpeg(bytes: Uint8Array, view: DataView): PlainHeader | undefined {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let frame: PlainHeader | undefined;
  for (let at = 2; at + 4 <= bytes.length;) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    // Start of scan: every header segment has been seen.
    if (marker === 0xda) return frame;
    const length = view.getUint16(at + 2);
    const start = at + 4;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) return undefined;
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      if (frame || length < 8) return undefined;
      const [precision, components] = [bytes[start]!, bytes[start + 5]!];
      if (precision !== 8 || (components !== 1 && components !== 3)) return undefined;
      frame = { format: 'jpeg', width: view.getUint16(start + 3), height: view.getUint16(start + 1) };
    } else if (marker >= 0xc3 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return undefined; // lossless, hierarchical or arithmetic-coded
    } else if (marker === 0xe1 && isExifApp1(bytes, start) && exifOrientation(view, start, end) !== 1) {
      return undefined;
    }
    at = end;
  }
  return undefined;
}

/** The header of a file the fast pass can read as it is, or undefined (then sharp decides). */
export function probePlainFile(bytes: Uint8Array): PlainHeader | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return probePng(bytes, view) ?? probeJpeg(bytes, view);
}
