import QRCode from 'qrcode';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeQr } from '../../../src/qr/encode/encode.js';
import { decodeImage } from '../../../src/recognise/cascade.js';
import { upscale2x } from '../../../src/recognise/transform/upscale.js';
import { loadReader } from '../../../src/recognise/reader/zxing.js';
import { drawModules } from '../../helpers/images.js';

let reader: Awaited<ReturnType<typeof loadReader>>;
beforeAll(async () => {
  reader = await loadReader();
});

/** A `width` x `height` grey photo (JPEG) with one code of `modulePx` pixels a module in it. */
async function photo(text: string, width: number, height: number, modulePx: number): Promise<Uint8Array> {
  const code = await QRCode.toBuffer(text, { scale: modulePx, margin: 4, errorCorrectionLevel: 'M' });
  const canvas = sharp({ create: { width, height, channels: 3, background: { r: 128, g: 120, b: 110 } } });
  const composed = await canvas
    .composite([{ input: code, left: Math.round(width * 0.4), top: Math.round(height * 0.35) }])
    .png()
    .toBuffer();
  return new Uint8Array(
    await sharp(composed)
      .blur(0.3 * modulePx)
      .jpeg({ quality: 88 })
      .toBuffer(),
  );
}

const limits = { formats: ['QRCode'] as const, maxSide: 1200, maxPixels: 25_000_000 };

describe('decode cascade: sizes', () => {
  it('reads a small code in a 12 MP photo at twice the first size, before any full-size decode', async () => {
    const text = 'https://example.com/poster/across-the-room';
    // 4 px a module at 4032 px wide is ~1.2 px at the first size (1200): too few; ~2.4 at 2400.
    const result = await decodeImage(reader, await photo(text, 4032, 3024, 4), limits);
    expect(result.codes.map((c) => c.text)).toEqual([text]);
    expect(result.pass).toBe('high-res');
    // Corners come back in the photo's own coordinates.
    expect(result.codes[0]!.position.topLeft.x).toBeGreaterThan(4032 * 0.4);
    expect(result.codes[0]!.position.topLeft.x).toBeLessThan(4032 * 0.4 + 50 * 4);
  });

  it('reads a picture up to three times the first size at its full size in that pass (2 px modules in 3000 px)', async () => {
    const text = 'tiny code, mid-size picture';
    const result = await decodeImage(reader, await photo(text, 3000, 2200, 2), limits);
    expect(result.codes.map((c) => c.text)).toEqual([text]);
    expect(result.pass).toBe('high-res');
  });

  it('leaves a picture up to twice the first size to the full-size pass at the end', async () => {
    const text = 'tiny code, small picture';
    const result = await decodeImage(reader, await photo(text, 2200, 1650, 2), limits);
    expect(result.codes.map((c) => c.text)).toEqual([text]);
    expect(result.pass).toBe('full-size');
  });

  it('reads a code of 1.4 px modules in a small picture at twice its resolution', async () => {
    const text = 'https://example.com/a';
    const symbol = encodeQr(text, { ec: 'M' });
    const drawn = drawModules(symbol.modules, symbol.size, 8, 4);
    // Drawn at 8 px a module, turned 33 degrees, then shrunk so that a module is ~1.4 px.
    const turned = await sharp(Buffer.from(drawn.data), { raw: { width: drawn.width, height: drawn.height, channels: 1 } })
      .rotate(33, { background: '#d2d2d2' })
      .png()
      .toBuffer();
    const small = await sharp(turned)
      .resize({ width: Math.round((drawn.width * 1.4 * 1.27) / 8) })
      .extend({ top: 40, bottom: 40, left: 40, right: 40, background: '#d2d2d2' })
      .jpeg({ quality: 90 })
      .toBuffer();
    const result = await decodeImage(reader, new Uint8Array(small), limits);
    expect(result.codes.map((c) => c.text)).toEqual([text]);
    expect(result.pass).toBe('upscaled');
  });

  it('upscale2x: flat stays flat, a step is interpolated by quarters', () => {
    expect([...upscale2x({ data: new Uint8Array(6).fill(90), width: 3, height: 2 }).data]).toEqual(new Array(24).fill(90));
    // One row 0, 160: the output row reads 0, 40, 120, 160 (quarter-pixel positions, edges clamped).
    const step = upscale2x({ data: Uint8Array.of(0, 160), width: 2, height: 1 });
    expect(step.width).toBe(4);
    expect([...step.data.subarray(0, 4)]).toEqual([0, 40, 120, 160]);
  });
});
