import { describe, expect, it } from 'vitest';
import { deltaE76, imageToLab, srgbToLab } from '../../../../src/idphoto/matte/lab.js';
import { createImage } from '../../../../src/idphoto/matte/image.js';

describe('sRGB to CIE Lab (D65)', () => {
  it.each([
    ['white', [1, 1, 1], [100, 0, 0]],
    ['black', [0, 0, 0], [0, 0, 0]],
    ['red', [1, 0, 0], [53.24, 80.09, 67.2]],
    ['green', [0, 1, 0], [87.73, -86.18, 83.18]],
    ['blue', [0, 0, 1], [32.3, 79.19, -107.86]],
  ] as const)('%s', (_name, rgb, lab) => {
    const got = srgbToLab(rgb[0], rgb[1], rgb[2]);
    for (let k = 0; k < 3; k++) expect(Math.abs(got[k]! - lab[k]!), `component ${k}`).toBeLessThan(0.01);
  });

  it('converts images pixel by pixel', () => {
    const image = createImage(2, 1, 3);
    image.data.set([1, 1, 1, 1, 0, 0]);
    const lab = imageToLab(image).data;
    expect(lab[0]).toBeCloseTo(100, 3);
    expect(lab[3]).toBeCloseTo(53.24, 2);
  });

  it('measures CIE76 differences as Euclidean distance', () => {
    expect(deltaE76(100, 0, 0, 0, 0, 0)).toBe(100);
    expect(deltaE76(50, 3, 0, 50, 0, 4)).toBe(5);
  });
});
