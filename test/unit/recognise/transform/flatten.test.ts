import QRCode from 'qrcode';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { flattenIllumination } from '../../../../src/recognise/transform/flatten.js';
import { decodeImage } from '../../../../src/recognise/cascade.js';
import { loadReader, readLuminance } from '../../../../src/recognise/reader/zxing.js';

const TEXT = 'https://example.com/shadow/4711';
const symbol = QRCode.create(TEXT, { errorCorrectionLevel: 'M' });
const size = symbol.modules.size;
const PX = 10;
const MARGIN = 8;
let reader: Awaited<ReturnType<typeof loadReader>>;
beforeAll(async () => {
  reader = await loadReader();
});

/** The symbol on paper, with the light falling to `depth` beyond a straight shadow edge running diagonally across it. */
function shadowed(depth: number): { data: Uint8Array; width: number; height: number } {
  const side = (size + 2 * MARGIN) * PX;
  const data = new Uint8Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const u = Math.floor(x / PX - MARGIN);
      const v = Math.floor(y / PX - MARGIN);
      const dark = u >= 0 && v >= 0 && u < size && v < size && symbol.modules.data[v * size + u];
      const light = x + 0.6 * y > 0.9 * side ? depth : 1;
      data[y * side + x] = Math.round((dark ? 20 : 235) * light);
    }
  }
  return { data, width: side, height: side };
}

const read = (img: { data: Uint8Array; width: number; height: number }): string[] =>
  readLuminance(reader, img.data, img.width, img.height, { formats: ['QRCode'], tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true })
    .filter((r) => !r.error)
    .map((r) => r.text);

describe('illumination flattening', () => {
  it('divides by the grey-level closing: the brightest level within the window, then the darkest of those', () => {
    const w = 37;
    const h = 23;
    const r = 3;
    const data = Uint8Array.from({ length: w * h }, (_, i) => (i * 7919) % 251);
    const extreme = (src: Uint8Array, pick: (a: number, b: number) => number, start: number): Uint8Array =>
      Uint8Array.from({ length: w * h }, (_, i) => {
        let acc = start;
        for (let dy = -r; dy <= r; dy++) {
          for (let dx = -r; dx <= r; dx++) {
            const x = (i % w) + dx;
            const y = Math.floor(i / w) + dy;
            if (x >= 0 && y >= 0 && x < w && y < h) acc = pick(acc, src[y * w + x]!);
          }
        }
        return acc;
      });
    const closing = extreme(extreme(data, Math.max, 0), Math.min, 255);
    const out = flattenIllumination({ data, width: w, height: h }, r).data;
    for (let i = 0; i < w * h; i++) expect(Math.abs(out[i]! - Math.min(255, (255 * data[i]!) / Math.max(16, closing[i]!)))).toBeLessThanOrEqual(1);
  });

  it('reads a code across a hard shadow edge that no threshold of the picture as taken separates', () => {
    const picture = shadowed(0.2);
    expect(read(picture)).toEqual([]);
    expect(read(flattenIllumination(picture, 16))).toEqual([TEXT]);
  });

  it('is the cascade pass that reads such a picture', async () => {
    const picture = shadowed(0.2);
    const bytes = new Uint8Array(
      await sharp(Buffer.from(picture.data), { raw: { width: picture.width, height: picture.height, channels: 1 } })
        .png()
        .toBuffer(),
    );
    const result = await decodeImage(reader, bytes, { formats: ['QRCode'], maxSide: 1200, maxPixels: 25_000_000 });
    expect(result.codes.map((c) => c.text)).toEqual([TEXT]);
    expect(result.pass).toBe('flattened');
  });
});
