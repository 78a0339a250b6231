import { describe, expect, it } from 'vitest';
import { DEFAULT_ALIKE_EDGES, steepenAlikeEdges } from '../../../../src/idphoto/matte/alike-edges.js';
import { createImage, type Image } from '../../../../src/idphoto/matte/image.js';
import { rng } from './synthetic.js';

const W = 160;
const H = 32;
const EDGE = 80;
const RAMP = 16;

/** Inside colour left of EDGE, outside colour right, light noise; and a matte that ramps over RAMP px around EDGE. */
function scene(inside: readonly number[], outside: readonly number[]): { image: Image; alpha: Image } {
  const next = rng(3);
  const image = createImage(W, H, 3);
  const alpha = createImage(W, H, 1);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      for (let c = 0; c < 3; c++) image.data[i * 3 + c] = (x < EDGE ? inside[c]! : outside[c]!) + (next() - 0.5) * 0.02;
      alpha.data[i] = Math.min(1, Math.max(0, 0.5 - (x + 0.5 - EDGE) / RAMP));
    }
  return { image, alpha };
}

/** Mean number of pixels a row takes from alpha 0.9 down to 0.1. */
function rampWidth(alpha: Image): number {
  let sum = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (alpha.data[y * W + x]! > 0.1 && alpha.data[y * W + x]! < 0.9) sum++;
  return sum / H;
}

const options = { ...DEFAULT_ALIKE_EDGES, radius: 16 };

describe('steepenAlikeEdges', () => {
  it('steepens a soft edge between two alike colours (dark hair on a dark background), around alpha 0.5', () => {
    const { image, alpha } = scene([0.1, 0.09, 0.08], [0.13, 0.13, 0.12]);
    const out = steepenAlikeEdges(image, alpha, options);
    expect(rampWidth(alpha)).toBeGreaterThan(11);
    expect(rampWidth(out)).toBeLessThan(3);
    // The 0.5 crossing stays where it was.
    for (let y = 0; y < H; y++) {
      expect(out.data[y * W + EDGE - 1]).toBeGreaterThan(0.5);
      expect(out.data[y * W + EDGE]).toBeLessThan(0.5);
    }
  });

  it('leaves a soft edge between different colours (blonde hair on white) nearly as it was', () => {
    const { image, alpha } = scene([0.85, 0.72, 0.5], [1, 1, 1]);
    const out = steepenAlikeEdges(image, alpha, options);
    let worst = 0;
    for (let i = 0; i < alpha.data.length; i++) worst = Math.max(worst, Math.abs(out.data[i]! - alpha.data[i]!));
    expect(worst).toBeLessThan(0.06);
    expect(rampWidth(out)).toBeGreaterThan(11);
  });

  it('keeps hard pixels exactly', () => {
    const { image, alpha } = scene([0.1, 0.09, 0.08], [0.13, 0.13, 0.12]);
    const out = steepenAlikeEdges(image, alpha, options);
    for (let i = 0; i < alpha.data.length; i++) if (alpha.data[i] === 0 || alpha.data[i] === 1) expect(out.data[i]).toBe(alpha.data[i]);
  });

  it('refuses bad options and shapes', () => {
    const { image, alpha } = scene([0.1, 0.1, 0.1], [0.2, 0.2, 0.2]);
    expect(() => steepenAlikeEdges(image, alpha, { ...options, radius: 0 })).toThrow(RangeError);
    expect(() => steepenAlikeEdges(image, alpha, { ...options, slope: 0.5 })).toThrow(RangeError);
    expect(() => steepenAlikeEdges(image, alpha, { ...options, alike: 0 })).toThrow(RangeError);
    expect(() => steepenAlikeEdges(image, alpha, { ...options, subsample: 0 })).toThrow(RangeError);
    expect(() => steepenAlikeEdges(image, createImage(W - 1, H, 1), options)).toThrow();
  });
});
