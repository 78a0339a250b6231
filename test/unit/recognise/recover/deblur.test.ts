import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeQr } from '../../../../src/qr/encode/encode.js';
import { deblurCentres } from '../../../../src/recognise/recover/deblur.js';
import { decodeImage } from '../../../../src/recognise/cascade.js';
import { sampleModules, thresholdModules } from '../../../../src/recognise/recover/regrid.js';
import { loadReader } from '../../../../src/recognise/reader/zxing.js';
import { drawModules } from '../../../helpers/images.js';

const TEXT = 'https://example.com/blurred/label/0042';
const symbol = encodeQr(TEXT, { ec: 'M' }); // version 3, 29 modules
const size = symbol.size;
const wrong = (dark: Uint8Array): number => dark.reduce((n, v, k) => n + (v !== symbol.modules[k] ? 1 : 0), 0);

let reader: Awaited<ReturnType<typeof loadReader>>;
beforeAll(async () => {
  reader = await loadReader();
});

/** The symbol drawn at `px` pixels a module (dark 40, light 210, 6-module quiet zone), blurred by `sigma` modules. */
async function blurredPng(sigma: number, px: number): Promise<Uint8Array> {
  const { data, width, height } = drawModules(symbol.modules, size, px, 6);
  return new Uint8Array(
    await sharp(Buffer.from(data), { raw: { width, height, channels: 1 } })
      .blur(sigma * px)
      .png()
      .toBuffer(),
  );
}

describe('deblur on the module grid', () => {
  it('recovers every module of a symbol blurred by 0.6 module, where a threshold misses many', () => {
    // Centre values as an exact Gaussian blur of the modules (light quiet zone around), plus noise of +-6 grey levels.
    const erf = (x: number): number => {
      const t = 1 / (1 + 0.3275911 * Math.abs(x));
      const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
      return x >= 0 ? y : -y;
    };
    const weight = (d: number): number => 0.5 * (erf((d + 0.5) / (0.6 * Math.SQRT2)) - erf((d - 0.5) / (0.6 * Math.SQRT2)));
    let seed = 5;
    const noise = (): number => (((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) / 32768 - 0.5) * 12;
    const centres = new Float64Array(size * size);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        let dark = 0;
        for (let dr = -3; dr <= 3; dr++) {
          for (let dc = -3; dc <= 3; dc++) {
            const [rr, cc] = [r + dr, c + dc];
            if (rr >= 0 && cc >= 0 && rr < size && cc < size) dark += weight(dr) * weight(dc) * symbol.modules[rr * size + cc]!;
          }
        }
        centres[r * size + c] = 210 - 170 * dark + noise();
      }
    }
    expect(wrong(thresholdModules(centres, size).dark)).toBeGreaterThan(40);
    expect(wrong(thresholdModules(deblurCentres(centres, size, 0.6), size).dark)).toBe(0);
  });

  it('reads a photo blurred by 0.65 module that every pass and the plain re-sampling miss', async () => {
    const png = await blurredPng(0.65, 6);
    const { data, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const at = (m: number): number => (6 + m) * 6;
    const quad = { topLeft: { x: at(0), y: at(0) }, topRight: { x: at(size), y: at(0) }, bottomRight: { x: at(size), y: at(size) }, bottomLeft: { x: at(0), y: at(size) } };
    const [onGrid] = sampleModules({ data: new Uint8Array(data), width: info.width, height: info.height }, quad, size);
    // A threshold on the exact grid gets a tenth of the modules wrong; undoing the blur, almost none.
    expect(wrong(onGrid!.dark)).toBeGreaterThan(60);
    expect(wrong(thresholdModules(deblurCentres(onGrid!.centres, size, 0.7), size).dark)).toBeLessThan(10);
    const result = await decodeImage(reader, png, { formats: ['QRCode'], maxSide: 1200, maxPixels: 25_000_000 });
    expect(result.codes.map((c) => c.text)).toEqual([TEXT]);
    expect(result.pass).toBe('regrid');
  });
});
