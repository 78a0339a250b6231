import { QrwError } from '../../errors.js';
import type { QrMatrix } from '../encode/encode.js';

/** Where modules land in the output: `scale` pixels each, starting `offset` pixels in. */
export interface Layout {
  /** Output width and height in pixels. */
  readonly pixels: number;
  readonly scale: number;
  readonly offset: number;
}

/**
 * An exact `size` keeps modules a whole number of pixels (fractional modules blur
 * edges and hurt scanning) and centres the symbol in what is left over.
 */
export function layoutFor(matrix: QrMatrix, margin: number, scale: number, size: number | undefined): Layout {
  const span = matrix.size + 2 * margin;
  if (size === undefined) return { pixels: span * scale, scale, offset: margin * scale };
  const fitted = Math.floor(size / span);
  if (fitted < 1) {
    throw new QrwError('SIZE_TOO_SMALL', `A size of ${size} px is too small for this symbol: it needs at least ${span} px (${matrix.size} modules plus a ${margin}-module margin on each side).`, {
      size,
      minimum: span,
    });
  }
  return { pixels: size, scale: fitted, offset: Math.floor((size - fitted * matrix.size) / 2) };
}
