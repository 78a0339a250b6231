import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeQr } from '../../../../src/qr/encode/encode.js';
import type { Quad } from '../../../../src/recognise/geometry.js';
import { fitToFunctionPatterns } from '../../../../src/recognise/recover/grid-fit.js';
import { drawModules } from '../../../helpers/images.js';

const PX = 6;
const MARGIN = 6;

/** A symbol drawn at PX px a module, blurred by `blur` modules, as luminance. */
async function drawn(version: number, blur: number): Promise<{ img: { data: Uint8Array; width: number; height: number }; quad: Quad; size: number }> {
  const symbol = encodeQr('fit me to my function patterns', { ec: 'M', version });
  const size = symbol.size;
  const { data, width: side } = drawModules(symbol.modules, size, PX, MARGIN);
  const blurred =
    blur > 0
      ? await sharp(Buffer.from(data), { raw: { width: side, height: side, channels: 1 } })
          .blur(blur * PX)
          .extractChannel(0)
          .raw()
          .toBuffer()
      : data;
  const at = (m: number): number => (MARGIN + m) * PX;
  const quad = { topLeft: { x: at(0), y: at(0) }, topRight: { x: at(size), y: at(0) }, bottomRight: { x: at(size), y: at(size) }, bottomLeft: { x: at(0), y: at(size) } };
  return { img: { data: new Uint8Array(blurred), width: side, height: side }, quad, size };
}

const offBy = (a: Quad, b: Quad): number => Math.max(...(['topLeft', 'topRight', 'bottomRight', 'bottomLeft'] as const).map((c) => Math.hypot(a[c].x - b[c].x, a[c].y - b[c].y))) / PX;

describe('fitting a located symbol to its function patterns', () => {
  for (const [version, blur] of [
    [3, 0],
    [3, 0.6],
    [10, 0.4],
  ] as const) {
    it(`moves a far corner that is off by a module back to within a quarter module (version ${version}, blur ${blur} module)`, async () => {
      const { img, quad, size } = await drawn(version, blur);
      const off = { ...quad, bottomRight: { x: quad.bottomRight.x + 0.9 * PX, y: quad.bottomRight.y - 0.7 * PX } };
      expect(offBy(off, quad)).toBeGreaterThan(1);
      expect(offBy(fitToFunctionPatterns(img, off, size), quad)).toBeLessThan(0.25);
    });
  }

  it('leaves a symbol that already fits where it is', async () => {
    const { img, quad, size } = await drawn(5, 0);
    expect(offBy(fitToFunctionPatterns(img, quad, size), quad)).toBeLessThan(0.2);
  });

  it('returns the quad unchanged for a size that is no QR version', async () => {
    const { img, quad } = await drawn(3, 0);
    expect(fitToFunctionPatterns(img, quad, 30)).toBe(quad);
  });
});
