import { createImage, type Image } from './image.js';

/** Fills `row` (width * channels values) with input row `y`; called once per row, in increasing order. */
export type RowSource = (y: number, row: Float32Array) => void;
/** Receives the window means of output row `y`; the buffer is reused, so copy what must outlive the call. */
export type RowSink = (y: number, mean: Float32Array) => void;

/** Working memory of `boxFilterRows`, reusable across calls so callers filtering many small regions do not allocate each time. */
export interface BoxScratch {
  readonly ring: Float32Array;
  readonly colSum: Float64Array;
  readonly out: Float32Array;
}

/** Scratch for rows of up to `rowLength` values (width * channels) at the given radius. */
export function boxScratch(rowLength: number, radius: number): BoxScratch {
  return { ring: new Float32Array((2 * radius + 2) * rowLength), colSum: new Float64Array(rowLength), out: new Float32Array(rowLength) };
}

/**
 * Streaming box filter: the mean over a (2r+1)^2 window, clipped at the edges and divided by the true tap count, with
 * rows pulled from `source` and pushed to `sink` so callers can fuse per-pixel work without whole intermediate images.
 */
export function boxFilterRows(width: number, height: number, channels: number, radius: number, source: RowSource, sink: RowSink, scratch?: BoxScratch): void {
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`box radius must be a non-negative integer, got ${radius}`);
  const r = radius;
  const ch = channels;
  const len = width * ch;
  // Rows y-r .. y+r+1 are alive at once; the ring keeps each until its subtraction.
  const slots = Math.min(2 * r + 2, height);
  const mem = scratch && scratch.colSum.length >= len && scratch.ring.length >= slots * len ? scratch : boxScratch(len, r);
  const ring = Array.from({ length: slots }, (_, k) => mem.ring.subarray(k * len, (k + 1) * len));
  const colSum = mem.colSum;
  colSum.fill(0, 0, len);
  const out = mem.out.subarray(0, len);
  // The window count factorises into horizontal and vertical counts, so the column sums scale by both.
  const countY = (y: number): number => Math.min(y + r, height - 1) - Math.max(y - r, 0) + 1;
  const countX = (x: number): number => Math.min(x + r, width - 1) - Math.max(x - r, 0) + 1;
  // Columns whose window is clipped by neither edge (empty when the window is wider than the row).
  const midStart = Math.min(r + 1, width);
  const midEnd = Math.max(midStart, width - r - 1);

  for (let y = 0; y <= Math.min(r, height - 1); y++) {
    const row = ring[y % slots]!;
    source(y, row);
    for (let i = 0; i < len; i++) colSum[i]! += row[i]!;
  }

  for (let y = 0; y < height; y++) {
    const iy = 1 / countY(y);
    // Horizontal running sum of the column sums, one channel at a time so the sum stays in a register.
    for (let c = 0; c < ch; c++) {
      let sum = 0;
      for (let x = 0, e = Math.min(r, width - 1); x <= e; x++) sum += colSum[x * ch + c]!;
      let x = 0;
      for (; x < midStart; x++) {
        out[x * ch + c] = (sum * iy) / countX(x);
        if (x + r + 1 < width) sum += colSum[(x + r + 1) * ch + c]!;
      }
      // Interior: full windows, so a constant scale and no edge tests.
      const scale = iy / (2 * r + 1);
      for (let i = x * ch + c, a = (x + r + 1) * ch + c, s = (x - r - 1) * ch + c; x < midEnd; x++, i += ch, a += ch, s += ch) {
        sum -= colSum[s]!;
        out[i] = sum * scale;
        sum += colSum[a]!;
      }
      for (; x < width; x++) {
        if (x - r - 1 >= 0) sum -= colSum[(x - r - 1) * ch + c]!;
        out[x * ch + c] = (sum * iy) / countX(x);
        if (x + r + 1 < width) sum += colSum[(x + r + 1) * ch + c]!;
      }
    }
    sink(y, out);

    const add = y + r + 1;
    const rem = y - r;
    if (add < height && rem >= 0) {
      const inRow = ring[add % slots]!;
      const outRow = ring[rem % slots]!;
      source(add, inRow);
      for (let i = 0; i < len; i++) colSum[i]! += inRow[i]! - outRow[i]!;
    } else if (add < height) {
      const inRow = ring[add % slots]!;
      source(add, inRow);
      for (let i = 0; i < len; i++) colSum[i]! += inRow[i]!;
    } else if (rem >= 0) {
      const outRow = ring[rem % slots]!;
      for (let i = 0; i < len; i++) colSum[i]! -= outRow[i]!;
    }
  }
}

/** The mean of every channel over a (2r+1)^2 window (clipped at the edges), as a new image. */
export function boxFilter(image: Image, radius: number): Image {
  const { width, height, channels, data } = image;
  const result = createImage(width, height, channels);
  const len = width * channels;
  boxFilterRows(
    width,
    height,
    channels,
    radius,
    (y, row) => row.set(data.subarray(y * len, (y + 1) * len)),
    (y, mean) => result.data.set(mean, y * len),
  );
  return result;
}
