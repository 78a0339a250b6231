import { DEFAULT_ALIKE_EDGES, steepenAlikeEdges } from './alike-edges.js';
import { boxFilterRows } from './box.js';
import { assertShape, createImage, type Image } from './image.js';
import { downsampleArea, lerpRows, reducedLength, resample, resizeBilinear, upsampleTaps } from './resize.js';

export interface GuidedFilterOptions {
  /** Window radius in pixels of the guide. */
  readonly radius: number;
  /** Regularisation on the guide's variance (intensities in 0..1): larger smooths more across weak edges. */
  readonly eps: number;
}

export interface FastGuidedFilterOptions extends GuidedFilterOptions {
  /** The coefficients are computed on a grid this many times coarser, then upsampled bilinearly. */
  readonly subsample: number;
}

/** Defaults of `refineMatte` (its radius grows with the coarse matte's upsampling ratio, see `refineRadius`). */
export const DEFAULT_REFINE_OPTIONS: FastGuidedFilterOptions = { radius: 8, eps: 1e-3, subsample: 4 };

/**
 * Radius for a matte upsampled `scale` times: a window must span the upsampled ramp (about two coarse pixels plus the
 * model's blur) with margin on both sides before the guide's edge can replace it.
 */
export function refineRadius(scale: number): number {
  return Math.max(DEFAULT_REFINE_OPTIONS.radius, Math.round(4 * scale));
}

/**
 * A matte at most this many photo pixels per matte pixel (ISNet's 1024x1024, not selfie's 256x256) has already placed
 * its edges at the photo's resolution.
 */
export const FINE_MATTE_SCALE = 1.5;
/**
 * Where the photo's colours vary less than this in a window (variance summed over the channels, intensities 0..1: a
 * standard deviation of ~0.06 a channel), the guided filter has no edge to follow and gives the window's mean of the
 * matte, a blur its width (a glow around dark hair on a dark background): a fine matte is kept there instead, blended
 * in as var / (var + this).
 */
export const FINE_MATTE_KEEP_VARIANCE = 1e-2;

const PACKED = 13; // I (3), p, I*p (3), the 6 distinct products I_i*I_j.

/**
 * The colour guided filter's (He, Sun, Tang 2010) coefficients (a_r, a_g, a_b, b), solved per window and averaged over
 * the windows covering each pixel, so that q = a . I + b; with `withVariance`, a fifth channel holds the windows' colour
 * variance (summed over the channels), averaged alike.
 */
function coefficients(guide: Image, input: Image, radius: number, eps: number, withVariance = false): Image {
  const { width, height } = guide;
  const g = guide.data;
  const p = input.data;
  const channels = withVariance ? 5 : 4;
  const ab = createImage(width, height, channels);
  const abData = ab.data;

  boxFilterRows(
    width,
    height,
    PACKED,
    radius,
    (y, row) => {
      for (let x = 0, i = y * width, o = 0; x < width; x++, i++, o += PACKED) {
        const r = g[i * 3]!;
        const gg = g[i * 3 + 1]!;
        const b = g[i * 3 + 2]!;
        const v = p[i]!;
        row[o] = r;
        row[o + 1] = gg;
        row[o + 2] = b;
        row[o + 3] = v;
        row[o + 4] = r * v;
        row[o + 5] = gg * v;
        row[o + 6] = b * v;
        row[o + 7] = r * r;
        row[o + 8] = r * gg;
        row[o + 9] = r * b;
        row[o + 10] = gg * gg;
        row[o + 11] = gg * b;
        row[o + 12] = b * b;
      }
    },
    (y, m) => {
      for (let x = 0, o = 0, k = y * width * channels; x < width; x++, o += PACKED, k += channels) {
        const mr = m[o]!;
        const mg = m[o + 1]!;
        const mb = m[o + 2]!;
        const mp = m[o + 3]!;
        const cr = m[o + 4]! - mr * mp;
        const cg = m[o + 5]! - mg * mp;
        const cb = m[o + 6]! - mb * mp;
        const srr = m[o + 7]! - mr * mr + eps;
        const srg = m[o + 8]! - mr * mg;
        const srb = m[o + 9]! - mr * mb;
        const sgg = m[o + 10]! - mg * mg + eps;
        const sgb = m[o + 11]! - mg * mb;
        const sbb = m[o + 12]! - mb * mb + eps;
        // Inverse of the symmetric covariance by its adjugate.
        const i00 = sgg * sbb - sgb * sgb;
        const i01 = sgb * srb - srg * sbb;
        const i02 = srg * sgb - sgg * srb;
        const i11 = srr * sbb - srb * srb;
        const i12 = srb * srg - srr * sgb;
        const i22 = srr * sgg - srg * srg;
        const invDet = 1 / (srr * i00 + srg * i01 + srb * i02);
        const ar = (i00 * cr + i01 * cg + i02 * cb) * invDet;
        const ag = (i01 * cr + i11 * cg + i12 * cb) * invDet;
        const ab2 = (i02 * cr + i12 * cg + i22 * cb) * invDet;
        abData[k] = ar;
        abData[k + 1] = ag;
        abData[k + 2] = ab2;
        abData[k + 3] = mp - ar * mr - ag * mg - ab2 * mb;
        if (withVariance) abData[k + 4] = srr + sgg + sbb - 3 * eps;
      }
    },
  );

  // Every pixel lies in many windows: average their coefficients.
  const coef = createImage(width, height, channels);
  const len = width * channels;
  boxFilterRows(
    width,
    height,
    channels,
    radius,
    (y, row) => row.set(abData.subarray(y * len, (y + 1) * len)),
    (y, m) => coef.data.set(m, y * len),
  );
  return coef;
}

