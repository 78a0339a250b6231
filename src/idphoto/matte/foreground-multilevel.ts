import { createImage, type Image } from './image.js';

export interface MultilevelOptions {
  /** Pull of every pixel's F and B towards its neighbours', whatever the alpha gradient. */
  readonly regularization: number;
  /** Gauss-Seidel sweeps on levels no larger than `smallSize` in both directions. */
  readonly smallIterations: number;
  /** Sweeps on the larger levels. */
  readonly bigIterations: number;
  readonly smallSize: number;
  /** Weight of the alpha gradient in the smoothness term (larger: smoother foregrounds). */
  readonly gradientWeight: number;
}

/** pymatting's `estimate_foreground_ml` defaults. */
export const DEFAULT_MULTILEVEL_OPTIONS: MultilevelOptions = { regularization: 1e-5, smallIterations: 10, bigIterations: 2, smallSize: 32, gradientWeight: 1 };

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Nearest-neighbour resize with pymatting's index rule (floor(x * src / dst)), for image, alpha and the previous
 * level.
 */
function resizeNearest(src: Float32Array, sw: number, sh: number, ch: number, dw: number, dh: number): Float32Array {
  const dst = new Float32Array(dw * dh * ch);
  const xs = new Int32Array(dw);
  for (let x = 0; x < dw; x++) xs[x] = Math.min(sw - 1, Math.floor((x * sw) / dw));
  for (let y = 0, o = 0; y < dh; y++) {
    const row = Math.min(sh - 1, Math.floor((y * sh) / dh)) * sw;
    for (let x = 0; x < dw; x++) {
      const s = (row + xs[x]!) * ch;
      for (let c = 0; c < ch; c++) dst[o++] = src[s + c]!;
    }
  }
  return dst;
}

/**
 * Fast multi-level foreground estimation (Germer et al., ICPR 2020; arXiv:2006.14970), as pymatting's
 * `estimate_foreground_ml` does it: from 1x1 up to full size, Gauss-Seidel sweeps of a per-pixel 2x2 least-squares
 * fit of I = alpha F + (1 - alpha) B that also pulls F and B towards the four neighbours' (more where alpha changes).
 */
export function multilevelForeground(image: Image, alpha: Image, options: MultilevelOptions = DEFAULT_MULTILEVEL_OPTIONS): Image {
  const { width: w0, height: h0 } = image;
  const { regularization, smallIterations, bigIterations, smallSize, gradientWeight } = options;
  const levels = Math.max(1, Math.ceil(Math.log2(Math.max(w0, h0))));
  let prevW = 1;
  let prevH = 1;
  // pymatting leaves the 1x1 start uninitialised; a pixel of the image is as good, the small levels' sweeps settle it.
  let F: Float32Array = resizeNearest(image.data, w0, h0, 3, 1, 1);
  let B: Float32Array = F.slice();

  for (let level = 0; level <= levels; level++) {
    const w = Math.round(w0 ** (level / levels));
    const h = Math.round(h0 ** (level / levels));
    const img = level === levels ? image.data : resizeNearest(image.data, w0, h0, 3, w, h);
    const al = level === levels ? alpha.data : resizeNearest(alpha.data, w0, h0, 1, w, h);
    F = resizeNearest(F, prevW, prevH, 3, w, h);
    B = resizeNearest(B, prevW, prevH, 3, w, h);
    const iterations = w <= smallSize && h <= smallSize ? smallIterations : bigIterations;

    for (let iter = 0; iter < iterations; iter++) {
      for (let y = 0; y < h; y++) {
        const up = y > 0 ? -w : 0;
        const down = y < h - 1 ? w : 0;
        for (let x = 0; x < w; x++) {
          const i = y * w + x;
          const a0 = al[i]!;
          const a1 = 1 - a0;
          let a00 = a0 * a0;
          const a01 = a0 * a1;
          let a11 = a1 * a1;
          const ir = img[i * 3]!;
          const ig = img[i * 3 + 1]!;
          const ib = img[i * 3 + 2]!;
          let fr = a0 * ir;
          let fg = a0 * ig;
          let fb = a0 * ib;
          let br = a1 * ir;
          let bg = a1 * ig;
          let bb = a1 * ib;
          // Left, right, up and down, clamped at the borders (a clamped neighbour is the pixel itself).
          const jl = x > 0 ? i - 1 : i;
          const jr = x < w - 1 ? i + 1 : i;
          const ju = i + up;
          const jd = i + down;
          const dl = regularization + gradientWeight * Math.abs(a0 - al[jl]!);
          const dr = regularization + gradientWeight * Math.abs(a0 - al[jr]!);
          const du = regularization + gradientWeight * Math.abs(a0 - al[ju]!);
          const dd = regularization + gradientWeight * Math.abs(a0 - al[jd]!);
          const sum = dl + dr + du + dd;
          fr += dl * F[jl * 3]! + dr * F[jr * 3]! + du * F[ju * 3]! + dd * F[jd * 3]!;
          fg += dl * F[jl * 3 + 1]! + dr * F[jr * 3 + 1]! + du * F[ju * 3 + 1]! + dd * F[jd * 3 + 1]!;
          fb += dl * F[jl * 3 + 2]! + dr * F[jr * 3 + 2]! + du * F[ju * 3 + 2]! + dd * F[jd * 3 + 2]!;
          br += dl * B[jl * 3]! + dr * B[jr * 3]! + du * B[ju * 3]! + dd * B[jd * 3]!;
          bg += dl * B[jl * 3 + 1]! + dr * B[jr * 3 + 1]! + du * B[ju * 3 + 1]! + dd * B[jd * 3 + 1]!;
          bb += dl * B[jl * 3 + 2]! + dr * B[jr * 3 + 2]! + du * B[ju * 3 + 2]! + dd * B[jd * 3 + 2]!;
          a00 += sum;
          a11 += sum;
          const invDet = 1 / (a00 * a11 - a01 * a01);
          const b00 = invDet * a11;
          const b01 = -invDet * a01;
          const b11 = invDet * a00;
          const k = i * 3;
          F[k] = clamp01(b00 * fr + b01 * br);
          F[k + 1] = clamp01(b00 * fg + b01 * bg);
          F[k + 2] = clamp01(b00 * fb + b01 * bb);
          B[k] = clamp01(b01 * fr + b11 * br);
          B[k + 1] = clamp01(b01 * fg + b11 * bg);
          B[k + 2] = clamp01(b01 * fb + b11 * bb);
        }
      }
    }
    prevW = w;
    prevH = h;
  }
  const out = createImage(w0, h0, 3);
  out.data.set(F);
  return out;
}
