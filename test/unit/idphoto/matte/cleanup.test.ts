import { describe, expect, it } from 'vitest';
import { cleanupMatte } from '../../../../src/idphoto/matte/cleanup.js';
import { createImage } from '../../../../src/idphoto/matte/image.js';

function matte(width: number, height: number, paint: (x: number, y: number) => number) {
  const m = createImage(width, height, 1);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) m.data[y * width + x] = paint(x, y);
  return m;
}

describe('cleanupMatte', () => {
  it('keeps the person holding the face, drops another blob, fills a small hole', () => {
    const person = (x: number, y: number): boolean => Math.hypot(x - 30, y - 40) < 20;
    const hole = (x: number, y: number): boolean => Math.hypot(x - 30, y - 45) < 3;
    const other = (x: number, y: number): boolean => x > 80 && x < 95 && y > 10 && y < 25;
    const m = matte(100, 80, (x, y) => (person(x, y) && !hole(x, y) ? 1 : other(x, y) ? 0.9 : 0));
    const out = cleanupMatte(m, { x: 30, y: 35 });
    expect(out.data[45 * 100 + 30]).toBe(1); // the hole, filled
    expect(out.data[17 * 100 + 88]).toBe(0); // the other blob, dropped
    expect(out.data[40 * 100 + 30]).toBe(1);
    expect(out.data[5 * 100 + 5]).toBe(0);
  });

  it('keeps a large enclosed background region (the gap between arm and body is not a hole)', () => {
    const ring = (x: number, y: number): boolean => Math.hypot(x - 50, y - 40) < 35 && Math.hypot(x - 50, y - 40) > 25;
    const m = matte(100, 80, (x, y) => (ring(x, y) ? 1 : 0));
    const out = cleanupMatte(m, { x: 50, y: 10 });
    expect(out.data[40 * 100 + 50]).toBe(0);
  });

  it('falls back to the largest region when the face point is outside the person', () => {
    const m = matte(60, 60, (x, y) => (x > 10 && x < 40 && y > 10 && y < 40 ? 1 : x > 50 && y > 50 ? 1 : 0));
    const out = cleanupMatte(m, { x: 2, y: 2 });
    expect(out.data[20 * 60 + 20]).toBe(1);
    expect(out.data[55 * 60 + 55]).toBe(0);
  });
});
