import type { Luminance } from '../luminance.js';

/**
 * Divides the picture by an estimate of the light falling on it, so a code half
 * in a hard shadow (or under a steep gradient) comes out as one even black on
 * white. The estimate is a grey-level closing (a maximum then a minimum over a
 * square window of 2r+1 pixels): it fills every dark feature narrower than the
 * window, the modules, and keeps a straight shadow edge where it is, which a
 * local-average threshold smears over several modules.
 */
export function flattenIllumination(lum: Luminance, radius: number): Luminance {
  const { width: w, height: h, data } = lum;
  // Minima are taken as maxima of the negative (255 - v), so one running-maximum routine does all four passes.
  const rows = new Uint8Array(data);
  runningMax(rows, w, h, radius);
  const columns = transpose(rows, w, h);
  runningMax(columns, h, w, radius); // the maximum over the square
  for (let i = 0; i < columns.length; i++) columns[i] = 255 - columns[i]!;
  runningMax(columns, h, w, radius);
  const negative = transpose(columns, h, w);
  runningMax(negative, w, h, radius); // 255 - the closing
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) {
    const v = (data[i]! * GAIN[negative[i]!]! + 128) >> 8;
    out[i] = v > 255 ? 255 : v;
  }
  return { data: out, width: w, height: h };
}

/**
 * 255 / light level in 8.8 fixed point, indexed by 255 - the level (what the passes leave). The level
 * is floored at 16: in a black background the ratio would only amplify noise.
 */
const GAIN = Uint16Array.from({ length: 256 }, (_, negative) => Math.round((256 * 255) / Math.max(16, 255 - negative)));

/**
 * In place, each row's running maximum over 2r+1 pixels centred on each pixel
 * (pixels beyond the row count as 0): van Herk / Gil-Werman, three comparisons
 * a pixel whatever the radius.
 */
function runningMax(image: Uint8Array, w: number, h: number, r: number): void {
  const span = 2 * r + 1;
  const n = w + 2 * r;
  const padded = new Uint8Array(n);
  // Within each block of `span` pixels: the maximum from the block's start (forward) and to its end (backward).
  const forward = new Uint8Array(n);
  const backward = new Uint8Array(n);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    padded.set(image.subarray(row, row + w), r);
    for (let start = 0; start < n; start += span) {
      const end = Math.min(n, start + span);
      let acc = 0;
      for (let i = start; i < end; i++) {
        const v = padded[i]!;
        if (v > acc) acc = v;
        forward[i] = acc;
      }
      acc = 0;
      for (let i = end - 1; i >= start; i--) {
        const v = padded[i]!;
        if (v > acc) acc = v;
        backward[i] = acc;
      }
    }
    // Padded positions x .. x + 2r are the window centred on pixel x.
    for (let x = 0; x < w; x++) {
      const a = backward[x]!;
      const b = forward[x + 2 * r]!;
      image[row + x] = a > b ? a : b;
    }
  }
}

function transpose(image: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[x * h + y] = image[y * w + x]!;
  return out;
}
