import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';

/** A PNG chunk: length, type, data and CRC, for building PNGs by hand. */
export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid 1-bit PNG of width x height white pixels: a decompression bomb at 20000x20000 (50 MB of pixels in ~50 KB). */
export function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1;
  ihdr[9] = 0;
  const raw = Buffer.alloc((1 + Math.ceil(width / 8)) * height, 0);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}

/** 24-bit bottom-up BMP, written by hand: sharp cannot write BMP. */
export async function toBmp(image: Buffer): Promise<Buffer> {
  const { data, info } = await sharp(image).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const rowSize = Math.ceil((info.width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + rowSize * info.height);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(info.width, 18);
  out.writeInt32LE(info.height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(rowSize * info.height, 34);
  for (let y = 0; y < info.height; y++) {
    const row = 54 + (info.height - 1 - y) * rowSize;
    for (let x = 0; x < info.width; x++) {
      const src = (y * info.width + x) * 3;
      out[row + x * 3] = data[src + 2]!;
      out[row + x * 3 + 1] = data[src + 1]!;
      out[row + x * 3 + 2] = data[src]!;
    }
  }
  return out;
}

export async function onePixelPng(): Promise<Buffer> {
  return sharp({ create: { width: 1, height: 1, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
}

/** A symbol's modules (1 = dark) drawn at `px` pixels a module with a `margin`-module quiet zone, dark 40 on light 210, as grey pixels. */
export function drawModules(modules: Uint8Array, size: number, px: number, margin: number): { data: Uint8Array; width: number; height: number } {
  const side = (size + 2 * margin) * px;
  const data = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const [u, v] = [Math.floor(x / px - margin), Math.floor(y / px - margin)];
      data[y * side + x] = u >= 0 && v >= 0 && u < size && v < size && modules[v * size + u] ? 40 : 210;
    }
  }
  return { data, width: side, height: side };
}
