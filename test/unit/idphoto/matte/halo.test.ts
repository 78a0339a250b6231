import { describe, expect, it } from 'vitest';
import { haloBand, haloScore } from '../../../../src/idphoto/matte/halo.js';
import { createImage } from '../../../../src/idphoto/matte/image.js';
import { solidImage } from './synthetic.js';

describe('haloBand', () => {
  it('is the soft part of the matte dilated by a square window, clipped at the image edge', () => {
    const alpha = createImage(20, 12, 1);
    alpha.data.fill(1, 0, 20 * 6); // hard top half
    alpha.data[3 * 20 + 10] = 0.5; // one soft pixel
    alpha.data[11 * 20 + 0] = 0.01; // under the low threshold: not soft
    expect(haloBand(alpha, { low: 0.02, high: 0.98, dilate: 0 }).reduce((s, v) => s + v, 0)).toBe(1);
    const band = haloBand(alpha, { low: 0.02, high: 0.98, dilate: 3 });
    expect(band.reduce((s, v) => s + v, 0)).toBe(49);
    expect(band[0 * 20 + 7]).toBe(1);
    expect(band[6 * 20 + 13]).toBe(1);
    expect(band[7 * 20 + 10]).toBe(0);
    expect(band[3 * 20 + 14]).toBe(0);
  });
});

describe('haloScore', () => {
  const alpha = createImage(10, 10, 1);
  alpha.data.fill(0.5);

  it('is 0 for identical outputs', () => {
    const a = solidImage(10, 10, [0.2, 0.4, 0.6]);
    expect(haloScore([a, solidImage(10, 10, [0.2, 0.4, 0.6]), a], alpha)).toBe(0);
  });

  it('is the mean pairwise CIE76 difference over the band', () => {
    const white = solidImage(10, 10, [1, 1, 1]);
    const black = solidImage(10, 10, [0, 0, 0]);
    // Pairs: white-black 100, white-white 0, black-white 100.
    expect(haloScore([white, black, white], alpha)).toBeCloseTo(200 / 3, 3);
  });

  it('ignores pixels outside the band', () => {
    const hard = createImage(10, 10, 1);
    hard.data.fill(1);
    expect(haloScore([solidImage(10, 10, [1, 1, 1]), solidImage(10, 10, [0, 0, 0])], hard)).toBe(0);
  });
});
