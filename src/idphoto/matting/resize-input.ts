import type { RgbImage } from './engine.js';

/** Source taps for each destination pixel along one axis: `taps` entries each, unused ones with weight 0. */
interface AxisTaps {
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

/** Beyond this many source pixels per output pixel, that many evenly spread samples stand in for the area average. */
const MAX_TAPS = 8;

/**
 * Area averaging when shrinking (a bounded number of evenly spread samples when shrinking a lot),
 * bilinear when enlarging.
 */
function axisTaps(src: number, dst: number): AxisTaps {
  const ratio = src / dst;
  const sampled = ratio > MAX_TAPS;
  const taps = sampled ? MAX_TAPS : ratio > 1 ? Math.ceil(ratio) + 1 : 2;
  const index = new Int32Array(dst * taps);
  const weight = new Float32Array(dst * taps);
  for (let i = 0; i < dst; i++) {
    const o = i * taps;
    if (sampled) {
      for (let k = 0; k < taps; k++) {
        index[o + k] = Math.min(src - 1, Math.floor((i + (k + 0.5) / taps) * ratio));
        weight[o + k] = 1 / taps;
      }
    } else if (ratio > 1) {
      const a = i * ratio;
      const b = Math.min(src, a + ratio);
      let k = 0;
      for (let j = Math.floor(a); j < b && k < taps; j++, k++) {
        index[o + k] = j;
        weight[o + k] = (Math.min(j + 1, b) - Math.max(j, a)) / ratio;
      }
    } else {
      const c = Math.min(Math.max((i + 0.5) * ratio - 0.5, 0), src - 1);
      const j = Math.floor(c);
      index[o] = j;
      weight[o] = 1 - (c - j);
      index[o + 1] = Math.min(j + 1, src - 1);
      weight[o + 1] = c - j;
    }
  }
  return { taps, index, weight };
}

/**
 * The whole image stretched to width x height (no letterbox: the matte maps back by scaling alone), as
 * an NHWC float tensor with values v / 255 in 0..1.
 */
export function resizeToTensor(image: RgbImage, width: number, height: number, out = new Float32Array(width * height * 3)): Float32Array {
  const { data, width: sw, height: sh } = image;
  if (!(Number.isInteger(sw) && Number.isInteger(sh) && sw > 0 && sh > 0) || data.length < sw * sh * 3)
    throw new RangeError(`An RGB image of ${sw}x${sh} needs ${sw * sh * 3} bytes, got ${data.length}.`);
  if (out.length !== width * height * 3) throw new RangeError(`The output holds ${out.length} values, not ${width * height * 3}.`);
  const xs = axisTaps(sw, width);
  const ys = axisTaps(sh, height);
  // Only the source rows that a vertical tap reads get the horizontal pass.
  const slot = new Int32Array(sh).fill(-1);
  let used = 0;
  for (let k = 0; k < ys.index.length; k++) {
    const j = ys.index[k]!;
    if (ys.weight[k] !== 0 && slot[j] === -1) slot[j] = used++;
  }
  const rowLength = width * 3;
  const rows = new Float32Array(used * rowLength);
  for (let y = 0; y < sh; y++) {
    if (slot[y] === -1) continue;
    const src = y * sw * 3;
    let dst = slot[y]! * rowLength;
    for (let x = 0, k = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = 0; t < xs.taps; t++, k++) {
        const p = src + xs.index[k]! * 3;
        const wt = xs.weight[k]!;
        r += data[p]! * wt;
        g += data[p + 1]! * wt;
        b += data[p + 2]! * wt;
      }
      rows[dst++] = r;
      rows[dst++] = g;
      rows[dst++] = b;
    }
  }
  out.fill(0);
  for (let y = 0, k = 0; y < height; y++) {
    const dst = y * rowLength;
    for (let t = 0; t < ys.taps; t++, k++) {
      const wt = ys.weight[k]!;
      if (wt === 0) continue;
      const base = slot[ys.index[k]!]! * rowLength;
      for (let x = 0; x < rowLength; x++) out[dst + x]! += rows[base + x]! * wt;
    }
    for (let x = 0; x < rowLength; x++) out[dst + x] = out[dst + x]! / 255;
  }
  return out;
}
