import QRCode from 'qrcode';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../../src/recognise/cascade.js';
import { sampleModules } from '../../../../src/recognise/recover/regrid.js';
import { smooth } from '../../../../src/recognise/transform/smooth.js';
import { loadReader } from '../../../../src/recognise/reader/zxing.js';

const limits = { formats: ['QRCode'] as const, maxSide: 1200, maxPixels: 25_000_000 };
const TEXT = 'Google Print Ads - T.G.I.A.F. - January 31, 2008';
const symbol = QRCode.create(TEXT, { version: 3, errorCorrectionLevel: 'L' });
const size = symbol.modules.size;
const modules = symbol.modules.data;
const PX = 8;
const MARGIN = 6;
let reader: Awaited<ReturnType<typeof loadReader>>;
beforeAll(async () => {
  reader = await loadReader();
});

/** The symbol drawn at PX px per module, each pixel displaced by `amp` modules along waves `period` modules long (a wrinkled print). */
function wrinkled(amp: number, period: number): { data: Uint8Array; width: number; height: number } {
  const side = (size + 2 * MARGIN) * PX;
  const data = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const u = Math.floor(x / PX - MARGIN + amp * Math.sin((2 * Math.PI * y) / PX / period));
      const v = Math.floor(y / PX - MARGIN + amp * Math.sin((2 * Math.PI * x) / PX / period + 1));
      data[y * side + x] = u >= 0 && v >= 0 && u < size && v < size && modules[v * size + u] ? 40 : 215;
    }
  }
  return { data, width: side, height: side };
}

async function png(img: { data: Uint8Array; width: number; height: number }, blur: number): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(Buffer.from(img.data), { raw: { width: img.width, height: img.height, channels: 1 } })
      .blur(blur)
      .png()
      .toBuffer(),
  );
}

describe('regrid (curved and wrinkled codes)', () => {
  it('samples an undistorted symbol exactly on the locator grid and at every refinement level', () => {
    const img = wrinkled(0, 1);
    const at = (m: number): number => MARGIN * PX + m * PX;
    const quad = { topLeft: { x: at(0), y: at(0) }, topRight: { x: at(size), y: at(0) }, bottomRight: { x: at(size), y: at(size) }, bottomLeft: { x: at(0), y: at(size) } };
    let levels = 0;
    for (const sampled of sampleModules(img, quad, size)) {
      levels++;
      expect([...sampled.dark]).toEqual([...modules]);
    }
    expect(levels).toBe(4);
  });

  it('samples nothing for collinear corners instead of returning garbage', () => {
    const line = { topLeft: { x: 10, y: 10 }, topRight: { x: 50, y: 10 }, bottomRight: { x: 90, y: 10 }, bottomLeft: { x: 30, y: 10 } };
    expect([...sampleModules(wrinkled(0, 1), line, size)]).toEqual([]);
  });

  it('reads a wrinkled code that every plain pass misses', async () => {
    const result = await decodeImage(reader, await png(wrinkled(0.3, 16), 1.2), limits);
    expect(result.pass).toBe('regrid');
    expect(result.codes.map((c) => c.text)).toEqual([TEXT]);
    // The reported corners are the symbol's place in the photo, not in the redrawn symbol.
    expect(result.codes[0]!.position.topLeft.x).toBeGreaterThan(MARGIN * PX - 2 * PX);
    expect(result.codes[0]!.position.topLeft.x).toBeLessThan(MARGIN * PX + 2 * PX);
  });

  it('reads the wrinkled code beside a plain one: a located symbol that no read code explains keeps the cascade going', async () => {
    const crumpled = await sharp(await png(wrinkled(0.3, 16), 1.2))
      .extend({ right: 420, background: '#d7d7d7' })
      .toBuffer();
    const plain = await QRCode.toBuffer('the plain one', { scale: 6, margin: 2 });
    const side = (size + 2 * MARGIN) * PX;
    const both = await sharp(crumpled)
      .composite([{ input: plain, left: side + 60, top: 40 }])
      .png()
      .toBuffer();
    const result = await decodeImage(reader, new Uint8Array(both), limits);
    expect(result.codes.map((c) => c.text).sort()).toEqual([TEXT, 'the plain one'].sort());
    expect(result.pass).toBe('fast+regrid');
  });

  it('the same code without the wrinkle is read by the first pass', async () => {
    const result = await decodeImage(reader, await png(wrinkled(0, 1), 1.2), limits);
    expect(result.pass).toBe('fast');
    expect(result.codes.map((c) => c.text)).toEqual([TEXT]);
  });
});

describe('smooth', () => {
  it('equals the 5x5 binomial convolution with clamped edges', () => {
    const w = 37;
    const h = 23;
    let seed = 7;
    const data = new Uint8Array(w * h).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 23);
    const out = smooth({ data, width: w, height: h }).data;
    const k = [1, 4, 6, 4, 1];
    const px = (x: number, y: number): number => data[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0;
        for (let j = 0; j < 5; j++) for (let i = 0; i < 5; i++) sum += k[i]! * k[j]! * px(x + i - 2, y + j - 2);
        expect(out[y * w + x], `pixel ${x},${y}`).toBe((sum + 128) >> 8);
      }
    }
  });

  it('leaves a flat image flat, down to 1x1', () => {
    for (const [w, h] of [
      [1, 1],
      [2, 3],
      [9, 4],
    ] as const) {
      expect([...smooth({ data: new Uint8Array(w * h).fill(77), width: w, height: h }).data]).toEqual(new Array(w * h).fill(77));
    }
  });
});
