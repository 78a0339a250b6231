/**
 * A print sheet as pixels: copies of one photo, or of several (several specs on one sheet), on white
 * paper at the photos' own dpi so each prints at its size, with optional cut lines in the gaps.
 */
import { QrwError } from '../../errors.js';
import { checkRgb, resampleRgb, type RgbImage } from '../rgb.js';
import { layoutPhotos, type Orientation, type PhotoSheetLayout, type SheetSize } from '../sheet.js';

export interface SheetPhoto {
  readonly rgb: RgbImage;
  /** At most this many copies; by default as many as fit (shared with the other photos). */
  readonly copies?: number;
  /** The photo's own dpi, when it differs from the sheet's: it is resampled to print at its size. */
  readonly dpi?: number;
}

export interface RenderSheetOptions {
  /** The sheet's pixels per inch: the photos' dpi, so that each prints at its own size. */
  readonly dpi: number;
  /** By default the orientation that fits more copies (portrait on a tie). */
  readonly orientation?: Orientation;
  readonly cutLines?: boolean;
  readonly gapMm?: number;
  readonly marginMm?: number;
}

export interface RenderedSheet {
  readonly rgb: RgbImage;
  readonly layout: PhotoSheetLayout;
}

/** Light grey: visible to the cutter, faint beside the photos. */
export const CUT_LINE_GREY = 200;

/** A sheet larger than this (A4 at about 760 dpi) is refused: it would take more memory than a photo is worth. */
export const MAX_SHEET_PIXELS = 50_000_000;

function atDpi(photo: SheetPhoto, dpi: number): RgbImage {
  checkRgb(photo.rgb);
  if (photo.dpi === undefined || photo.dpi === dpi) return photo.rgb;
  const { rgb } = photo;
  const width = Math.max(1, Math.round((rgb.width * dpi) / photo.dpi));
  const height = Math.max(1, Math.round((rgb.height * dpi) / photo.dpi));
  const data = new Uint8Array(width * height * 3);
  resampleRgb(rgb, width, height, 16, (y, values) => {
    const o = y * width * 3;
    for (let i = 0; i < values.length; i++) data[o + i] = Math.min(255, Math.max(0, Math.round(values[i]!)));
  });
  return { data, width, height };
}

/**
 * Renders the sheet: white paper, the copies (`layoutPhotos`: one photo in a grid, several in shelves),
 * and, when asked, cut lines 1 px wide at 300 dpi in light grey along every copy edge, in the gaps and
 * margins only. Throws QrwError INVALID_OPTION ('dpi') for a sheet of more than MAX_SHEET_PIXELS.
 */
export function renderSheet(photos: readonly SheetPhoto[], sheet: SheetSize, options: RenderSheetOptions): RenderedSheet {
  if (!(Number.isFinite(options.dpi) && options.dpi > 0)) throw new QrwError('INVALID_OPTION', `The sheet's dpi must be a positive number, not ${options.dpi}.`, { option: 'dpi' });
  const pixels = Math.round((sheet.widthMm / 25.4) * options.dpi) * Math.round((sheet.heightMm / 25.4) * options.dpi);
  if (pixels > MAX_SHEET_PIXELS) {
    throw new QrwError('INVALID_OPTION', `A ${sheet.name} sheet at ${options.dpi} dpi would have ${pixels} pixels, more than ${MAX_SHEET_PIXELS}; use a lower dpi.`, { option: 'dpi' });
  }
  const images = photos.map((p) => atDpi(p, options.dpi));
  const layout = layoutPhotos(
    sheet,
    images.map((rgb, i) => ({ width: rgb.width, height: rgb.height, ...(photos[i]!.copies !== undefined && { copies: photos[i]!.copies }) })),
    options,
  );
  const { width, height } = layout;
  const data = new Uint8Array(width * height * 3).fill(255);
  if (options.cutLines) {
    for (const line of layout.cutLines) {
      for (let y = line.y; y < line.y + line.height; y++) data.fill(CUT_LINE_GREY, (y * width + line.x) * 3, (y * width + line.x + line.width) * 3);
    }
  }
  for (const copy of layout.placed) {
    const src = images[copy.photo]!;
    const rowBytes = src.width * 3;
    for (let y = 0; y < src.height; y++) data.set(src.data.subarray(y * rowBytes, (y + 1) * rowBytes), ((copy.y + y) * width + copy.x) * 3);
  }
  return { rgb: { data, width, height }, layout };
}
