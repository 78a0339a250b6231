import { describe, expect, it } from 'vitest';
import { boxFilter } from '../../../../src/idphoto/matte/box.js';
import { fastGuidedFilter, guidedFilter, refineMatte, refineRadius } from '../../../../src/idphoto/matte/guided-filter.js';
import { createImage, type Image } from '../../../../src/idphoto/matte/image.js';
import { downsampleArea, resizeBilinear } from '../../../../src/idphoto/matte/resize.js';
import { randomImage, rng } from './synthetic.js';

/**
 * The guided filter written out window by window: a 3x3 solve per window, then the mean of the windows' linear models.
 */
function bruteGuidedFilter(guide: Image, input: Image, r: number, eps: number): Float64Array {
  const { width: w, height: h } = guide;
  const coef: number[][] = [];
  const windowOf = (x: number, y: number): number[] => {
    const idx: number[] = [];
    for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) idx.push(yy * w + xx);
    return idx;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const idx = windowOf(x, y);
      const n = idx.length;
      const mu = [0, 1, 2].map((c) => idx.reduce((s, i) => s + guide.data[i * 3 + c]!, 0) / n);
      const mp = idx.reduce((s, i) => s + input.data[i]!, 0) / n;
      const m = [0, 1, 2].map((j) => [0, 1, 2].map((k) => idx.reduce((s, i) => s + guide.data[i * 3 + j]! * guide.data[i * 3 + k]!, 0) / n - mu[j]! * mu[k]! + (j === k ? eps : 0)));
      const v = [0, 1, 2].map((j) => idx.reduce((s, i) => s + guide.data[i * 3 + j]! * input.data[i]!, 0) / n - mu[j]! * mp);
      // Gaussian elimination on the 3x3 system.
      const aug = m.map((row, j) => [...row, v[j]!]);
      for (let p = 0; p < 3; p++) {
        for (let q = p + 1; q < 3; q++) {
          const f = aug[q]![p]! / aug[p]![p]!;
          for (let k = p; k < 4; k++) aug[q]![k]! -= f * aug[p]![k]!;
        }
      }
      const a = [0, 0, 0];
      for (let p = 2; p >= 0; p--) {
        let s = aug[p]![3]!;
        for (let k = p + 1; k < 3; k++) s -= aug[p]![k]! * a[k]!;
        a[p] = s / aug[p]![p]!;
      }
      coef.push([...a, mp - a[0]! * mu[0]! - a[1]! * mu[1]! - a[2]! * mu[2]!]);
    }
  }
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const idx = windowOf(x, y);
      const i = y * w + x;
      let s = 0;
      for (const k of idx) s += coef[k]![0]! * guide.data[i * 3]! + coef[k]![1]! * guide.data[i * 3 + 1]! + coef[k]![2]! * guide.data[i * 3 + 2]! + coef[k]![3]!;
      out[i] = s / idx.length;
    }
  }
  return out;
}

const W = 192;
const H = 64;
const EDGE = 83.3;

/**
 * A vertical step edge at x = EDGE (dark-brown left, pale blue right, exact pixel coverage, light noise) and its true
 * matte.
 */
function stepScene(): { guide: Image; truth: Image } {
  const next = rng(5);
  const guide = createImage(W, H, 3);
  const truth = createImage(W, H, 1);
  const fg = [0.32, 0.22, 0.17];
  const bg = [0.8, 0.86, 0.93];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const a = Math.min(1, Math.max(0, EDGE - x));
      for (let c = 0; c < 3; c++) guide.data[(y * W + x) * 3 + c] = a * fg[c]! + (1 - a) * bg[c]! + (next() - 0.5) * 0.04;
      truth.data[y * W + x] = a;
    }
  }
  return { guide, truth };
}

/**
 * Mean over rows of the 10-90 % transition width and of the 50 % crossing, from the left (matte 1) to the right (0).
 */
function edgeStats(matte: Image): { width: number; centre: number } {
  const crossing = (y: number, level: number): number => {
    for (let x = 0; x < W - 1; x++) {
      const p = matte.data[y * W + x]!;
      const q = matte.data[y * W + x + 1]!;
      if (p >= level && q < level) return x + (p - level) / (p - q);
    }
    return NaN;
  };
  let width = 0;
  let centre = 0;
  for (let y = 0; y < H; y++) {
    width += crossing(y, 0.1) - crossing(y, 0.9);
    centre += crossing(y, 0.5);
  }
  return { width: width / H, centre: centre / H };
}