/**
 * A clamped output within half an 8-bit level of 0 or 1 is written as exactly 0 or 1, so later steps can tell hard
 * pixels from soft ones.
 */
const SATURATED_LOW = 0.5 / 255;
const SATURATED_HIGH = 1 - 0.5 / 255;

/**
 * q = a . I + b at full resolution, the coefficients upsampled bilinearly from a grid `factor` times coarser; with a
 * `fine` matte (full resolution) and coefficients that carry the windows' variance, q leans to that matte where the
 * colours hold no edge.
 */
function apply(guide: Image, coef: Image, factor: number, clamp: boolean, fine?: Image): Image {
  const { width, height } = guide;
  const g = guide.data;
  const channels = coef.channels;
  const kept = fine?.data;
  const out = createImage(width, height, 1);
  const q = out.data;
  const tx = upsampleTaps(width, factor);
  const ty = upsampleTaps(height, factor);
  const w1 = tx.w1;
  const cw = coef.width;
  const len = cw * channels;
  const row = new Float32Array(len);
  const lower = new Float32Array(cw);
  const upper = new Float32Array(cw);
  // Spans of x sharing the same two coarse columns, whose coefficients are loaded once per span.
  const spanStart: number[] = [0];
  for (let x = 1; x < width; x++) if (tx.i0[x] !== tx.i0[x - 1] || tx.i1[x] !== tx.i1[x - 1]) spanStart.push(x);
  spanStart.push(width);

  for (let y = 0; y < height; y++) {
    lerpRows(coef.data, len, ty, y, row);
    if (clamp) {
      // For a guide in 0..1, q lies between b + sum(min(a, 0)) and b + sum(max(a, 0)), so a span whose two columns
      // both saturate can be filled without reading the guide (most of a portrait, away from the outline).
      for (let c = 0, k = 0; c < cw; c++, k += channels) {
        let lo = row[k + 3]!;
        let hi = lo;
        for (let j = 0; j < 3; j++) {
          const v = row[k + j]!;
          if (v < 0) lo += v;
          else hi += v;
        }
        lower[c] = lo;
        upper[c] = hi;
      }
    }
    for (let span = 0; span + 1 < spanStart.length; span++) {
      const xs = spanStart[span]!;
      const xe = spanStart[span + 1]!;
      const c0 = tx.i0[xs]!;
      const c1 = tx.i1[xs]!;
      if (clamp && !kept) {
        if (Math.max(upper[c0]!, upper[c1]!) <= SATURATED_LOW) {
          q.fill(0, y * width + xs, y * width + xe);
          continue;
        }
        if (Math.min(lower[c0]!, lower[c1]!) >= SATURATED_HIGH) {
          q.fill(1, y * width + xs, y * width + xe);
          continue;
        }
      }
      const k0 = c0 * channels;
      const k1 = c1 * channels;
      const r0 = row[k0]!;
      const g0 = row[k0 + 1]!;
      const b0 = row[k0 + 2]!;
      const d0 = row[k0 + 3]!;
      const dr = row[k1]! - r0;
      const dg = row[k1 + 1]! - g0;
      const db = row[k1 + 2]! - b0;
      const dd = row[k1 + 3]! - d0;
      const v0 = kept ? row[k0 + 4]! : 0;
      const dv = kept ? row[k1 + 4]! - v0 : 0;
      for (let x = xs, i = y * width + xs; x < xe; x++, i++) {
        const t = w1[x]!;
        let v = (r0 + dr * t) * g[i * 3]! + (g0 + dg * t) * g[i * 3 + 1]! + (b0 + db * t) * g[i * 3 + 2]! + (d0 + dd * t);
        if (kept) {
          const variance = Math.max(0, v0 + dv * t);
          const w = variance / (variance + FINE_MATTE_KEEP_VARIANCE);
          v = w * v + (1 - w) * kept[i]!;
        }
        q[i] = clamp ? (v <= SATURATED_LOW ? 0 : v >= SATURATED_HIGH ? 1 : v) : v;
      }
    }
  }
  return out;
}

