import QRCode from 'qrcode';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/decode/pipeline.js';
import { loadReader } from '../../../src/decode/zxing.js';

let reader: Awaited<ReturnType<typeof loadReader>>;
beforeAll(async () => {
  reader = await loadReader();
});

/** A `width` x `height` grey photo (JPEG) with one code of `modulePx` pixels a module in it. */
async function photo(text: string, width: number, height: number, modulePx: number): Promise<Uint8Array> {
  const code = await QRCode.toBuffer(text, { scale: modulePx, margin: 4, errorCorrectionLevel: 'M' });
  const canvas = sharp({ create: { width, height, channels: 3, background: { r: 128, g: 120, b: 110 } } });
  const composed = await canvas.composite([{ input: code, left: Math.round(width * 0.4), top: Math.round(height * 0.35) }]).png().toBuffer();
  return new Uint8Array(await sharp(composed).blur(0.3 * modulePx).jpeg({ quality: 88 }).toBuffer());
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
});
