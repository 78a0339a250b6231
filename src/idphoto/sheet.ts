/**
 * Print sheets: how many copies of a photo fit on a paper size, in which orientation, and where each
 * goes, with the spacing, margins and cut lines a photo lab works with.
 */

export interface SheetSize {
  readonly id: string;
  readonly name: string;
  /** Other names the same paper goes by. */
  readonly aliases: readonly string[];
  readonly widthMm: number;
  readonly heightMm: number;
}

/** Paper names in use are aliases of one size: 6-inch = 4x6 in = 4R (六寸), 5-inch = 3.5x5 in = 3R (五寸), 7-inch = 5x7 in = 5R (七寸). */
export const SHEETS: readonly SheetSize[] = [
  { id: '4x6in', name: '4x6 in', aliases: ['6-inch', '4x6', '6x4', '4r', '6寸', '六寸'], widthMm: 101.6, heightMm: 152.4 },
  { id: '3.5x5in', name: '3.5x5 in', aliases: ['5-inch', '3.5x5', '5x3.5', '3r', '5寸', '五寸'], widthMm: 88.9, heightMm: 127 },
  { id: '5x7in', name: '5x7 in', aliases: ['7-inch', '5x7', '7x5', '5r', '7寸', '七寸'], widthMm: 127, heightMm: 177.8 },
  { id: 'a4', name: 'A4', aliases: [], widthMm: 210, heightMm: 297 },
];

/** A paper by its id or any alias, ignoring case and spaces ('4R', '6 inch', '4 x 6'). */
export function findSheet(name: string): SheetSize | undefined {
  const key = name
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/-?inch$/, '-inch');
  return SHEETS.find((s) => s.id === key || s.aliases.includes(key));
}

export type Orientation = 'portrait' | 'landscape';

export interface SheetOptions {
  /** Pixels per inch of the sheet; the photo's own dpi, so it prints at its size. */
  readonly dpi: number;
  /** Gap between copies, and the paper's margins, in millimetres. */
  readonly gapMm?: number;
  readonly marginMm?: number;
  /** Force an orientation; by default the one that fits more copies (portrait on a tie). */
  readonly orientation?: Orientation;
}

export interface SheetLayout {
  readonly width: number;
  readonly height: number;
  readonly orientation: Orientation;
  readonly columns: number;
  readonly rows: number;
  /** Top-left corner of each copy, in pixels, row by row. */
  readonly copies: readonly { readonly x: number; readonly y: number }[];
  /** Where to draw cut lines: the x of every vertical and the y of every horizontal copy edge. */
  readonly cuts: { readonly x: readonly number[]; readonly y: readonly number[] };
}

/** Defaults a lab expects: 2.5 mm between copies (a cut each side), 5 mm unprintable margin. */
export const DEFAULT_GAP_MM = 2.5;
export const DEFAULT_MARGIN_MM = 5;

function fit(space: number, item: number, gap: number): number {
  return Math.max(0, Math.floor((space + gap) / (item + gap)));
}

/** The copies of a `photoWidth` x `photoHeight` px photo on `sheet`, centred as a grid. */
export function layoutSheet(sheet: SheetSize, photoWidth: number, photoHeight: number, options: SheetOptions): SheetLayout {
  const px = (mm: number): number => Math.round((mm / 25.4) * options.dpi);
  const gap = px(options.gapMm ?? DEFAULT_GAP_MM);
  const margin = px(options.marginMm ?? DEFAULT_MARGIN_MM);
  const [short, long] = [px(Math.min(sheet.widthMm, sheet.heightMm)), px(Math.max(sheet.widthMm, sheet.heightMm))];
  const candidates = (['portrait', 'landscape'] as const).map((orientation) => {
    const [width, height] = orientation === 'portrait' ? [short, long] : [long, short];
    const columns = fit(width - 2 * margin, photoWidth, gap);
    const rows = fit(height - 2 * margin, photoHeight, gap);
    return { orientation, width, height, columns, rows };
  });
  const chosen = options.orientation ? candidates.find((c) => c.orientation === options.orientation)! : candidates.reduce((best, c) => (c.columns * c.rows > best.columns * best.rows ? c : best));
  const { width, height, columns, rows, orientation } = chosen;
  const left = Math.round((width - (columns * photoWidth + (columns - 1) * gap)) / 2);
  const top = Math.round((height - (rows * photoHeight + (rows - 1) * gap)) / 2);
  const copies = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) copies.push({ x: left + c * (photoWidth + gap), y: top + r * (photoHeight + gap) });
  const edges = (start: number, count: number, size: number): number[] => Array.from({ length: count }, (_, i) => [start + i * (size + gap), start + i * (size + gap) + size]).flat();
  return { width, height, orientation, columns, rows, copies, cuts: { x: edges(left, columns, photoWidth), y: edges(top, rows, photoHeight) } };
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** A photo to lay out, in pixels at the sheet's dpi. */
export interface SheetPhotoSize {
  readonly width: number;
  readonly height: number;
  /** At most this many copies; by default as many as fit (shared fairly with the other photos). */
  readonly copies?: number;
}

