import { describe, expect, it } from 'vitest';
import { createImage, type Image } from '../../../../src/idphoto/matte/image.js';
import { dropOtherPeople, MAX_OTHER_FACES, type FaceBox } from '../../../../src/idphoto/matte/other-people.js';
import type { RgbImage } from '../../../../src/idphoto/rgb.js';

type Paint = (x: number, y: number) => { alpha: number; rgb: readonly [number, number, number] } | null;

/** A picture and its matte painted together: `paint` gives each pixel's person colour and alpha, or null for the background. */
function scene(width: number, height: number, paint: Paint): { rgb: RgbImage; matte: Image } {
  const data = new Uint8Array(width * height * 3).fill(200);
  const matte = createImage(width, height, 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = paint(x, y);
      if (!p) continue;
      data.set(p.rgb, (y * width + x) * 3);
      matte.data[y * width + x] = p.alpha;
    }
  }
  return { rgb: { data, width, height }, matte };
}

const SKIN = [210, 160, 130] as const;
const box = (cx: number, cy: number, r: number): FaceBox => ({ x: cx - r, y: cy - r, width: 2 * r, height: 2 * r });
const at = (m: Image, x: number, y: number): number => m.data[y * m.width + x]!;

describe('dropOtherPeople', () => {
  // Two people shoulder to shoulder, their outlines one region: a blue jacket on the left, a red one on the right.
  const twoPeople: Paint = (x, y) => {
    if (Math.hypot(x - 60, y - 45) < 22) return { alpha: 1, rgb: SKIN };
    if (Math.hypot(x - 150, y - 50) < 16) return { alpha: 1, rgb: SKIN };
    if (y >= 62 && x >= 20 && x < 105) return { alpha: 1, rgb: [40, 60, 160] };
    if (y >= 60 && x >= 105 && x < 190) return { alpha: 1, rgb: [170, 40, 40] };
    return null;
  };

  it('drops the other person joined to the subject and keeps the subject whole', () => {
    const { rgb, matte } = scene(200, 140, twoPeople);
    const { matte: out, dropped } = dropOtherPeople(matte, rgb, box(60, 45, 22), [box(150, 50, 16)]);
    expect(at(out, 150, 50)).toBe(0); // the other face
    expect(at(out, 170, 120)).toBe(0); // the other jacket, far from the join
    expect(at(out, 60, 45)).toBe(1);
    expect(at(out, 30, 120)).toBe(1);
    expect(at(out, 95, 100)).toBe(1); // the subject's jacket near the join
    expect(dropped).toBeGreaterThan(0.3);
    expect(dropped).toBeLessThan(0.6);
  });

  it('leaves the matte as it is without other faces, or where another face is not on the matte', () => {
    const { rgb, matte } = scene(200, 140, twoPeople);
    expect(dropOtherPeople(matte, rgb, box(60, 45, 22), [])).toEqual({ matte, dropped: 0 });
    // A face in the background region (a poster, a face the person model left out).
    expect(dropOtherPeople(matte, rgb, box(60, 45, 22), [box(180, 20, 10)])).toEqual({ matte, dropped: 0 });
  });

  it("keeps the subject's wide hair next to a smaller face behind it: distances count in each face's widths", () => {
    // The subject's hair reaches 48 px left of its face, to within 12 px of a small face behind.
    const hairAndFace: Paint = (x, y) => {
      if (Math.hypot(x - 60, y - 50) < 14) return { alpha: 1, rgb: SKIN };
      if (Math.hypot(x - 120, y - 50) < 25) return { alpha: 1, rgb: SKIN };
      if (x >= 72 && x < 170 && y >= 10 && y < 110) return { alpha: 1, rgb: [45, 30, 25] };
      return null;
    };
    const { rgb, matte } = scene(200, 120, hairAndFace);
    const { matte: out } = dropOtherPeople(matte, rgb, box(120, 50, 25), [box(60, 50, 14)]);
    expect(at(out, 60, 50)).toBe(0);
    for (const x of [76, 80, 85, 95]) expect(at(out, x, 50)).toBe(1);
  });

  it('works on a matte coarser or finer than the picture, and on the grid of a large one', () => {
    const { rgb, matte } = scene(400, 280, (x, y) => twoPeople(Math.floor(x / 2), Math.floor(y / 2)));
    const coarse = createImage(100, 70, 1);
    for (let y = 0; y < 70; y++) for (let x = 0; x < 100; x++) coarse.data[y * 100 + x] = matte.data[y * 4 * 400 + x * 4]!;
    const subject = box(120, 90, 44);
    const other = box(300, 100, 32);
    const small = dropOtherPeople(coarse, rgb, subject, [other]).matte;
    expect([small.width, small.height]).toEqual([100, 70]);
    expect(at(small, 75, 60)).toBe(0);
    expect(at(small, 15, 60)).toBe(1);
    const fine = dropOtherPeople(matte, rgb, subject, [other], { grid: 64, minAlpha: 0.05, edgeCost: 20, seedShare: 0.6 }).matte;
    expect([fine.width, fine.height]).toEqual([400, 280]);
    expect(at(fine, 340, 240)).toBe(0);
    expect(at(fine, 60, 240)).toBe(1);
  });

  it('follows at most MAX_OTHER_FACES other faces, the largest: a crowd costs a bounded time', () => {
    // A row of people on one joined band: a small face (r 5) left of the subject (r 12), MAX_OTHER_FACES larger ones (r 8) right.
    const small = { cx: 20, r: 5 };
    const large = Array.from({ length: MAX_OTHER_FACES }, (_, k) => ({ cx: 100 + 40 * k, r: 8 }));
    const heads = [{ cx: 60, r: 12 }, small, ...large];
    const row: Paint = (x, y) => {
      if (heads.some((h) => Math.hypot(x - h.cx, y - 20) < h.r)) return { alpha: 1, rgb: SKIN };
      if (y >= 18 && y < 30 && heads.some((h) => Math.abs(x - h.cx) < 3)) return { alpha: 1, rgb: SKIN }; // necks
      if (y >= 30 && y < 50) return { alpha: 1, rgb: [60, 60, 60] };
      return null;
    };
    const { rgb, matte } = scene(100 + 40 * MAX_OTHER_FACES, 60, row);
    const others = [small, ...large].map((h) => box(h.cx, 20, h.r));
    const out = dropOtherPeople(matte, rgb, box(60, 20, 12), others).matte;
    for (const h of large) expect(at(out, h.cx, 20)).toBe(0);
    expect(at(out, small.cx, 20)).toBe(1); // the smallest of MAX_OTHER_FACES + 1, not followed
    expect(at(out, 60, 20)).toBe(1);
    // Without the cap's pressure (the large ones gone), the small face is followed and its person dropped.
    expect(at(dropOtherPeople(matte, rgb, box(60, 20, 12), [others[0]!]).matte, small.cx, 20)).toBe(0);
  });
});
