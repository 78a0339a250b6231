import { describe, expect, it } from 'vitest';
import { applyAffine, composeAffine, invertAffine, similarity } from '../../../../src/idphoto/affine.js';
import type { HeadMeasure } from '../../../../src/idphoto/crop/head.js';
import { placeHead } from '../../../../src/idphoto/crop/placement.js';
import { photoGeometry } from '../../../../src/idphoto/geometry.js';
import { SPECS } from '../../../../src/idphoto/specs.js';

/** A level head: eyes at (500, 400), chin 150 px below them, skull top 150 above, hair top 190 above. */
const HEAD: HeadMeasure = { eyes: { x: 500, y: 400 }, roll: 0, eyeDistance: 120, faceWidth: 300, chinBelowEyes: 150, skullAboveEyes: 150, hairAboveEyes: 190, crownCutOff: false };

describe('placeHead', () => {
  for (const spec of SPECS) {
    it(`${spec.id}: head, crown margin and eye line inside the spec's bands, face centred`, () => {
      const g = photoGeometry(spec);
      const p = placeHead(HEAD, spec.crown, g);
      expect(p.conflicts).toEqual([]);
      if (g.head) {
        expect(p.headPx).toBeGreaterThanOrEqual(g.head.min);
        expect(p.headPx).toBeLessThanOrEqual(g.head.max);
      }
      if (g.crownMargin) {
        expect(p.crownY).toBeGreaterThanOrEqual(g.crownMargin.min - 1e-9);
        expect(p.crownY).toBeLessThanOrEqual(g.crownMargin.max + 1e-9);
      }
      if (g.eyesFromTop) {
        expect(p.eyesY).toBeGreaterThanOrEqual(g.eyesFromTop.min - 1e-9);
        expect(p.eyesY).toBeLessThanOrEqual(g.eyesFromTop.max + 1e-9);
      }
      expect(p.crownY).toBeGreaterThan(0);
      expect(p.crownY + p.headPx).toBeLessThanOrEqual(g.height);
      const eyes = applyAffine(p.transform, HEAD.eyes);
      expect(eyes.x).toBeCloseTo(g.width / 2, 6);
      expect(eyes.y).toBeCloseTo(p.eyesY, 6);
      // The crown by the spec's rule lands at crownY, the chin headPx below it.
      const crownAbove = spec.crown === 'hair' ? HEAD.hairAboveEyes : HEAD.skullAboveEyes;
      expect(applyAffine(p.transform, { x: 500, y: 400 - crownAbove }).y).toBeCloseTo(p.crownY, 6);
      expect(applyAffine(p.transform, { x: 500, y: 400 + HEAD.chinBelowEyes }).y).toBeCloseTo(p.crownY + p.headPx, 6);
    });
  }

  it('measures to the skull or to the hair as the spec says: the same photo gives a larger head under the skull rule', () => {
    const g = photoGeometry(SPECS.find((s) => s.id === 'uk-passport')!);
    const skull = placeHead(HEAD, 'skull', g);
    const hair = placeHead(HEAD, 'hair', g);
    expect(skull.headPx).toBe(hair.headPx);
    expect(skull.scale).toBeGreaterThan(hair.scale);
  });

  it('levels a rolled head: both eyes land on one row', () => {
    const roll = 12;
    const t = (roll * Math.PI) / 180;
    const right = { x: 500 - 60 * Math.cos(t), y: 400 - 60 * Math.sin(t) };
    const left = { x: 500 + 60 * Math.cos(t), y: 400 + 60 * Math.sin(t) };
    const p = placeHead({ ...HEAD, roll }, 'hair', photoGeometry(SPECS.find((s) => s.id === 'us-passport')!));
    expect(applyAffine(p.transform, right).y).toBeCloseTo(applyAffine(p.transform, left).y, 6);
    expect(applyAffine(p.transform, left).x).toBeGreaterThan(applyAffine(p.transform, right).x);
  });

  it('moves the head down, inside its rules, where the picture ends above the photo’s bottom edge', () => {
    const g = photoGeometry(SPECS.find((s) => s.id === 'us-passport')!);
    const free = placeHead(HEAD, 'hair', g);
    const pictureBottom = (p: ReturnType<typeof placeHead>, height: number): number => applyAffine(p.transform, { x: 500, y: height }).y;
    // A picture that reaches far below the chin: nothing moves.
    expect(placeHead(HEAD, 'hair', g, { height: 2000 }).crownY).toBeCloseTo(free.crownY, 9);
    // A picture ending 40 px below the chin: the head moves down, the picture's bottom with it, the head's size and bands kept.
    const height = HEAD.eyes.y + HEAD.chinBelowEyes + 40;
    const moved = placeHead(HEAD, 'hair', g, { height });
    expect(moved.crownY).toBeGreaterThan(free.crownY + 1);
    expect(pictureBottom(moved, height)).toBeGreaterThan(pictureBottom(free, height) + 1);
    expect(pictureBottom(moved, height)).toBeLessThan(g.height);
    expect(moved.headPx).toBe(free.headPx);
    // At most half way from the middle of the eye band to its lower end.
    expect(moved.eyesY - free.eyesY).toBeLessThanOrEqual((g.eyesFromTop!.max - free.eyesY) / 2 + 1e-9);
    // A crown cut off by the picture's top edge: the head moves only while that edge stays above the photo.
    const high = { ...HEAD, eyes: { x: 500, y: 200 } };
    const short = { height: 200 + HEAD.chinBelowEyes + 40 };
    const uncut = placeHead(high, 'hair', g, short);
    const cut = placeHead({ ...high, crownCutOff: true }, 'hair', g, short);
    const topEdge = (p: ReturnType<typeof placeHead>): number => applyAffine(p.transform, { x: 500, y: 0 }).y;
    expect(topEdge(cut)).toBeLessThanOrEqual(Math.max(0, topEdge(placeHead(high, 'hair', g))) + 1e-9);
    expect(cut.crownY).toBeLessThan(uncut.crownY);
  });

  it('keeps a head turned a quarter turn inside its rules, whatever the picture', () => {
    const g = photoGeometry(SPECS.find((s) => s.id === 'us-passport')!);
    for (const roll of [90, -90, 180]) {
      const p = placeHead({ ...HEAD, roll }, 'hair', g, { height: 600 });
      expect(Number.isFinite(p.crownY), `roll ${roll}`).toBe(true);
      expect(p.eyesY).toBeGreaterThanOrEqual(g.eyesFromTop!.min - 1e-9);
      expect(p.eyesY).toBeLessThanOrEqual(g.eyesFromTop!.max + 1e-9);
    }
  });

  it('reports rules that cannot be met together instead of choosing silently', () => {
    // Eyes almost at the chin cannot meet the US eye band with the head inside the photo.
    const g = photoGeometry(SPECS.find((s) => s.id === 'us-passport')!);
    const p = placeHead({ ...HEAD, hairAboveEyes: 300, skullAboveEyes: 300, chinBelowEyes: 20 }, 'hair', g);
    expect(p.conflicts.length).toBeGreaterThan(0);
  });
});

describe('affine maps', () => {
  it('invert and compose', () => {
    const m = similarity({ x: 10, y: 20 }, 30, 0.5, { x: 100, y: 50 });
    const id = composeAffine(invertAffine(m), m);
    const p = applyAffine(id, { x: 7, y: -3 });
    expect(p.x).toBeCloseTo(7, 9);
    expect(p.y).toBeCloseTo(-3, 9);
    expect(applyAffine(m, { x: 10, y: 20 })).toEqual({ x: 100, y: 50 });
  });
});
