/**
 * Our own QR locator, for the symbols zxing does not even locate: a glare spot
 * or a blur that spoils its finder-pattern checks, or format information it
 * cannot read. Finder patterns (the 1:1:3:1:1 dark-light rings at three
 * corners) are found by scanning rows of a locally thresholded picture and
 * cross-checking each hit down its column; three of similar module size that
 * make a right angle with two equal arms give the symbol's corners and size,
 * which the re-read stage (grid-fit.ts and on) then corrects and reads.
 */
import type { Point, Quad } from '../geometry.js';
import type { Luminance as Gray } from '../luminance.js';

export interface FinderPattern {
  readonly x: number;
  readonly y: number;
  /** Module size in pixels. */
  readonly module: number;
  /** Rows whose scan found it. */
  readonly support: number;
}

export interface LocatedSymbol {
  readonly position: Quad;
  /** Modules a side, as estimated from the finder patterns' distance (the caller may try the neighbouring versions). */
  readonly size: number;
}

/**
 * Dark pixels: below the mean of a square around them (side ~1/8 of the
 * picture) less a small margin, so flat areas read as light. Thresholds come
 * from a summed-area table on demand: only the scanned rows and the cross-checks
 * need them.
 */
class Threshold {
  private readonly sums: Float64Array;
  private readonly radius: number;
  private readonly iw: number;

  constructor(private readonly img: Gray) {
    const { width: w, height: h, data } = img;
    this.radius = Math.max(8, Math.round(Math.min(w, h) / 16));
    this.iw = w + 1;
    this.sums = new Float64Array(this.iw * (h + 1));
    for (let y = 0; y < h; y++) {
      let row = 0;
      for (let x = 0; x < w; x++) {
        row += data[y * w + x]!;
        this.sums[(y + 1) * this.iw + x + 1] = this.sums[y * this.iw + x + 1]! + row;
      }
    }
  }

  /** 1 for dark, 0 for light, -1 outside the picture. */
  at(x: number, y: number): number {
    const { width: w, height: h, data } = this.img;
    if (x < 0 || y < 0 || x >= w || y >= h) return -1;
    const r = this.radius;
    const top = Math.max(0, y - r) * this.iw;
    const bottom = Math.min(h, y + r + 1) * this.iw;
    const x0 = x > r ? x - r : 0;
    const x1 = x + r + 1 < w ? x + r + 1 : w;
    const sum = this.sums[bottom + x1]! - this.sums[top + x1]! - this.sums[bottom + x0]! + this.sums[top + x0]!;
    // data < mean - 4, without the division.
    return (data[y * w + x]! + 4) * ((bottom - top) / this.iw) * (x1 - x0) < sum ? 1 : 0;
  }
}

/** The module size when five run lengths (dark, light, dark, light, dark) are in the ratio 1:1:3:1:1, each within half a module (the centre within 1.5). */
function finderRatio(a: number, b: number, c: number, d: number, e: number): number | undefined {
  const total = a + b + c + d + e;
  if (total < 7) return undefined;
  const module = total / 7;
  const tolerance = module / 2;
  if (Math.abs(a - module) > tolerance || Math.abs(b - module) > tolerance || Math.abs(d - module) > tolerance || Math.abs(e - module) > tolerance) return undefined;
  return Math.abs(c - 3 * module) <= 3 * tolerance ? module : undefined;
}

/**
 * The five runs through (x, y) along a line with step (dx, dy), outward from
 * the centre run; undefined when they do not make a finder pattern. Returns the
 * centre of the centre run along that line and the module size.
 */
