import { describe, expect, it } from 'vitest';
import { photoGeometry } from '../../../src/idphoto/geometry.js';
import { SHEETS, findSheet, layoutSheet } from '../../../src/idphoto/sheet.js';
import { SPECS, findSpec } from '../../../src/idphoto/specs.js';

const oneInch = photoGeometry(findSpec('cn-1inch')!);

describe('print sheets', () => {
  it('finds papers by any of their names', () => {
    expect(findSheet('6-inch')?.id).toBe('4x6in');
    expect(findSheet('4R')?.id).toBe('4x6in');
    expect(findSheet('5-inch')?.id).toBe('3.5x5in');
    expect(findSheet('A4')?.id).toBe('a4');
    expect(findSheet('letter')).toBeUndefined();
  });

  it('turns the paper to fit more copies: ten 1-inch photos on 4x6 in, landscape', () => {
    const layout = layoutSheet(findSheet('4x6in')!, oneInch.width, oneInch.height, { dpi: 300 });
    expect([layout.width, layout.height, layout.orientation, layout.columns, layout.rows]).toEqual([1800, 1200, 'landscape', 5, 2]);
    expect(layout.copies).toHaveLength(10);
  });

  it('keeps the orientation asked for, even when it fits fewer', () => {
    const layout = layoutSheet(findSheet('4x6in')!, oneInch.width, oneInch.height, { dpi: 300, orientation: 'portrait' });
    expect([layout.orientation, layout.columns * layout.rows]).toEqual(['portrait', 9]);
  });

  it('places every copy inside the margins without overlap, and cut lines on every copy edge', () => {
    for (const sheet of SHEETS) {
      for (const spec of SPECS) {
        const g = photoGeometry(spec);
        const layout = layoutSheet(sheet, g.width, g.height, { dpi: g.dpi, marginMm: 5, gapMm: 2.5 });
        const margin = Math.round((5 / 25.4) * g.dpi);
        for (const c of layout.copies) {
          expect(c.x, `${sheet.id} ${spec.id}`).toBeGreaterThanOrEqual(margin - 1);
          expect(c.y + g.height, `${sheet.id} ${spec.id}`).toBeLessThanOrEqual(layout.height - margin + 1);
        }
        for (let i = 1; i < layout.copies.length; i++) {
          const [a, b] = [layout.copies[i - 1]!, layout.copies[i]!];
          expect(a.y === b.y ? b.x - a.x >= g.width : b.y - a.y >= g.height, `${sheet.id} ${spec.id}`).toBe(true);
        }
        expect(layout.cuts.x).toHaveLength(2 * layout.columns);
        expect(layout.cuts.y).toHaveLength(2 * layout.rows);
      }
    }
  });

  it('fits none when the photo is larger than the paper', () => {
    const layout = layoutSheet(findSheet('3.5x5in')!, 5000, 5000, { dpi: 300 });
    expect(layout.copies).toEqual([]);
  });
});
