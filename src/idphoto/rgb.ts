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

/**
 * Adds the bilinear sample of `image` at (x, y) to `sum` (r, g, b, 0..255), in pixel coordinates whose pixel
 * centres sit at +0.5; outside the image the edge pixels repeat. Shared by the photo's warp and the face mesh's crop.
 */
export function addBilinearRgb(image: RgbImage, x: number, y: number, sum: Float64Array): void {
  const { data, width, height } = image;
  const fx = x < 0.5 ? 0 : x - 0.5 > width - 1 ? width - 1 : x - 0.5;
  const fy = y < 0.5 ? 0 : y - 0.5 > height - 1 ? height - 1 : y - 0.5;
  const x0 = fx | 0;
  const y0 = fy | 0;
  const x1 = x0 + 1 < width ? x0 + 1 : x0;
  const y1 = y0 + 1 < height ? y0 + 1 : y0;
  const tx = fx - x0;
  const ty = fy - y0;
  const w00 = (1 - tx) * (1 - ty);
  const w01 = tx * (1 - ty);
  const w10 = (1 - tx) * ty;
  const w11 = tx * ty;
  const p00 = (y0 * width + x0) * 3;
  const p01 = (y0 * width + x1) * 3;
  const p10 = (y1 * width + x0) * 3;
  const p11 = (y1 * width + x1) * 3;
  sum[0]! += data[p00]! * w00 + data[p01]! * w01 + data[p10]! * w10 + data[p11]! * w11;
  sum[1]! += data[p00 + 1]! * w00 + data[p01 + 1]! * w01 + data[p10 + 1]! * w10 + data[p11 + 1]! * w11;
  sum[2]! += data[p00 + 2]! * w00 + data[p01 + 2]! * w01 + data[p10 + 2]! * w10 + data[p11 + 2]! * w11;
}
