import { describe, expect, it } from 'vitest';
import { boxFilter } from '../../../../src/idphoto/matte/box.js';
import type { Image } from '../../../../src/idphoto/matte/image.js';
import { randomImage } from './synthetic.js';

function bruteMean(image: Image, r: number): Float64Array {
  const { width, height, channels, data } = image;
  const out = new Float64Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        let n = 0;
        for (let yy = Math.max(0, y - r); yy <= Math.min(height - 1, y + r); yy++) {
          for (let xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) {
            sum += data[(yy * width + xx) * channels + c]!;
            n++;
          }
        }
        out[(y * width + x) * channels + c] = sum / n;
      }
    }
  }
  return out;
}

function maxDiff(a: Float32Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('boxFilter', () => {
  it.each([1, 3, 7])('equals a brute-force clipped-window mean on a random 37x23 image with %i channel(s), r = 0..4', (channels) => {
    const image = randomImage(37, 23, channels, 100 + channels);
    for (let r = 0; r <= 4; r++) {
      expect(maxDiff(boxFilter(image, r).data, bruteMean(image, r)), `r=${r}`).toBeLessThan(1e-5);
    }
  });

  it('is exact on images no wider or taller than the window (every output clipped on both sides)', () => {
    for (const [w, h] of [
      [6, 2],
      [2, 9],
      [1, 1],
      [9, 5],
    ] as const) {
      const image = randomImage(w, h, 2, w * 31 + h);
      for (let r = 0; r <= 4; r++) expect(maxDiff(boxFilter(image, r).data, bruteMean(image, r)), `${w}x${h} r=${r}`).toBeLessThan(1e-5);
    }
  });

  it('handles windows wider than the image (each output is the whole-image mean)', () => {
    const image = randomImage(5, 3, 2, 9);
    const whole = bruteMean(image, 100);
    expect(maxDiff(boxFilter(image, 40).data, whole)).toBeLessThan(1e-5);
    expect(whole[0]).toBeCloseTo(whole[whole.length - 2]!, 12);
  });

  it('rejects a negative or fractional radius', () => {
    const image = randomImage(4, 4, 1, 1);
    expect(() => boxFilter(image, -1)).toThrow(RangeError);
    expect(() => boxFilter(image, 1.5)).toThrow(RangeError);
  });
});
