import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeQr } from '../../../../src/qr/encode/encode.js';
import { findFinderPatterns, symbolsFromThree, symbolsFromTwo } from '../../../../src/recognise/recover/finders.js';
import type { Point, Quad } from '../../../../src/recognise/geometry.js';
import { decodeImage } from '../../../../src/recognise/cascade.js';
import { loadReader, readLuminance } from '../../../../src/recognise/reader/zxing.js';
import { drawModules } from '../../../helpers/images.js';

const TEXT = 'https://example.com/tickets/2026/row-12/seat-34';
const symbol = encodeQr(TEXT, { ec: 'H' }); // version 6, 41 modules
const size = symbol.size;
const [PX, MARGIN] = [8, 6];
const at = (m: number): number => (MARGIN + m) * PX;
const truth: Quad = { topLeft: { x: at(0), y: at(0) }, topRight: { x: at(size), y: at(0) }, bottomRight: { x: at(size), y: at(size) }, bottomLeft: { x: at(0), y: at(size) } };
const corners = ['topLeft', 'topRight', 'bottomRight', 'bottomLeft'] as const;
const offBy = (q: Quad): number => Math.max(...corners.map((c) => Math.hypot(q[c].x - truth[c].x, q[c].y - truth[c].y))) / PX;
const near = (p: Point, mx: number, my: number): boolean => Math.hypot(p.x - at(mx), p.y - at(my)) < 1.5;

let reader: Awaited<ReturnType<typeof loadReader>>;
beforeAll(async () => {
  reader = await loadReader();
});

describe('our own finder-pattern locator', () => {
  const clean = drawModules(symbol.modules, size, PX, MARGIN);

  it('finds the three finder patterns of a clean symbol, at their centres, with the module size', () => {
    const found = findFinderPatterns(clean);
    expect(found).toHaveLength(3);
    for (const [mx, my] of [
      [3.5, 3.5],
      [size - 3.5, 3.5],
      [3.5, size - 3.5],
    ] as const) {
      const match = found.find((f) => near(f, mx, my));
      expect(match, `a finder at module ${mx},${my}`).toBeDefined();
      expect(match!.module).toBeGreaterThan(0.9 * PX);
      expect(match!.module).toBeLessThan(1.1 * PX);
    }
  });

  it('puts three finder patterns together into the symbol, its size and corners', () => {
    const [first] = symbolsFromThree(findFinderPatterns(clean));
    expect(first!.size).toBe(size);
    expect(offBy(first!.position)).toBeLessThan(0.5);
  });

  it('guesses the symbol from two finder patterns, one guess being right', () => {
    const found = findFinderPatterns(clean);
    const tl = found.find((f) => near(f, 3.5, 3.5))!;
    const tr = found.find((f) => near(f, size - 3.5, 3.5))!;
    const guesses = symbolsFromTwo(tl, tr);
    expect(guesses.length).toBe(6);
    expect(guesses.some((g) => g.size === size && offBy(g.position) < 0.5)).toBe(true);
  });

  it('finds nothing in a picture of random blocks', () => {
    let seed = 3;
    const noise = new Uint8Array(400 * 300).map((_, i) => {
      if (i % 400 === 0 || (i >> 2) % 2 === 0) seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return (seed >> 20) & 1 ? 30 : 220;
    });
    expect(findFinderPatterns({ data: noise, width: 400, height: 300 })).toEqual([]);
  });

  it('reads a code whose bottom-left finder pattern is under a glare spot, which zxing does not even locate', async () => {
    const side = clean.width;
    const data = new Uint8Array(side * side);
    const [cx, cy, radius] = [at(0.1 * size), at(0.9 * size), 0.12 * size * PX];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const paper = clean.data[y * side + x] === 40 ? 0.12 : 0.85;
        const glare = 1.3 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / radius ** 2);
        data[y * side + x] = Math.min(255, Math.round((paper + glare) * 255));
      }
    }
    const png = new Uint8Array(
      await sharp(Buffer.from(data), { raw: { width: side, height: side, channels: 1 } })
        .blur(1.2)
        .png()
        .toBuffer(),
    );
    const lum = { data: new Uint8Array(await sharp(png).extractChannel(0).raw().toBuffer()), width: side, height: side };
    const located = readLuminance(reader, lum.data, lum.width, lum.height, { formats: ['QRCode'], tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, returnErrors: true });
    expect(located.filter((r) => r.format === 'QRCode')).toEqual([]);
    const result = await decodeImage(reader, png, { formats: ['QRCode'], maxSide: 1200, maxPixels: 25_000_000 });
    expect(result.codes.map((c) => c.text)).toEqual([TEXT]);
    expect(result.pass).toBe('regrid');
  });
});
