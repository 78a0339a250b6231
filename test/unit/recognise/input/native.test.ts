import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeDecodeStatus, nativeLuma, setNativeDecode } from '../../../../src/recognise/input/native.js';
import { decodeImage } from '../../../../src/recognise/cascade.js';
import { loadReader } from '../../../../src/recognise/reader/zxing.js';

const status = nativeDecodeStatus();

/** CI builds the decoders and sets NATIVE_DECODE=required (.ci/run): there the suites below must not be skipped. */
describe.runIf(process.env.NATIVE_DECODE === 'required')('native decoders', () => {
  it('are built and in use', () => {
    expect(status).toEqual({ mode: 'auto', active: true });
  });
});

/** A smooth scene with edges and noise, as a camera would give: what JPEG is made for. */
function scene(width: number, height: number, channels: 1 | 3): Buffer {
  const data = Buffer.alloc(width * height * channels);
  let s = 12345;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        s = (s * 1103515245 + 12345) >>> 0;
        const square = ((x >> 4) + (y >> 4)) % 2 === 0 ? 60 : 0;
        data[(y * width + x) * channels + c] = Math.min(255, (x + y * (c + 1)) / 3 + square + (s >>> 29));
      }
  return data;
}

/** Rec. 601 integer luma of 8-bit samples, what zxing's own decoder computes from the file's RGB. */
function luma(data: Buffer, channels: number): Uint8Array {
  const out = new Uint8Array(data.length / channels);
  for (let i = 0; i < out.length; i++) {
    const j = i * channels;
    out[i] = channels === 1 ? data[j]! : (data[j]! * 77 + data[j + 1]! * 150 + data[j + 2]! * 29) >> 8;
  }
  return out;
}

function differences(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    max = Math.max(max, d);
  }
  return { mean: sum / a.length, max };
}

describe.runIf(status.active)('jpegLuma', () => {
  const native = nativeLuma()!;
  const [width, height] = [173, 91];

  for (const channels of [3, 1] as const) {
    for (const progressive of [false, true]) {
      it(`gives the luma of a ${channels === 3 ? 'colour' : 'grey'}${progressive ? ' progressive' : ''} JPEG, as libvips decodes it`, async () => {
        const jpeg = await sharp(scene(width, height, channels), { raw: { width, height, channels } })
          .toColourspace(channels === 1 ? 'b-w' : 'srgb')
          .jpeg({ quality: 90, progressive, chromaSubsampling: '4:2:0' })
          .toBuffer();
        const decoded = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
        const out = new Uint8Array(width * height + 2).fill(0xaa);
        expect(native.jpegLuma(jpeg, width, height, out.subarray(1, 1 + width * height))).toBe(true);
        // The Y channel itself, against luma recomputed from the upsampled, converted RGB: within rounding.
        const { mean, max } = differences(out.subarray(1, 1 + width * height), luma(decoded.data, decoded.info.channels));
        expect(mean).toBeLessThan(1);
        expect(max).toBeLessThanOrEqual(channels === 1 ? 0 : 12);
        expect([out[0], out[1 + width * height]]).toEqual([0xaa, 0xaa]); // nothing written outside
      });
    }
  }

  it('refuses a truncated, CMYK or differently sized JPEG, and what is not a JPEG, with false', async () => {
    const colour = await sharp(scene(width, height, 3), { raw: { width, height, channels: 3 } })
      .jpeg()
      .toBuffer();
    const cmyk = await sharp(scene(width, height, 3), { raw: { width, height, channels: 3 } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    const out = new Uint8Array(width * height * 4);
    expect(native.jpegLuma(colour.subarray(0, colour.length >> 1), width, height, out)).toBe(false);
    expect(native.jpegLuma(cmyk, width, height, out)).toBe(false);
    expect(native.jpegLuma(colour, width + 1, height, out)).toBe(false);
    expect(native.jpegLuma(new Uint8Array(0), width, height, out)).toBe(false);
    expect(native.jpegLuma(new Uint8Array(1000).fill(7), width, height, out)).toBe(false);
    expect(native.jpegLuma(colour, width, height, out)).toBe(true); // and the handle still works afterwards
  });

  it('throws on arguments of the wrong kind or an output too small, instead of writing past it', async () => {
    const colour = await sharp(scene(width, height, 3), { raw: { width, height, channels: 3 } })
      .jpeg()
      .toBuffer();
    const call = (...args: unknown[]): unknown => (native.jpegLuma as (...a: unknown[]) => unknown)(...args);
    expect(() => call(colour, width, height, new Uint8Array(width * height - 1))).toThrow(RangeError);
    expect(() => call('jpeg', width, height, new Uint8Array(width * height))).toThrow(TypeError);
    expect(() => call(colour, 0, height, new Uint8Array(width * height))).toThrow(TypeError);
    expect(() => call(colour, width, 1.5, new Uint8Array(width * height))).toThrow(TypeError);
    expect(() => call(colour, width, height, new Float32Array(width * height))).toThrow(TypeError);
    expect(() => call(colour, width)).toThrow(TypeError);
    const png = (...args: unknown[]): unknown => (native.pngLuma as (...a: unknown[]) => unknown)(...args);
    expect(() => png(new Uint8Array(10), 4, 4, 2, new Uint8Array(16))).toThrow(TypeError);
    expect(() => png(new Uint8Array(10), 4, 4, 3, new Uint8Array(15))).toThrow(RangeError);
    expect(png(new Uint8Array(10), 4, 4, 3, new Uint8Array(16))).toBe(false);
  });
});

const benchImages = fileURLToPath(new URL('../../../../../shared/anchors/bench/images/', import.meta.url));

/** The benchmark photos sit beside the repo in ../shared (CI has them). */
describe.runIf(status.active && (existsSync(benchImages) || process.env.CI === 'true'))('the pipeline with and without the native decoders', () => {
  afterAll(() => setNativeDecode('auto'));

  it('reads the same codes from the benchmark photos', async () => {
    const files = readdirSync(benchImages).filter((f) => /\.(png|jpe?g)$/.test(f));
    expect(files.length).toBeGreaterThan(10);
    const reader = await loadReader();
    const texts = async (mode: 'off' | 'auto'): Promise<string[][]> => {
      setNativeDecode(mode);
      const all: string[][] = [];
      for (const f of files) {
        const result = await decodeImage(reader, new Uint8Array(readFileSync(benchImages + f)), { formats: ['QRCode'], maxSide: 1200, maxPixels: 25_000_000 });
        all.push(result.codes.map((c) => c.text));
      }
      return all;
    };
    const portable = await texts('off');
    expect(portable.every((t) => t.length === 1)).toBe(true);
    expect(await texts('auto')).toEqual(portable);
  });
});
