import { deflateSync, inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setNativeDecode } from '../../../../src/recognise/input/native.js';
import { openPng, pngLuminance } from '../../../../src/recognise/input/png.js';

/** zxing's (stb_image's) integer luma of 8-bit RGB or grey samples: what pngLuminance must give. */
function expectedLuma(data: Buffer, channels: number): Uint8Array {
  const pixels = data.length / channels;
  const out = new Uint8Array(pixels);
  for (let i = 0; i < pixels; i++) {
    const j = i * channels;
    out[i] = channels === 1 ? data[j]! : (data[j]! * 77 + data[j + 1]! * 150 + data[j + 2]! * 29) >> 8;
  }
  return out;
}

/** Photo-like noise over gradients, so that every PNG filter type wins on some row. */
function noisyImage(width: number, height: number, channels: 1 | 3, seed: number): Buffer {
  const data = Buffer.alloc(width * height * channels);
  let s = seed;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        s = (s * 1103515245 + 12345) >>> 0;
        const noise = y % 7 === 0 ? s >>> 24 : (s >>> 28) * 4;
        data[(y * width + x) * channels + c] = (x * 3 + y * (c + 1) + noise) & 0xff;
      }
    }
  }
  return data;
}

/** The compressed image data of all IDAT chunks, joined. */
function idatOf(png: Buffer): Buffer {
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + png.readUInt32BE(at)));
  return Buffer.concat(idat);
}

function filterTypesOf(png: Buffer): Set<number> {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const channels = png[25] === 2 ? 3 : 1;
  const raw = inflateSync(idatOf(png));
  const types = new Set<number>();
  for (let y = 0; y < height; y++) types.add(raw[y * (width * channels + 1)]!);
  return types;
}

// The portable path, and the native decoder (native/luma.c) where it is built: both must give exactly this luma.
for (const mode of ['off', 'auto'] as const) {
  describe(`NATIVE_DECODE=${mode}`, () => {
    beforeAll(() => setNativeDecode(mode));
    afterAll(() => setNativeDecode('auto'));

    describe('pngLuminance', () => {
      for (const channels of [1, 3] as const) {
        it(`gives zxing's luma for an 8-bit ${channels === 1 ? 'grey' : 'RGB'} PNG whose rows use every filter type`, async () => {
          const [width, height] = [97, 61];
          const pixels = noisyImage(width, height, channels, 7 + channels);
          const png = await sharp(pixels, { raw: { width, height, channels } })
            .toColourspace(channels === 1 ? 'b-w' : 'srgb')
            .png({ adaptiveFiltering: true, compressionLevel: 6 })
            .toBuffer();
          expect(png[25]).toBe(channels === 1 ? 0 : 2);
          expect(filterTypesOf(png).size).toBeGreaterThanOrEqual(4);
          const lum = pngLuminance(png, 1e6);
          expect(lum).toBeDefined();
          expect(lum!.width).toBe(width);
          expect(lum!.height).toBe(height);
          expect(Buffer.from(lum!.data).equals(Buffer.from(expectedLuma(pixels, channels)))).toBe(true);
        });
      }

      it('reads images so small that the whole inflated image is under 64 bytes', async () => {
        for (const [width, height, channels] of [
          [1, 1, 1],
          [5, 3, 1],
          [4, 4, 3],
        ] as const) {
          const pixels = noisyImage(width, height, channels, 11);
          const png = await sharp(pixels, { raw: { width, height, channels } })
            .toColourspace(channels === 1 ? 'b-w' : 'srgb')
            .png()
            .toBuffer();
          const lum = pngLuminance(png, 1e6);
          expect(lum, `${width}x${height}x${channels}`).toBeDefined();
          expect(Buffer.from(lum!.data).equals(Buffer.from(expectedLuma(pixels, channels)))).toBe(true);
        }
      });

      it('leaves to the full decoders what it does not handle, and refuses what does not decode', async () => {
        const rgba = await sharp(noisyImage(20, 20, 3, 1), { raw: { width: 20, height: 20, channels: 3 } })
          .ensureAlpha()
          .png()
          .toBuffer();
        const palette = await sharp(noisyImage(20, 20, 3, 1), { raw: { width: 20, height: 20, channels: 3 } })
          .png({ palette: true })
          .toBuffer();
        const sixteen = await sharp(noisyImage(20, 20, 3, 1), { raw: { width: 20, height: 20, channels: 3 } })
          .toColourspace('rgb16')
          .png()
          .toBuffer();
        const interlaced = await sharp(noisyImage(20, 20, 3, 1), { raw: { width: 20, height: 20, channels: 3 } })
          .png({ progressive: true })
          .toBuffer();
        for (const png of [rgba, palette, sixteen, interlaced]) expect(pngLuminance(png, 1e6)).toBeUndefined();

        const good = await sharp(noisyImage(20, 20, 3, 1), { raw: { width: 20, height: 20, channels: 3 } })
          .png()
          .toBuffer();
        expect(pngLuminance(good, 1e6)).toBeDefined();
        expect(pngLuminance(good, 399)).toBeUndefined(); // over the pixel limit
        expect(pngLuminance(good.subarray(0, good.length - 40), 1e6)).toBeUndefined(); // truncated inside the data
        expect(pngLuminance(new Uint8Array(0), 1e6)).toBeUndefined();

        // A bomb: the header promises 20x20, the data inflates to far more; the output is bounded and refused.
        const at = good.indexOf('IDAT') - 4;
        const bomb = Buffer.concat([good.subarray(0, at), chunk('IDAT', deflateSync(Buffer.alloc(50_000_000))), chunk('IEND', Buffer.alloc(0))]);
        expect(pngLuminance(bomb, 1e6)).toBeUndefined();
      });
    });

    describe('openPng', () => {
      /** The same image with its compressed data split over IDAT chunks of `size` bytes. */
      function splitIdat(png: Buffer, size: number): Buffer {
        const at = png.indexOf('IDAT') - 4;
        const data = idatOf(png);
        const parts: Buffer[] = [];
        for (let i = 0; i < data.length; i += size) parts.push(chunk('IDAT', data.subarray(i, i + size)));
        return Buffer.concat([png.subarray(0, at), ...parts, chunk('IEND', Buffer.alloc(0))]);
      }

      it('writes the luma into the buffer it is given, from data split over many IDAT chunks, file after file', async () => {
        const images = [
          { width: 120, height: 90, seed: 3, size: 997 },
          { width: 64, height: 200, seed: 4, size: 50 },
          { width: 120, height: 90, seed: 3, size: 4096 },
        ];
        for (const { width, height, seed, size } of images) {
          const pixels = noisyImage(width, height, 3, seed);
          const png = splitIdat(
            await sharp(pixels, { raw: { width, height, channels: 3 } })
              .png({ adaptiveFiltering: true })
              .toBuffer(),
            size,
          );
          const file = openPng(png, 1e6);
          expect(file).toMatchObject({ width, height });
          const into = new Uint8Array(width * height + 8).fill(0xaa);
          expect(file!.decodeInto(into.subarray(4, 4 + width * height))).toBe(true);
          expect(Buffer.from(into.subarray(4, 4 + width * height)).equals(Buffer.from(expectedLuma(pixels, 3)))).toBe(true);
          expect([...into.subarray(0, 4), ...into.subarray(4 + width * height)]).toEqual(Array(8).fill(0xaa)); // nothing written outside
        }
      });
    });
  });
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, data, Buffer.alloc(4)]); // the CRC is not checked (zlib's Adler-32 covers the data)
}