/** One copy on the sheet: which photo (its index in the list given) and where. */
export interface PlacedCopy extends Rect {
  readonly photo: number;
}

export interface PhotoSheetLayout {
  readonly width: number;
  readonly height: number;
  readonly orientation: Orientation;
  /** Copies, each photo's together, in the order of the photos. */
  readonly placed: readonly PlacedCopy[];
  /** How many copies of each photo, in the order given. */
  readonly counts: readonly number[];
  /**
   * Cut lines, `lineWidth` px thick, just outside every copy edge, in the gaps and margins only: across
   * the paper above and below each row, and across each row's strip beside each copy.
   */
  readonly cutLines: readonly Rect[];
  readonly lineWidth: number;
}

export interface PhotoSheetOptions extends SheetOptions {
  /** Thickness of a cut line; by default 1 px at 300 dpi (a twelfth of a millimetre), more at higher dpi. */
  readonly lineWidth?: number;
}

/**
 * Shelves of one photo each, in the order given: each photo's copies in full rows, its last row partial;
 * undefined when they do not all fit. Positions are relative to the printable area's top-left corner.
 */
function shelves(sizes: readonly SheetPhotoSize[], counts: readonly number[], width: number, height: number, gap: number): PlacedCopy[] | undefined {
  const placed: PlacedCopy[] = [];
  let y = 0;
  for (const [photo, n] of counts.entries()) {
    const { width: w, height: h } = sizes[photo]!;
    const perRow = fit(width, w, gap);
    if (n > 0 && perRow === 0) return undefined;
    for (let done = 0; done < n; done += perRow, y += h + gap) {
      if (y + h > height) return undefined;
      for (let c = 0; c < Math.min(perRow, n - done); c++) placed.push({ photo, x: c * (w + gap), y, width: w, height: h });
    }
  }
  return placed;
}

/** Copies of several photos in shelves, each photo's copies together; counts grown one copy at a time, round robin, while they fit. */
function packMixed(photos: readonly SheetPhotoSize[], width: number, height: number, gap: number): { counts: number[]; placed: PlacedCopy[] } {
  const counts = photos.map(() => 0);
  let placed: PlacedCopy[] = [];
  for (let progress = true; progress;) {
    progress = false;
    for (let i = 0; i < photos.length; i++) {
      if (counts[i]! >= (photos[i]!.copies ?? Infinity)) continue;
      counts[i]!++;
      const trial = shelves(photos, counts, width, height, gap);
      if (trial) [placed, progress] = [trial, true];
      else counts[i]!--;
    }
  }
  return { counts, placed };
}

/**
 * Cut lines as a guillotine cutter works: across the whole paper just above and below every shelf (the
 * copies sharing a top edge), then, within each shelf's strip (to halfway into the gaps around it, or to
 * the paper's edge), just left and right of every copy. On a grid the strips' lines join into lines
 * across the paper. Lines are drawn outside the copies only.
 */
