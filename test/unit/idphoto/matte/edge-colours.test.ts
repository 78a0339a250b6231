import { describe, expect, it } from 'vitest';
import { decontaminateEdges } from '../../../../src/idphoto/matte/edge-colours.js';
import { estimateForeground } from '../../../../src/idphoto/matte/foreground.js';
import { createImage, type Image } from '../../../../src/idphoto/matte/image.js';

const SIZE = 120;
type Rgb = [number, number, number];

/** A person filling the columns left of the edge: each column's colour and alpha given by x. */
function scene(colour: (x: number) => Rgb, alphaAt: (x: number) => number): { image: Image; alpha: Image } {
  const image = createImage(SIZE, SIZE, 3);
  const alpha = createImage(SIZE, SIZE, 1);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      image.data.set(colour(x), i * 3);
      alpha.data[i] = alphaAt(x);
    }
  }
  return { image, alpha };
}

const ramp = (from: number, to: number) => (x: number) => Math.min(1, Math.max(0, (to - x) / (to - from)));
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [a[0] * t + b[0] * (1 - t), a[1] * t + b[1] * (1 - t), a[2] * t + b[2] * (1 - t)];
const distance = (image: Image, x: number, c: Rgb): number => {
  const i = (60 * SIZE + x) * 3;
  return Math.hypot(image.data[i]! - c[0], image.data[i + 1]! - c[1], image.data[i + 2]! - c[2]);
};

const RED: Rgb = [0.8, 0.2, 0.2];
const GREEN: Rgb = [0.1, 0.8, 0.1];

describe('decontaminateEdges', () => {
  // The true alpha falls from 1 to 0 over x 53-62; the matte given says opaque up to 56, as a refined matte does.
  const trueAlpha = ramp(53, 62);
  const { image, alpha } = scene((x) => mix(RED, GREEN, trueAlpha(x)), ramp(56, 62));

  it("brings blur-fusion's colours at the edge, where the matte is off, much closer to the person's", () => {
    // Blur-fusion removes the old background as far as the matte says it is there; the edge step corrects the rest.
    const estimate = estimateForeground(image, alpha, { edgeRadius: 0 });
    const out = decontaminateEdges(estimate, alpha, { radius: 8 });
    let before = 0;
    let after = 0;
    for (let x = 54; x <= 61; x++) {
      before += distance(estimate, x, RED);
      after += distance(out, x, RED);
      expect(distance(out, x, RED), `x ${x}`).toBeLessThan(distance(estimate, x, RED));
    }
    expect(before / 8).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(0.5 * before);
  });

  it('leaves the interior away from the edge and the nearly transparent pixels exactly as they were', () => {
    const out = decontaminateEdges(image, alpha, { radius: 8 });
    for (let y = 0; y < SIZE; y++) {
      for (const x of [0, 20, 40, 62, 70, 119]) {
        const i = (y * SIZE + x) * 3;
        expect([...out.data.subarray(i, i + 3)], `${x},${y}`).toEqual([...image.data.subarray(i, i + 3)]);
      }
    }
  });

  it('keeps an edge colour that the interior does not hold (hair over skin, the matte cutting through the hair)', () => {
    const SKIN: Rgb = [0.8, 0.6, 0.5];
    const HAIR: Rgb = [0.1, 0.08, 0.08];
    const hair = scene((x) => (x < 52 ? SKIN : HAIR), ramp(56, 62));
    const out = decontaminateEdges(hair.image, hair.alpha, { radius: 8 });
    for (const x of [52, 54, 56, 58]) expect(distance(out, x, HAIR), `x ${x}`).toBeLessThan(0.02);
  });

  it('returns a copy with radius 0 and refuses a bad radius or mismatched shapes', () => {
    const out = decontaminateEdges(image, alpha, { radius: 0 });
    expect(out.data).not.toBe(image.data);
    expect(out.data).toEqual(image.data);
    expect(() => decontaminateEdges(image, alpha, { radius: 2.5 })).toThrow(RangeError);
    expect(() => decontaminateEdges(image, alpha, { radius: -1 })).toThrow(RangeError);
    expect(() => decontaminateEdges(alpha, alpha, { radius: 8 })).toThrow(RangeError);
  });
});
