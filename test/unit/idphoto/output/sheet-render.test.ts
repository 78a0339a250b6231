import { describe, expect, it } from 'vitest';
import { photoGeometry } from '../../../../src/idphoto/geometry.js';
import { CUT_LINE_GREY, renderSheet } from '../../../../src/idphoto/output/sheet-render.js';
import type { RgbImage } from '../../../../src/idphoto/rgb.js';
import { findSheet, layoutPhotos, type PhotoSheetLayout, type SheetSize } from '../../../../src/idphoto/sheet.js';
import { findSpec } from '../../../../src/idphoto/specs.js';

const sheet = (name: string): SheetSize => {
  const found = findSheet(name);
  if (!found) throw new Error(`no sheet ${name}`);
  return found;
};
const size = (id: string): { width: number; height: number; dpi: number } => photoGeometry(findSpec(id)!);
const solid = (width: number, height: number, rgb: readonly number[]): RgbImage => {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { data, width, height };
};

function expectNoOverlapInsideMargins(layout: PhotoSheetLayout, margin: number): void {
  for (const [i, a] of layout.placed.entries()) {
    expect(a.x).toBeGreaterThanOrEqual(margin - 1);
    expect(a.y).toBeGreaterThanOrEqual(margin - 1);
    expect(a.x + a.width).toBeLessThanOrEqual(layout.width - margin + 1);
    expect(a.y + a.height).toBeLessThanOrEqual(layout.height - margin + 1);
    for (const b of layout.placed.slice(i + 1)) {
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      expect(apart).toBe(true);
    }
  }
}

describe('paper sizes', () => {
  it('finds each paper by the names people use', () => {
    for (const [name, id] of [
      ['6-inch', '4x6in'],
      ['6 inch', '4x6in'],
      ['4x6', '4x6in'],
      ['4R', '4x6in'],
      ['六寸', '4x6in'],
      ['5-inch', '3.5x5in'],
      ['3r', '3.5x5in'],
      ['3.5x5', '3.5x5in'],
      ['5x7', '5x7in'],
      ['5R', '5x7in'],
      ['A4', 'a4'],
    ]) {
      expect(findSheet(name!)?.id, name).toBe(id);
    }
  });
});

describe('layoutPhotos: one photo', () => {
  it('ten 1-inch photos (25x35 mm, 295x413 px) on 4x6 in at 300 dpi, landscape', () => {
    const g = size('cn-1inch');
    expect([g.width, g.height]).toEqual([295, 413]);
    const layout = layoutPhotos(sheet('4x6'), [g], { dpi: 300 });
    expect([layout.width, layout.height, layout.orientation, layout.counts]).toEqual([1800, 1200, 'landscape', [10]]);
  });

  it('two US 2x2 in photos on 4x6 in', () => {
    const g = size('us-passport');
    expect([g.width, g.height]).toEqual([600, 600]);
    expect(layoutPhotos(sheet('4x6'), [g], { dpi: 300 }).counts).toEqual([2]);
  });

  it('the ID card at its own 350 dpi: 358x441 px copies on a 350 dpi sheet, twelve on 4x6 in', () => {
    const g = size('cn-id-card');
    expect([g.width, g.height, g.dpi]).toEqual([358, 441, 350]);
    const layout = layoutPhotos(sheet('4x6'), [g], { dpi: g.dpi });
    expect([layout.width, layout.height, layout.orientation, layout.counts]).toEqual([1400, 2100, 'portrait', [12]]);
    expect(layout.placed.every((c) => c.width === 358 && c.height === 441)).toBe(true);
  });

  it('limits the copies, and keeps the orientation asked for', () => {
    const g = size('cn-1inch');
    expect(layoutPhotos(sheet('4x6'), [{ ...g, copies: 4 }], { dpi: 300 }).counts).toEqual([4]);
    const portrait = layoutPhotos(sheet('4x6'), [g], { dpi: 300, orientation: 'portrait' });
    expect([portrait.orientation, portrait.counts]).toEqual(['portrait', [9]]);
  });
});

describe('layoutPhotos: several specs on one sheet', () => {
  const photos = [size('cn-1inch'), size('cn-2inch'), size('us-passport')];

  it('shares an A4 sheet fairly, each photo at least once, each photo’s copies together, nothing overlapping', () => {
    const layout = layoutPhotos(sheet('a4'), photos, { dpi: 300 });
    expect(layout.counts.every((n) => n >= 2)).toBe(true);
    expect(layout.placed).toHaveLength(layout.counts.reduce((a, b) => a + b, 0));
    expect(layout.placed.map((c) => c.photo)).toEqual(layout.counts.flatMap((n, i) => Array<number>(n).fill(i)));
    expectNoOverlapInsideMargins(layout, Math.round((5 / 25.4) * 300));
    // Nothing more fits: adding one copy of any photo would not fit.
    for (let i = 0; i < photos.length; i++) {
      const more = photos.map((p, j) => ({ ...p, copies: layout.counts[j]! + (i === j ? 1 : 0) }));
      expect(layoutPhotos(sheet('a4'), more, { dpi: 300, orientation: layout.orientation }).counts[i]).toBe(layout.counts[i]);
    }
  });

  it('honours the copies asked for', () => {
    const layout = layoutPhotos(
      sheet('a4'),
      [
        { ...photos[0]!, copies: 3 },
        { ...photos[1]!, copies: 1 },
        { ...photos[2]!, copies: 2 },
      ],
      { dpi: 300 },
    );
    expect(layout.counts).toEqual([3, 1, 2]);
  });
});

