/**
 * 8-bit RGB images and their resampling into model inputs: pure TypeScript rather than sharp, which
 * only the file codecs load (src/idphoto/codec here, src/recognise/input for recognition): pixels
 * already decoded are resampled without a round trip through libvips.
 */

/** 8-bit RGB pixels, 3 bytes a pixel, rows top to bottom. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export function checkRgb(image: RgbImage): void {
  const { data, width, height } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || data.length < width * height * 3)
    throw new RangeError(`An RGB image of ${width}x${height} needs ${width * height * 3} bytes, got ${data.length}.`);
}

/** Source taps for each destination pixel along one axis: `taps` entries each, unused ones with weight 0. */
interface AxisTaps {
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

/**
 * Area averaging when shrinking; beyond `maxTaps` source pixels per output pixel, that many evenly
 * spread samples instead (a box filter still, at a bounded cost for a large photo); bilinear when enlarging.
 */
function axisTaps(src: number, dst: number, maxTaps: number): AxisTaps {
  const ratio = src / dst;
  const sampled = ratio > maxTaps;
  const taps = sampled ? maxTaps : ratio > 1 ? Math.ceil(ratio) + 1 : 2;
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
 * Resamples `image` to width x height, handing each output row (interleaved RGB, 0..255 as floats) to
 * `row`; the buffer is reused for the next row. Separable: a horizontal pass over only the source
 * rows a vertical tap reads, then the vertical pass.
 */
export function resampleRgb(image: RgbImage, width: number, height: number, maxTaps: number, row: (y: number, values: Float32Array) => void): void {
  checkRgb(image);
  const { data, width: sw, height: sh } = image;
  const xs = axisTaps(sw, width, maxTaps);
  const ys = axisTaps(sh, height, maxTaps);
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
  const line = new Float32Array(rowLength);
  for (let y = 0, k = 0; y < height; y++) {
    line.fill(0);
    for (let t = 0; t < ys.taps; t++, k++) {
      const wt = ys.weight[k]!;
      if (wt === 0) continue;
      const base = slot[ys.index[k]!]! * rowLength;
      for (let x = 0; x < rowLength; x++) line[x]! += rows[base + x]! * wt;
    }
    row(y, line);
  }
}
