import { describe, expect, it } from 'vitest';
import type { Matte, MattingEngine } from '../../../../src/idphoto/matting/engine.js';
import { floorUnder, personCore, PERSON_CORE_EROSION, withPersonFloor } from '../../../../src/idphoto/matting/person-floor.js';

function matteOf(width: number, height: number, alpha: (x: number, y: number) => number): Matte {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = alpha(x, y);
  return { data, width, height, channels: 1 };
}

/** A person model's 32x32 matte: sure (0.97) inside the square [8, 24), 0.6 on a one-pixel ring round it, 0 outside. */
const person = matteOf(32, 32, (x, y) => {
  const d = Math.max(Math.abs(x - 15.5), Math.abs(y - 15.5));
  return d < 8 ? 0.97 : d < 9 ? 0.6 : 0;
});

describe('the person floor', () => {
  it('is the sure interior eroded by PERSON_CORE_EROSION pixels', () => {
    const core = personCore(person);
    const inside = (x: number, y: number): number => core.data[y * 32 + x]!;
    expect(inside(15, 15)).toBe(1);
    expect(inside(8 + PERSON_CORE_EROSION, 15)).toBe(1);
    expect(inside(8 + PERSON_CORE_EROSION - 1, 15)).toBe(0);
    expect(inside(8, 8)).toBe(0);
    expect(inside(2, 2)).toBe(0);
  });

  it('fills a detailed matte where it left the person half transparent, and keeps its edges and what lies outside', () => {
    // The detailed model (128x128, 4x finer): the body at 0.5, a crisp edge, and strands beyond the person model's matte.
    const detailed = matteOf(128, 128, (x, y) => {
      const d = Math.max(Math.abs(x - 63.5), Math.abs(y - 63.5));
      return d < 34 ? 0.5 : d < 40 ? 0.3 : 0;
    });
    const out = floorUnder(detailed, person);
    const at = (x: number, y: number): number => out.data[y * 128 + x]!;
    expect([out.width, out.height]).toEqual([128, 128]);
    expect(at(64, 64)).toBe(1);
    expect(at(64 + 20, 64)).toBe(1);
    // Near and beyond the person model's edge the detailed matte stands as it was.
    for (const x of [64 + 30, 64 + 33, 64 + 36, 64 + 45]) expect(at(x, 64)).toBe(detailed.data[64 * 128 + x]);
    for (let i = 0; i < out.data.length; i++) expect(out.data[i]).toBeGreaterThanOrEqual(detailed.data[i]!);
  });

  it('runs both engines, answers by the detailed one’s name, and releases both', async () => {
    const released: string[] = [];
    const engine = (name: string, m: Matte): MattingEngine => ({
      name,
      matte: () => Promise.resolve(m),
      release: () => {
        released.push(name);
        return Promise.resolve();
      },
    });
    const combined = withPersonFloor(
      engine(
        'isnet',
        matteOf(64, 64, () => 0.25),
      ),
      engine('selfie', person),
    );
    expect(combined.name).toBe('isnet');
    const m = await combined.matte({ data: new Uint8Array(3), width: 1, height: 1 });
    expect(m.data[32 * 64 + 32]).toBe(1);
    expect(m.data[0]).toBe(0.25);
    await combined.release();
    expect(released.sort()).toEqual(['isnet', 'selfie']);
  });
});