describe('renderSheet', () => {
  const colour = [10, 120, 200];

  it('draws 1 px light-grey cut lines along every copy edge, only outside the photos', () => {
    const photo = solid(295, 413, colour);
    const { rgb, layout } = renderSheet([{ rgb: photo }], sheet('4x6'), { dpi: 300, cutLines: true });
    expect([rgb.width, rgb.height, layout.lineWidth]).toEqual([1800, 1200, 1]);
    const at = (x: number, y: number): number[] => [...rgb.data.subarray((y * rgb.width + x) * 3, (y * rgb.width + x) * 3 + 3)];
    const inside = new Uint8Array(rgb.width * rgb.height);
    for (const c of layout.placed) for (let y = c.y; y < c.y + c.height; y++) inside.fill(1, y * rgb.width + c.x, y * rgb.width + c.x + c.width);
    let [grey, wrongInside, wrongOutside] = [0, 0, 0];
    for (let i = 0; i < inside.length; i++) {
      const [r, g, b] = [rgb.data[i * 3]!, rgb.data[i * 3 + 1]!, rgb.data[i * 3 + 2]!];
      if (inside[i]) wrongInside += r === colour[0] && g === colour[1] && b === colour[2] ? 0 : 1;
      else if (r === CUT_LINE_GREY && g === CUT_LINE_GREY && b === CUT_LINE_GREY) grey++;
      else if (r !== 255 || g !== 255 || b !== 255) wrongOutside++;
    }
    expect([wrongInside, wrongOutside]).toEqual([0, 0]);
    // A grid: full-length lines at both edges of each column and row.
    expect(grey).toBe(
      2 * layout.placed.filter((c) => c.y === layout.placed[0]!.y).length * rgb.height + 2 * layout.placed.filter((c) => c.x === layout.placed[0]!.x).length * rgb.width - 4 * layout.placed.length,
    );
    for (const c of layout.placed) {
      const [mx, my] = [c.x + (c.width >> 1), c.y + (c.height >> 1)];
      expect([at(c.x - 1, my), at(c.x + c.width, my), at(mx, c.y - 1), at(mx, c.y + c.height)]).toEqual(Array(4).fill([CUT_LINE_GREY, CUT_LINE_GREY, CUT_LINE_GREY]));
      expect([at(c.x - 2, my), at(mx, c.y - 2)]).toEqual([
        [255, 255, 255],
        [255, 255, 255],
      ]);
    }
  });

  it('leaves the paper white without cut lines', () => {
    const { rgb, layout } = renderSheet([{ rgb: solid(295, 413, colour) }], sheet('4x6'), { dpi: 300 });
    let painted = 0;
    for (let i = 0; i < rgb.data.length; i += 3) if (rgb.data[i] !== 255 || rgb.data[i + 1] !== 255 || rgb.data[i + 2] !== 255) painted++;
    expect(painted).toBe(layout.placed.length * 295 * 413);
  });

  it('puts several specs on one A4, resampling a photo of another dpi so it prints at its size', () => {
    const idCard = size('cn-id-card');
    const { rgb, layout } = renderSheet(
      [
        { rgb: solid(295, 413, [200, 0, 0]), copies: 4 },
        { rgb: solid(idCard.width, idCard.height, [0, 0, 200]), dpi: idCard.dpi, copies: 4 },
        { rgb: solid(600, 600, [0, 200, 0]), copies: 2 },
      ],
      sheet('a4'),
      { dpi: 300, cutLines: true },
    );
    expect(layout.counts).toEqual([4, 4, 2]);
    const card = layout.placed.find((c) => c.photo === 1)!;
    expect([card.width, card.height]).toEqual([307, 378]); // 26x32 mm at 300 dpi
    expect([rgb.width, rgb.height]).toEqual([2480, 3508]);
    expectNoOverlapInsideMargins(layout, Math.round((5 / 25.4) * 300));
    for (const line of layout.cutLines) {
      for (const c of layout.placed) {
        const apart = line.x + line.width <= c.x || c.x + c.width <= line.x || line.y + line.height <= c.y || c.y + c.height <= line.y;
        expect(apart).toBe(true);
      }
    }
  });

  it('refuses a sheet too large to hold in memory', () => {
    expect(() => renderSheet([{ rgb: solid(10, 10, colour) }], sheet('a4'), { dpi: 2400 })).toThrow(/lower dpi/);
  });
});
