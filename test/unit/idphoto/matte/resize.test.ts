import { describe, expect, it } from 'vitest';
import { createImage } from '../../../../src/idphoto/matte/image.js';
import { downsampleArea, resizeBilinear, upsampleBilinear } from '../../../../src/idphoto/matte/resize.js';
import { randomImage } from './synthetic.js';

describe('downsampleArea', () => {
  it('averages each block, partial edge blocks over their true size', () => {
    const image = randomImage(7, 5, 2, 3);
    const out = downsampleArea(image, 3);
    expect([out.width, out.height]).toEqual([3, 2]);
    for (let ly = 0; ly < 2; ly++) {
      for (let lx = 0; lx < 3; lx++) {
        for (let c = 0; c < 2; c++) {
          let sum = 0;
          let n = 0;
          for (let y = ly * 3; y < Math.min(5, ly * 3 + 3); y++) {
            for (let x = lx * 3; x < Math.min(7, lx * 3 + 3); x++) {
              sum += image.data[(y * 7 + x) * 2 + c]!;
              n++;
            }
          }
          expect(out.data[(ly * 3 + lx) * 2 + c]).toBeCloseTo(sum / n, 6);
        }
      }
    }
  });
});

describe('bilinear resampling', () => {
  it('reproduces a linear ramp between pixel centres and keeps constants constant', () => {
    const ramp = createImage(4, 1, 1);
    ramp.data.set([0, 1, 2, 3]);
    // Centres of 8 output pixels fall at source positions -0.25, 0.25, ..., 3.25 (clamped at the ends).
    expect([...resizeBilinear(ramp, 8, 1).data]).toEqual([0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]);
    const flat = createImage(3, 3, 3);
    flat.data.fill(0.4);
    for (const v of resizeBilinear(flat, 11, 7).data) expect(v).toBeCloseTo(0.4, 6);
  });

  it('upsamples the downsampleArea grid back onto the full-resolution pixel centres', () => {
    const ramp = createImage(8, 1, 1);
    ramp.data.set([0, 1, 2, 3, 4, 5, 6, 7]);
    const small = downsampleArea(ramp, 4); // 1.5 and 5.5, the means of the two blocks
    expect([...upsampleBilinear(small, 4, 8, 1).data]).toEqual([1.5, 1.5, 2, 3, 4, 5, 5.5, 5.5]);
  });
});