function checkOptions(options: GuidedFilterOptions): void {
  if (!Number.isInteger(options.radius) || options.radius < 0) throw new RangeError(`radius must be a non-negative integer, got ${options.radius}`);
  if (!(options.eps > 0)) throw new RangeError(`eps must be positive, got ${options.eps}`);
}

function checkInputs(guide: Image, input: Image, options: GuidedFilterOptions): void {
  if (guide.channels !== 3) throw new RangeError(`the guide must have 3 channels, got ${guide.channels}`);
  assertShape(input, guide.width, guide.height, 1, 'guided filter input');
  checkOptions(options);
}

/** The guided filter at full resolution: a colour guide (3 channels) and a 1-channel input, unclamped output. */
export function guidedFilter(guide: Image, input: Image, options: GuidedFilterOptions): Image {
  checkInputs(guide, input, options);
  return apply(guide, coefficients(guide, input, options.radius, options.eps), 1, false);
}

/** The subsampling is capped by the radius because the coarse radius must stay at least one pixel. */
function fastPlan(options: FastGuidedFilterOptions): { s: number; r: number } {
  if (!Number.isInteger(options.subsample) || options.subsample < 1) throw new RangeError(`subsample must be a positive integer, got ${options.subsample}`);
  const s = Math.max(1, Math.min(options.subsample, options.radius));
  return { s, r: s === 1 ? options.radius : Math.max(1, Math.round(options.radius / s)) };
}

/**
 * The fast guided filter (He & Sun 2015): coefficients on a grid `subsample` times coarser are upsampled and applied
 * to the full-resolution guide, which keeps the edges sharp at a fraction of the cost.
 */
export function fastGuidedFilter(guide: Image, input: Image, options: FastGuidedFilterOptions): Image {
  checkInputs(guide, input, options);
  const { s, r } = fastPlan(options);
  if (s === 1) return guidedFilter(guide, input, options);
  return apply(guide, coefficients(downsampleArea(guide, s), downsampleArea(input, s), r, options.eps), s, false);
}

/**
 * Edge-aware refinement of a model's matte (any size, upsampled bilinearly) with the photo as guide, clamped to 0..1;
 * without an explicit radius it follows the upsampling ratio (`refineRadius`). `scale` is the photo's pixels per pixel
 * of the model's matte (by default from the two sizes; a caller that resampled the matte says what it was): a matte at
 * most FINE_MATTE_SCALE is kept where the photo holds no edge (FINE_MATTE_KEEP_VARIANCE).
 */
export function refineMatte(image: Image, coarseMatte: Image, options: Partial<FastGuidedFilterOptions> & { readonly scale?: number } = {}): Image {
  const { width, height } = image;
  const cw = coarseMatte.width;
  const ch = coarseMatte.height;
  assertShape(image, width, height, 3, 'image');
  assertShape(coarseMatte, cw, ch, 1, 'matte');
  const scale = options.scale ?? Math.max(width / cw, height / ch);
  const radius = options.radius ?? refineRadius(scale);
  const resolved: FastGuidedFilterOptions = { ...DEFAULT_REFINE_OPTIONS, ...options, radius };
  checkOptions(resolved);
  const fullSize = cw === width && ch === height;
  const { s, r } = fastPlan(resolved);
  if (scale <= FINE_MATTE_SCALE) {
    const matte = fullSize ? coarseMatte : resizeBilinear(coarseMatte, width, height);
    const guide = s === 1 ? image : downsampleArea(image, s);
    return apply(image, coefficients(guide, s === 1 ? matte : downsampleArea(matte, s), r, resolved.eps, true), s, true, matte);
  }
  // A coarse matte's blur stays where the photo holds no edge: steepened there, by how alike the two sides are.
  return steepenAlikeEdges(image, guidedCoarse(image, coarseMatte, resolved, s, r), { ...DEFAULT_ALIKE_EDGES, radius: 2 * radius });
}

function guidedCoarse(image: Image, coarseMatte: Image, options: FastGuidedFilterOptions, s: number, r: number): Image {
  const { width, height } = image;
  const cw = coarseMatte.width;
  const ch = coarseMatte.height;
  const lw = reducedLength(width, s);
  const lh = reducedLength(height, s);
  if (s === 1 || cw > lw || ch > lh) {
    const matte = cw === width && ch === height ? coarseMatte : resizeBilinear(coarseMatte, width, height);
    if (s === 1) return apply(image, coefficients(image, matte, r, options.eps), 1, true);
    return apply(image, coefficients(downsampleArea(image, s), downsampleArea(matte, s), r, options.eps), s, true);
  }
  // A matte no finer than the coefficient grid is sampled at the grid's block centres rather than upsampled in full
  // only to be averaged back down, which gives nearly the same values since a linear ramp averages to its centre.
  const low = resample(coarseMatte, lw, lh, (s * cw) / width, (s * ch) / height);
  return apply(image, coefficients(downsampleArea(image, s), low, r, options.eps), s, true);
}
