/**
 * Fits an RGB image into a square model input without distorting it (the image scaled to fit, centred,
 * the rest padded), written straight into a normalised NHWC float tensor. Pure TypeScript rather than
 * sharp, which only src/recognise/input may load, and which would add a thread pool to each worker.
 */

/** 8-bit RGB pixels, 3 bytes a pixel, rows top to bottom. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** Where the image landed in the model input: modelPx = imagePx * scale + pad, per axis. */
export interface LetterboxTransform {
  readonly size: number;
  readonly scaleX: number;
  readonly scaleY: number;
  readonly padX: number;
  readonly padY: number;
}

/** Source taps for each destination pixel along one axis: `taps` entries each, unused ones with weight 0. */
interface AxisTaps {
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

/** More samples per output pixel and axis did not steady the eye points on the portraits, and fewer did. */
const MAX_TAPS = 4;

/**
 * Area averaging when shrinking a little; beyond MAX_TAPS source pixels per output pixel, that many
 * evenly spread samples instead (a box filter still, at a bounded cost for a large photo); bilinear
 * when enlarging a small image.
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
 * The image letterboxed into a size x size NHWC tensor with values (v / 127.5 - 1), the [-1, 1] range
 * MediaPipe feeds BlazeFace; the padding is black (-1), as MediaPipe's zero border gives.
 */
export function letterboxToTensor(image: RgbImage, size: number, out = new Float32Array(size * size * 3)): { tensor: Float32Array; transform: LetterboxTransform } {
  const { data, width, height } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || data.length < width * height * 3)
    throw new RangeError(`An RGB image of ${width}x${height} needs ${width * height * 3} bytes, got ${data.length}.`);
  const fit = size / Math.max(width, height);
  const w = Math.max(1, Math.min(size, Math.round(width * fit)));
  const h = Math.max(1, Math.min(size, Math.round(height * fit)));
  const padX = Math.floor((size - w) / 2);
  const padY = Math.floor((size - h) / 2);
  out.fill(-1);

  // A horizontal pass over the source rows that the vertical taps read, into w columns, then the vertical pass into h rows.
  const xs = axisTaps(width, w);
  const ys = axisTaps(height, h);
  const slot = new Int32Array(height).fill(-1);
  let used = 0;
  for (const j of ys.index) if (slot[j] === -1) slot[j] = used++;
  const xOffset = xs.index.map((j) => j * 3);
  const xWeight = xs.weight;
  const xTaps = xs.taps;
  const rowLength = w * 3;
  const rows = new Float32Array(used * rowLength);
  for (let y = 0; y < height; y++) {
    if (slot[y] === -1) continue;
    const src = y * width * 3;
    let dst = slot[y]! * rowLength;
    for (let x = 0, k = 0; x < w; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let t = 0; t < xTaps; t++, k++) {
        const p = src + xOffset[k]!;
        const wt = xWeight[k]!;
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
  for (let y = 0, k = 0; y < h; y++) {
    line.fill(0);
    for (let t = 0; t < ys.taps; t++, k++) {
      const wt = ys.weight[k]!;
      if (wt === 0) continue;
      const base = slot[ys.index[k]!]! * rowLength;
      for (let x = 0; x < rowLength; x++) line[x]! += rows[base + x]! * wt;
    }
    const dst = ((padY + y) * size + padX) * 3;
    for (let x = 0; x < rowLength; x++) out[dst + x] = line[x]! / 127.5 - 1;
  }
  return { tensor: out, transform: { size, scaleX: w / width, scaleY: h / height, padX, padY } };
}
