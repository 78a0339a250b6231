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

export const SHEETS: readonly SheetSize[] = [
  { id: '4x6in', name: '4x6 in', aliases: ['6-inch', '4r'], widthMm: 101.6, heightMm: 152.4 },
  { id: '3.5x5in', name: '3.5x5 in', aliases: ['5-inch', '3r'], widthMm: 88.9, heightMm: 127 },
  { id: '5x7in', name: '5x7 in', aliases: ['7-inch', '5r'], widthMm: 127, heightMm: 177.8 },
  { id: 'a4', name: 'A4', aliases: [], widthMm: 210, heightMm: 297 },
];

export function findSheet(name: string): SheetSize | undefined {
  const key = name.trim().toLowerCase();
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
const DEFAULT_GAP_MM = 2.5;
const DEFAULT_MARGIN_MM = 5;

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
