/**
 * Twice the resolution for symbols whose modules are under 2 px: zxing's
 * binarizers and samplers need about 2 px a module; interpolated at twice the
 * size, 1.4-1.8 px modules read (a test in cascade.test.ts). Bilinear, in JS:
 * sharp's resize of a raw buffer is several times slower, whatever the kernel
 * (see docs/design/recognition.md).
 */
import type { Luminance } from '../luminance.js';

/**
 * Output pixel (2y + i, 2x + j) lies a quarter pixel from source pixel (y, x)
 * towards its neighbour on that side: weights 9/16, 3/16, 3/16, 1/16 (edges clamp).
 */
export function upscale2x(lum: Luminance): Luminance {
  const { width: w, height: h, data } = lum;
  const ow = 2 * w;
  const out = new Uint8Array(ow * 2 * h);
  for (let y = 0; y < h; y++) {
    for (const [dy, orow] of [
      [-1, 2 * y],
      [1, 2 * y + 1],
    ] as const) {
      const near = y * w;
      const far = Math.min(h - 1, Math.max(0, y + dy)) * w;
      const base = orow * ow;
      for (let x = 0; x < w; x++) {
        const left = x > 0 ? x - 1 : 0;
        const right = x < w - 1 ? x + 1 : x;
        const c = 3 * data[near + x]! + data[far + x]!;
        out[base + 2 * x] = (3 * c + 3 * data[near + left]! + data[far + left]! + 8) >> 4;
        out[base + 2 * x + 1] = (3 * c + 3 * data[near + right]! + data[far + right]! + 8) >> 4;
      }
    }
  }
  return { data: out, width: ow, height: 2 * h };
}
