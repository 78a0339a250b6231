/** A spec's numbers as pixels of the finished photo: the size, and the bands the head and eyes must fall in. */
import type { IdPhotoSpec, Length, Range } from './specs.js';

export const MM_PER_INCH = 25.4;

export function mmToPx(mm: number, dpi: number): number {
  return (mm / MM_PER_INCH) * dpi;
}

export function pxToMm(px: number, dpi: number): number {
  return (px / dpi) * MM_PER_INCH;
}

export interface PhotoGeometry {
  readonly width: number;
  readonly height: number;
  readonly dpi: number;
  /** Chin to crown, in pixels. */
  readonly head?: Range;
  /** Crown to the top edge, in pixels. */
  readonly crownMargin?: Range;
  /** Eye line from the top edge, in pixels. */
  readonly eyesFromTop?: Range;
}

/** Pixels of the photo for a length on it. */
function toPx(length: Length, heightPx: number, dpi: number): Range {
  if ('mm' in length) return { min: mmToPx(length.mm.min, dpi), max: mmToPx(length.mm.max, dpi) };
  if ('px' in length) return length.px;
  return { min: length.fraction.min * heightPx, max: length.fraction.max * heightPx };
}

/** The photo's size in whole pixels at the spec's dpi, and its bands in (fractional) pixels. */
export function photoGeometry(spec: IdPhotoSpec): PhotoGeometry {
  const [width, height] = 'widthMm' in spec.size ? [Math.round(mmToPx(spec.size.widthMm, spec.dpi)), Math.round(mmToPx(spec.size.heightMm, spec.dpi))] : [spec.size.widthPx, spec.size.heightPx];
  const band = (length: Length | undefined): Range | undefined => length && toPx(length, height, spec.dpi);
  const eyesFromBottom = band(spec.eyesFromBottom);
  return {
    width,
    height,
    dpi: spec.dpi,
    ...(spec.head && { head: band(spec.head) }),
    ...(spec.crownMargin && { crownMargin: band(spec.crownMargin) }),
    ...(eyesFromBottom && { eyesFromTop: { min: height - eyesFromBottom.max, max: height - eyesFromBottom.min } }),
  };
}
