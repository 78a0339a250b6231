import { createImage, type Image } from './image.js';

// sRGB (IEC 61966-2-1) primaries to CIE XYZ, D65 white.
const M = [0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041] as const;
// The D65 white point is the matrix's row sums, so sRGB white maps to a = b = 0 exactly.
const XN = M[0] + M[1] + M[2];
const YN = M[3] + M[4] + M[5];
const ZN = M[6] + M[7] + M[8];
const DELTA = 6 / 29;

function linear(c: number): number {
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function f(t: number): number {
  return t > DELTA ** 3 ? Math.cbrt(t) : t / (3 * DELTA * DELTA) + 4 / 29;
}

/**
 * Writes the L*a*b* of sRGB-encoded components (0..1) to out[offset..offset+2], so images convert without a tuple per
 * pixel.
 */
function writeLab(r: number, g: number, b: number, out: Float32Array | number[], offset: number): void {
  const lr = linear(r);
  const lg = linear(g);
  const lb = linear(b);
  const fx = f((M[0] * lr + M[1] * lg + M[2] * lb) / XN);
  const fy = f((M[3] * lr + M[4] * lg + M[5] * lb) / YN);
  const fz = f((M[6] * lr + M[7] * lg + M[8] * lb) / ZN);
  out[offset] = 116 * fy - 16;
  out[offset + 1] = 500 * (fx - fy);
  out[offset + 2] = 200 * (fy - fz);
}

/** sRGB-encoded components in 0..1 to CIE L*a*b* (D65 white). */
export function srgbToLab(r: number, g: number, b: number): [number, number, number] {
  const out: [number, number, number] = [0, 0, 0];
  writeLab(r, g, b, out, 0);
  return out;
}

/** An RGB image (sRGB-encoded) converted pixel by pixel to L*a*b*. */
export function imageToLab(image: Image): Image {
  if (image.channels !== 3) throw new RangeError(`expected an RGB image, got ${image.channels} channels`);
  const out = createImage(image.width, image.height, 3);
  const d = image.data;
  for (let k = 0; k < d.length; k += 3) writeLab(d[k]!, d[k + 1]!, d[k + 2]!, out.data, k);
  return out;
}

/** CIE 1976 colour difference: the Euclidean distance in L*a*b*. */
export function deltaE76(l1: number, a1: number, b1: number, l2: number, a2: number, b2: number): number {
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2);
}
