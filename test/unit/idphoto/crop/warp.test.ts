import { describe, expect, it } from 'vitest';
import { warpFrame } from '../../../../src/idphoto/crop/warp.js';
import { createImage } from '../../../../src/idphoto/matte/image.js';

const SIZE = 100;
const GREEN = [0, 255, 0] as const;
const RED = [200, 30, 30] as const;

/** A green background on the left half, the person (red, matte 1) on the right half, both reaching the bottom edge. */
function picture(): { rgb: { data: Uint8Array; width: number; height: number }; matte: ReturnType<typeof createImage> } {
  const data = new Uint8Array(SIZE * SIZE * 3);
  const matte = createImage(SIZE, SIZE, 1);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const person = x >= SIZE / 2;
      data.set(person ? RED : GREEN, (y * SIZE + x) * 3);
      matte.data[y * SIZE + x] = person ? 1 : 0;
    }
  return { rgb: { data, width: SIZE, height: SIZE }, matte };
}

describe('warpFrame past the picture', () => {
  // The photo reaches 60 px below the picture: the person continues there, the background too.
  const { rgb, matte } = picture();
  const frame = warpFrame(rgb, matte, [1, 0, 0, 0, 1, 0], SIZE, SIZE + 60);
  const colour = (x: number, y: number): number[] => [0, 1, 2].map((c) => Math.round(255 * frame.image.data[(y * SIZE + x) * 3 + c]!));

  it('continues the matte below the person only, and counts that share', () => {
    expect(frame.matte.data[150 * SIZE + 55]).toBe(1);
    expect(frame.matte.data[150 * SIZE + 20]).toBe(0);
    expect(frame.continued.bottom).toBeCloseTo((60 * 50) / (SIZE * (SIZE + 60)), 5);
    expect(frame.continued.sides).toBe(0);
  });

  it("continues the person in the person's colours, not the background's beside it", () => {
    // 5 px from the background: the wide blur along the edge (15 px) reaches well into the green.
    const [r, g] = colour(55, 150);
    expect(r).toBeGreaterThan(190);
    expect(g).toBeLessThan(40);
  });

  it("continues the background in the picture's own colours (a crop keeps them)", () => {
    const [r, g] = colour(20, 150);
    expect(g).toBeGreaterThan(240);
    expect(r).toBeLessThan(10);
  });
});
