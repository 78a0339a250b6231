import type { Luminance } from '../luminance.js';

/**
 * Gaussian smoothing (sigma 1) with the separable binomial kernel 1-4-6-4-1,
 * edges clamped. It washes out texture inside modules (pictures embedded in a
 * code, halftone dots, sensor noise) that splits dark modules apart before a
 * global threshold. Both passes run along rows, for the cache.
 */
export function smooth(lum: Luminance): Luminance {
  const { width: w, height: h, data } = lum;
  const tmp = new Uint16Array(w * h);
  const out = new Uint8Array(w * h);
  const clampX = (x: number): number => Math.min(w - 1, Math.max(0, x));
  for (let y = 0; y < h; y++) {
    const row = y * w;
    const at = (x: number): number => data[row + clampX(x)]!;
    for (const x of [0, 1, w - 2, w - 1]) {
      if (x >= 0 && x < w) tmp[row + x] = at(x - 2) + 4 * at(x - 1) + 6 * at(x) + 4 * at(x + 1) + at(x + 2);
    }
    for (let i = row + 2; i < row + w - 2; i++) tmp[i] = data[i - 2]! + 4 * data[i - 1]! + 6 * data[i]! + 4 * data[i + 1]! + data[i + 2]!;
  }
  for (let y = 0; y < h; y++) {
    const [r0, r1, r2, r3, r4] = [y - 2, y - 1, y, y + 1, y + 2].map((r) => Math.min(h - 1, Math.max(0, r)) * w) as [number, number, number, number, number];
    const row = y * w;
    for (let x = 0; x < w; x++) out[row + x] = (tmp[r0 + x]! + 4 * tmp[r1 + x]! + 6 * tmp[r2 + x]! + 4 * tmp[r3 + x]! + tmp[r4 + x]! + 128) >> 8;
  }
  return { data: out, width: w, height: h };
}