function crossCheck(dark: Threshold, x: number, y: number, dx: number, dy: number, maxRun: number): { at: number; module: number } | undefined {
  const at = (k: number): number => dark.at(x + k * dx, y + k * dy);
  if (at(0) !== 1) return undefined;
  // On each side: the rest of the centre run, the light ring, the dark ring.
  const side = (sign: number): number[] | undefined => {
    const lengths: number[] = [];
    let k = 0;
    for (const colour of [1, 0, 1]) {
      let n = 0;
      while (n <= maxRun && at(k + sign) === colour) {
        k += sign;
        n++;
      }
      lengths.push(n);
    }
    return lengths[1]! > 0 && lengths[2]! > 0 && lengths.every((n) => n <= maxRun) ? lengths : undefined;
  };
  const before = side(-1);
  const after = side(1);
  if (!before || !after) return undefined;
  const centre = before[0]! + after[0]! + 1;
  const module = finderRatio(before[2]!, before[1]!, centre, after[1]!, after[2]!);
  if (module === undefined) return undefined;
  return { at: (after[0]! - before[0]!) / 2, module };
}

/** Every second row is scanned: a finder pattern's centre is at least 3 px tall at the smallest modules zxing reads. */
const ROW_STEP = 2;

/** Finder pattern candidates, merged where they coincide, most supported first. */
export function findFinderPatterns(img: Gray): FinderPattern[] {
  const { width: w, height: h } = img;
  const dark = new Threshold(img);
  const maxRun = Math.max(w, h) / 4;
  const hits: Array<{ x: number; y: number; module: number }> = [];
  for (let y = 0; y < h; y += ROW_STEP) {
    let colour = dark.at(0, y);
    let length = 0;
    let count = 0;
    // The last five runs of the row: r0 oldest .. r4 the one just ended.
    let r0: number;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    let r4 = 0;
    for (let x = 0; x <= w; x++) {
      const v = x < w ? dark.at(x, y) : 2;
      if (v === colour) {
        length++;
        continue;
      }
      r0 = r1;
      r1 = r2;
      r2 = r3;
      r3 = r4;
      r4 = length;
      count++;
      // Five runs ending in a dark one (so they begin with one).
      if (colour === 1 && count >= 5 && finderRatio(r0, r1, r2, r3, r4) !== undefined) {
        const cx = Math.round(x - r4 - r3 - r2 / 2);
        const vertical = crossCheck(dark, cx, y, 0, 1, maxRun);
        if (vertical) {
          const cy = Math.round(y + vertical.at);
          const horizontal = crossCheck(dark, cx, cy, 1, 0, maxRun);
          if (horizontal) hits.push({ x: cx + horizontal.at, y: cy, module: (vertical.module + horizontal.module) / 2 });
        }
      }
      colour = v;
      length = 1;
    }
  }
  const merged: Array<{ x: number; y: number; module: number; support: number }> = [];
  for (const hit of hits) {
    const same = merged.find((m) => Math.hypot(m.x - hit.x, m.y - hit.y) < 2 * m.module && Math.abs(m.module - hit.module) < m.module / 2);
    if (same) {
      same.x = (same.x * same.support + hit.x) / (same.support + 1);
      same.y = (same.y * same.support + hit.y) / (same.support + 1);
      same.module = (same.module * same.support + hit.module) / (same.support + 1);
      same.support++;
    } else {
      merged.push({ ...hit, support: 1 });
    }
  }
  // A real finder pattern is hit by every scanned row through its 3-module centre: half of them at least (text and texture are hit by a few).
  return merged.filter((m) => m.support >= Math.max(2, (1.5 * m.module) / ROW_STEP)).sort((a, b) => b.support - a.support);
}

const distance = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

/** The symbol whose finder-pattern centres are tl, tr, bl (clockwise), `size` modules a side: its outer corners. */
function symbolAt(tl: Point, tr: Point, bl: Point, size: number): LocatedSymbol {
  // Outer corners: 3.5 modules out from each finder centre along the symbol's axes.
  const ux = { x: (tr.x - tl.x) / (size - 7), y: (tr.y - tl.y) / (size - 7) };
  const uy = { x: (bl.x - tl.x) / (size - 7), y: (bl.y - tl.y) / (size - 7) };
  const corner = (p: Point, su: number, sv: number): Point => ({ x: p.x + su * ux.x + sv * uy.x, y: p.y + su * ux.y + sv * uy.y });
  const br = { x: tr.x + bl.x - tl.x, y: tr.y + bl.y - tl.y };
  return { position: { topLeft: corner(tl, -3.5, -3.5), topRight: corner(tr, 3.5, -3.5), bottomRight: corner(br, 3.5, 3.5), bottomLeft: corner(bl, -3.5, 3.5) }, size };
}

