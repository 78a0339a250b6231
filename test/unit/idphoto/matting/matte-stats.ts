import type { Matte } from '../../../../src/idphoto/matting/engine.js';

/** Mean alpha over the matte pixels [x0, x1) x [y0, y1), given as fractions of its size. */
export function meanIn(m: Matte, x0: number, y0: number, x1: number, y1: number): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.round(y0 * m.height); y < Math.round(y1 * m.height); y++) {
    for (let x = Math.round(x0 * m.width); x < Math.round(x1 * m.width); x++, n++) sum += m.data[y * m.width + x]!;
  }
  return sum / n;
}