describe('guidedFilter', () => {
  it('matches the window-by-window definition with a colour guide', () => {
    const guide = randomImage(13, 11, 3, 1);
    const input = randomImage(13, 11, 1, 2);
    for (const [r, eps] of [
      [1, 1e-3],
      [2, 1e-2],
      [3, 1e-4],
    ] as const) {
      const want = bruteGuidedFilter(guide, input, r, eps);
      const got = guidedFilter(guide, input, { radius: r, eps });
      let max = 0;
      for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got.data[i]! - want[i]!));
      expect(max, `r=${r} eps=${eps}`).toBeLessThan(1e-4);
    }
  });

  it('rejects a guide that is not RGB or an input of another size', () => {
    expect(() => guidedFilter(randomImage(8, 8, 1, 1), randomImage(8, 8, 1, 2), { radius: 2, eps: 1e-3 })).toThrow(RangeError);
    expect(() => guidedFilter(randomImage(8, 8, 3, 1), randomImage(8, 7, 1, 2), { radius: 2, eps: 1e-3 })).toThrow(RangeError);
    expect(() => guidedFilter(randomImage(8, 8, 3, 1), randomImage(8, 8, 1, 2), { radius: 2, eps: 0 })).toThrow(RangeError);
  });
});

describe('refineMatte', () => {
  const { guide, truth } = stepScene();
  // What a model run at 1/8 of the resolution returns: the edge blurred, then averaged down 8x.
  const coarse = downsampleArea(boxFilter(boxFilter(truth, 2), 2), 8);
  const upsampled = resizeBilinear(coarse, W, H);

  it('sharpens an edge blurred and downscaled 8x back to under 3 px, at the true position', () => {
    const before = edgeStats(upsampled);
    const after = edgeStats(refineMatte(guide, coarse));
    const truthCentre = edgeStats(truth).centre;
    expect(before.width).toBeGreaterThan(10);
    expect(after.width).toBeLessThan(3);
    expect(Math.abs(after.centre - truthCentre)).toBeLessThan(0.5);
  });

  it('needs a radius that grows with the upsampling ratio: a fixed 8 px window leaves an 8x edge soft', () => {
    expect(refineRadius(8)).toBe(32);
    expect(refineRadius(1.5)).toBe(8);
    expect(edgeStats(refineMatte(guide, coarse, { radius: 8 })).width).toBeGreaterThan(5);
  });

  it('keeps a matte as fine as the photo where the photo shows no edge, which the filter alone blurs to its window mean', () => {
    // Dark hair on a dark background: one flat colour with light noise, and a sharp matte the model drew in it.
    const next = rng(11);
    const flat = createImage(W, H, 3);
    for (let i = 0; i < flat.data.length; i++) flat.data[i] = 0.12 + (next() - 0.5) * 0.02;
    const sharp = createImage(W, H, 1);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) sharp.data[y * W + x] = x < EDGE ? 1 : 0;
    expect(edgeStats(refineMatte(flat, sharp)).width).toBeLessThan(1.5);
    // The same matte said to come from a model 4x coarser: the filter's blur, its window wide, is steepened instead
    // (src/idphoto/matte/alike-edges.ts), since the two sides are one colour; and centred where the model put it.
    const coarseEdge = edgeStats(refineMatte(flat, sharp, { scale: 4 }));
    expect(coarseEdge.width).toBeLessThan(5);
    expect(Math.abs(coarseEdge.centre - EDGE)).toBeLessThan(1.5);
  });

  it('refines a fine matte as a coarse one where the photo has the edge', () => {
    // The model put the edge 4 px right of the photo's.
    const off = createImage(W, H, 1);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) off.data[y * W + x] = x < EDGE + 4 ? 1 : 0;
    const fine = refineMatte(guide, off, { radius: 8 }).data;
    const coarse = refineMatte(guide, off, { radius: 8, scale: 4 }).data;
    let worst = 0;
    for (let y = 0; y < H; y++) for (let x = Math.floor(EDGE) - 8; x <= Math.floor(EDGE) + 8; x++) worst = Math.max(worst, Math.abs(fine[y * W + x]! - coarse[y * W + x]!));
    expect(worst).toBeLessThan(0.05);
  });

  it('stays in 0..1 and is exactly 0 and 1 away from the edge', () => {
    const m = refineMatte(guide, coarse).data;
    expect(Math.min(...m)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...m)).toBeLessThanOrEqual(1);
    for (let y = 0; y < H; y++) {
      expect(m[y * W + 10]).toBe(1);
      expect(m[y * W + W - 10]).toBe(0);
    }
  });

  it('gives the same result from the coarse matte as from its full-size bilinear upsampling', () => {
    const fromCoarse = refineMatte(guide, coarse).data;
    const fromFull = refineMatte(guide, upsampled, { radius: refineRadius(8), scale: 8 }).data;
    let max = 0;
    for (let i = 0; i < fromCoarse.length; i++) max = Math.max(max, Math.abs(fromCoarse[i]! - fromFull[i]!));
    expect(max).toBeLessThan(0.02);
  });

  it('the fast guided filter stays within a small error of the full-resolution one', () => {
    const options = { radius: 32, eps: 1e-3 };
    const full = guidedFilter(guide, upsampled, options).data;
    const fast = fastGuidedFilter(guide, upsampled, { ...options, subsample: 4 }).data;
    let max = 0;
    let sum = 0;
    for (let i = 0; i < full.length; i++) {
      const d = Math.abs(full[i]! - fast[i]!);
      max = Math.max(max, d);
      sum += d;
    }
    expect(sum / full.length).toBeLessThan(0.01);
    expect(max).toBeLessThan(0.1);
  });
});