/** The QR size nearest to `span` modules between outer edges (finder centres span size - 7), or undefined outside versions 1-40. */
function sizeFor(centreDistance: number, module: number): number | undefined {
  const version = Math.round((centreDistance / module + 7 - 17) / 4);
  return version >= 1 && version <= 40 ? 4 * version + 17 : undefined;
}

/** Clockwise order: with y down, top-right then bottom-left around the top-left one has a positive cross product. */
function clockwise(tl: Point, a: Point, b: Point): [Point, Point] {
  return (a.x - tl.x) * (b.y - tl.y) - (a.y - tl.y) * (b.x - tl.x) > 0 ? [a, b] : [b, a];
}

/**
 * Symbols made by three of the finder patterns: similar module sizes, a right
 * angle at the top-left one with arms equal within 25 % (perspective). Best-formed first.
 */
export function symbolsFromThree(finders: readonly FinderPattern[]): LocatedSymbol[] {
  const candidates: Array<LocatedSymbol & { error: number }> = [];
  const top = finders.slice(0, 12);
  for (let i = 0; i < top.length; i++) {
    for (let j = 0; j < top.length; j++) {
      for (let k = j + 1; k < top.length; k++) {
        if (i === j || i === k) continue;
        const [tl, a, b] = [top[i]!, top[j]!, top[k]!];
        const modules = [tl.module, a.module, b.module];
        if (Math.max(...modules) > 1.6 * Math.min(...modules)) continue;
        const [da, db] = [distance(tl, a), distance(tl, b)];
        if (Math.max(da, db) > 1.25 * Math.min(da, db)) continue;
        const cos = ((a.x - tl.x) * (b.x - tl.x) + (a.y - tl.y) * (b.y - tl.y)) / (da * db);
        if (Math.abs(cos) > 0.25) continue;
        const size = sizeFor((da + db) / 2, (tl.module + a.module + b.module) / 3);
        if (!size) continue;
        const [tr, bl] = clockwise(tl, a, b);
        candidates.push({ ...symbolAt(tl, tr, bl, size), error: Math.abs(cos) + Math.abs(da - db) / Math.max(da, db) });
      }
    }
  }
  return candidates.sort((p, q) => p.error - q.error).map(({ position, size }) => ({ position, size }));
}

/**
 * The symbols two finder patterns could belong to when the third is hidden
 * (glare, a thumb, the picture's edge): the pair is a side of the symbol, with
 * the third finder at either end on either side, or its diagonal, with the
 * top-left one on either side. Six guesses per pair; the caller keeps the one
 * whose function patterns fit.
 */
export function symbolsFromTwo(p: FinderPattern, q: FinderPattern): LocatedSymbol[] {
  if (Math.max(p.module, q.module) > 1.6 * Math.min(p.module, q.module)) return [];
  const module = (p.module + q.module) / 2;
  const d = distance(p, q);
  const out: LocatedSymbol[] = [];
  const side = sizeFor(d, module);
  if (side) {
    const perp = { x: -(q.y - p.y), y: q.x - p.x };
    for (const [corner, other] of [
      [p, q],
      [q, p],
    ] as const) {
      for (const sign of [1, -1]) {
        const third = { x: corner.x + sign * perp.x, y: corner.y + sign * perp.y };
        const [tr, bl] = clockwise(corner, other, third);
        out.push(symbolAt(corner, tr, bl, side));
      }
    }
  }
  const diagonal = sizeFor(d / Math.SQRT2, module);
  if (diagonal) {
    const mid = { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
    for (const sign of [1, -1]) {
      const tl = { x: mid.x - (sign * (q.y - p.y)) / 2, y: mid.y + (sign * (q.x - p.x)) / 2 };
      const [tr, bl] = clockwise(tl, p, q);
      out.push(symbolAt(tl, tr, bl, diagonal));
    }
  }
  return out;
}
