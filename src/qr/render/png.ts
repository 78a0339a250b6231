import type { QrMatrix } from '../encode/encode.js';
import type { Rgba } from '../colour.js';
import type { Layout } from './layout.js';

/** zlib deflate, injected so the core stays free of Node built-ins (node:zlib in Node, CompressionStream elsewhere). */
export type Deflate = (data: Uint8Array) => Uint8Array;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

const isBlack = (c: Rgba): boolean => c.r === 0 && c.g === 0 && c.b === 0 && c.a === 255;
const isWhite = (c: Rgba): boolean => c.r === 255 && c.g === 255 && c.b === 255 && c.a === 255;

/**
 * 1 bit per pixel whatever the colours: greyscale for plain black on white,
 * otherwise a two-entry palette (with tRNS for transparency). An order of
 * magnitude smaller and faster than RGBA.
 */
export function renderPng(matrix: QrMatrix, layout: Layout, dark: Rgba, light: Rgba, deflate: Deflate): Uint8Array {
  const { pixels, scale, offset } = layout;
  const greyscale = isBlack(dark) && isWhite(light);
  // Greyscale: bit 1 is white. Palette: index 0 is light, 1 is dark.
  const darkBit = greyscale ? 0 : 1;
  const rowBytes = 1 + Math.ceil(pixels / 8);
  // Each module row is `scale` identical pixel rows, and the quiet zone is blank: every row equal
  // to the one above is written with PNG's Up filter (type 2) as zeros, which deflate swallows much
  // faster than repeated pixels, for a slightly larger file (see docs/design/generation.md).
  const raw = new Uint8Array(rowBytes * pixels);
  const lightFill = darkBit ? 0x00 : 0xff;
  const row = new Uint8Array(rowBytes);
  const writeRow = (y: number, first: boolean): void => {
    if (first) {
      raw.set(row, y * rowBytes); // filter type 0 (None): row[0] is 0
    } else {
      raw[y * rowBytes] = 2; // filter type 2 (Up), differences all 0
    }
  };
  row.fill(lightFill);
  row[0] = 0;
  for (let y = 0; y < offset; y++) writeRow(y, y === 0);
  for (let my = 0; my < matrix.size; my++) {
    row.fill(lightFill);
    row[0] = 0;
    for (let mx = 0; mx < matrix.size; mx++) {
      if (!matrix.modules[my * matrix.size + mx]) continue;
      const x0 = offset + mx * scale;
      for (let x = x0; x < x0 + scale; x++) {
        const byte = 1 + (x >> 3);
        const bit = 0x80 >> (x & 7);
        row[byte] = darkBit ? row[byte]! | bit : row[byte]! & ~bit;
      }
    }
    const y0 = offset + my * scale;
    for (let y = y0; y < y0 + scale; y++) writeRow(y, y === y0);
  }
  row.fill(lightFill);
  row[0] = 0;
  const bottom = offset + matrix.size * scale;
  for (let y = bottom; y < pixels; y++) writeRow(y, y === bottom);

  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, pixels);
  hv.setUint32(4, pixels);
  header[8] = 1; // bit depth
  header[9] = greyscale ? 0 : 3; // colour type
  const parts = [Uint8Array.from(SIGNATURE), chunk('IHDR', header)];
  if (!greyscale) {
    parts.push(chunk('PLTE', Uint8Array.of(light.r, light.g, light.b, dark.r, dark.g, dark.b)));
    if (light.a !== 255 || dark.a !== 255) parts.push(chunk('tRNS', Uint8Array.of(light.a, dark.a)));
  }
  parts.push(chunk('IDAT', deflate(raw)), chunk('IEND', new Uint8Array(0)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