function cutLinesFor(placed: readonly PlacedCopy[], width: number, height: number, t: number): Rect[] {
  const lines = new Map<string, Rect>();
  const overlaps = (a0: number, a1: number, b0: number, b1: number): boolean => a0 < b1 && b0 < a1;
  const intersects = (a: Rect, b: Rect): boolean => overlaps(a.x, a.x + a.width, b.x, b.x + b.width) && overlaps(a.y, a.y + a.height, b.y, b.y + b.height);
  const add = (r: Rect): void => {
    const x0 = Math.max(0, r.x);
    const y0 = Math.max(0, r.y);
    const clipped = { x: x0, y: y0, width: Math.min(width, r.x + r.width) - x0, height: Math.min(height, r.y + r.height) - y0 };
    if (clipped.width <= 0 || clipped.height <= 0 || placed.some((c) => intersects(clipped, c))) return;
    lines.set(`${clipped.x},${clipped.y},${clipped.width},${clipped.height}`, clipped);
  };
  const tops = [...new Set(placed.map((c) => c.y))].sort((a, b) => a - b);
  const shelvesAt = tops.map((top) => {
    const copies = placed.filter((c) => c.y === top);
    return { top, bottom: Math.max(...copies.map((c) => c.y + c.height)), copies };
  });
  for (const [i, shelf] of shelvesAt.entries()) {
    const [above, below] = [shelvesAt[i - 1], shelvesAt[i + 1]];
    const stripTop = above ? Math.round((above.bottom + shelf.top) / 2) : 0;
    const stripBottom = below ? Math.round((shelf.bottom + below.top) / 2) : height;
    add({ x: 0, y: shelf.top - t, width, height: t });
    for (const c of shelf.copies) {
      add({ x: 0, y: c.y + c.height, width, height: t });
      add({ x: c.x - t, y: stripTop, width: t, height: stripBottom - stripTop });
      add({ x: c.x + c.width, y: stripTop, width: t, height: stripBottom - stripTop });
    }
  }
  return [...lines.values()];
}

/**
 * Lays out one photo repeated (the grid of `layoutSheet`, its first `copies` places when limited) or
 * several photos (several specs on one sheet: rows of one photo each, each photo's copies together, as
 * many of each as fit, shared one copy at a time in turn, `copies` limiting each), in the orientation that fits more copies (portrait on a tie) or the
 * one asked for; the block is centred on the paper.
 */
export function layoutPhotos(sheet: SheetSize, photos: readonly SheetPhotoSize[], options: PhotoSheetOptions): PhotoSheetLayout {
  const lineWidth = options.lineWidth ?? Math.max(1, Math.round(options.dpi / 300));
  for (const p of photos) {
    if (!(Number.isInteger(p.width) && Number.isInteger(p.height) && p.width > 0 && p.height > 0))
      throw new RangeError(`A photo on a sheet needs a positive whole size in pixels, got ${p.width}x${p.height}.`);
    if (p.copies !== undefined && !(Number.isInteger(p.copies) && p.copies >= 0)) throw new RangeError(`copies must be a whole number of 0 or more, got ${p.copies}.`);
  }
  if (photos.length === 1) {
    const only = photos[0]!;
    const grid = layoutSheet(sheet, only.width, only.height, options);
    const placed = grid.copies.slice(0, only.copies ?? Infinity).map((c) => ({ photo: 0, x: c.x, y: c.y, width: only.width, height: only.height }));
    return { width: grid.width, height: grid.height, orientation: grid.orientation, placed, counts: [placed.length], cutLines: cutLinesFor(placed, grid.width, grid.height, lineWidth), lineWidth };
  }
  const px = (mm: number): number => Math.round((mm / 25.4) * options.dpi);
  const gap = px(options.gapMm ?? DEFAULT_GAP_MM);
  const margin = px(options.marginMm ?? DEFAULT_MARGIN_MM);
  const [short, long] = [px(Math.min(sheet.widthMm, sheet.heightMm)), px(Math.max(sheet.widthMm, sheet.heightMm))];
  const candidates = (options.orientation ? [options.orientation] : (['portrait', 'landscape'] as const)).map((orientation) => {
    const [width, height] = orientation === 'portrait' ? [short, long] : [long, short];
    return { orientation, width, height, ...packMixed(photos, width - 2 * margin, height - 2 * margin, gap) };
  });
  const total = (c: { counts: number[] }): number => c.counts.reduce((a, b) => a + b, 0);
  const { orientation, width, height, counts, placed: packed } = candidates.reduce((best, c) => (total(c) > total(best) ? c : best));
  const right = Math.max(0, ...packed.map((c) => c.x + c.width));
  const bottom = Math.max(0, ...packed.map((c) => c.y + c.height));
  const dx = Math.round((width - right) / 2);
  const dy = Math.round((height - bottom) / 2);
  const placed = packed.map((c) => ({ ...c, x: c.x + dx, y: c.y + dy }));
  return { width, height, orientation, placed, counts, cutLines: cutLinesFor(placed, width, height, lineWidth), lineWidth };
}
