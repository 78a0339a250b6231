import { createImage, type Image } from './image.js';

/** For each destination index, the two source indices and the weight of the second (pixel-centre aligned). */
export interface BilinearTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w1: Float32Array;
}

/** Taps for sampling a source of `srcLen` at destination index d mapped to source position (d + 0.5) * scale - 0.5. */
export function bilinearTaps(dstLen: number, srcLen: number, scale: number): BilinearTaps {
  const i0 = new Int32Array(dstLen);
  const i1 = new Int32Array(dstLen);
  const w1 = new Float32Array(dstLen);
  for (let d = 0; d < dstLen; d++) {
    const pos = Math.min(Math.max((d + 0.5) * scale - 0.5, 0), srcLen - 1);
    const lo = Math.floor(pos);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, srcLen - 1);
    w1[d] = pos - lo;
  }
  return { i0, i1, w1 };
}

/**
 * Interpolates source rows i0[y] and i1[y] into `out` (one row of width * channels), the vertical half of a bilinear
 * sample.
 */
export function lerpRows(src: Float32Array, len: number, taps: BilinearTaps, y: number, out: Float32Array): void {
  const a = taps.i0[y]! * len;
  const b = taps.i1[y]! * len;
  const t = taps.w1[y]!;
  for (let i = 0; i < len; i++) {
    const v0 = src[a + i]!;
    out[i] = v0 + (src[b + i]! - v0) * t;
  }
}

/**
 * Bilinear sampling of `image` at destination pixel d mapped to source position (d + 0.5) * scale - 0.5 on each axis.
 */
export function resample(image: Image, width: number, height: number, scaleX: number, scaleY: number): Image {
  const { channels: ch, data } = image;
  const out = createImage(width, height, ch);
  const tx = bilinearTaps(width, image.width, scaleX);
  const ty = bilinearTaps(height, image.height, scaleY);
  const row = new Float32Array(image.width * ch);
  for (let y = 0; y < height; y++) {
    lerpRows(data, image.width * ch, ty, y, row);
    let o = y * width * ch;
    for (let x = 0; x < width; x++) {
      const a = tx.i0[x]! * ch;
      const b = tx.i1[x]! * ch;
      const t = tx.w1[x]!;
      for (let c = 0; c < ch; c++) {
        const v0 = row[a + c]!;
        out.data[o++] = v0 + (row[b + c]! - v0) * t;
      }
    }
  }
  return out;
}

/** Bilinear resize to any size, pixel centres aligned (the coarse matte of a model to the photo's size). */
export function resizeBilinear(image: Image, width: number, height: number): Image {
  return resample(image, width, height, image.width / width, image.height / height);
}

/** Size of the grid `downsampleArea` produces for a length and factor. */
export function reducedLength(length: number, factor: number): number {
  return Math.ceil(length / factor);
}

/**
 * Mean over factor x factor blocks (the last block of a row or column may be partial and is averaged over its true
 * size).
 */
export function downsampleArea(image: Image, factor: number): Image {
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError(`downsample factor must be a positive integer, got ${factor}`);
  const { width, height, channels: ch, data } = image;
  const w = reducedLength(width, factor);
  const h = reducedLength(height, factor);
  const out = createImage(w, h, ch);
  const acc = new Float64Array(w * ch);
  const rowLen = width * ch;
  for (let ly = 0; ly < h; ly++) {
    acc.fill(0);
    const yEnd = Math.min(height, (ly + 1) * factor);
    for (let y = ly * factor; y < yEnd; y++) {
      for (let lx = 0; lx < w; lx++) {
        const start = y * rowLen + lx * factor * ch;
        const end = y * rowLen + Math.min(width, (lx + 1) * factor) * ch;
        for (let c = 0; c < ch; c++) {
          // One channel of one block row summed in a local, strided by the channel count.
          let sum = 0;
          for (let i = start + c; i < end; i += ch) sum += data[i]!;
          acc[lx * ch + c]! += sum;
        }
      }
    }
    const ny = yEnd - ly * factor;
    for (let lx = 0, o = 0; lx < w; lx++) {
      const inv = 1 / (ny * Math.min(factor, width - lx * factor));
      for (let c = 0; c < ch; c++, o++) out.data[ly * w * ch + o] = acc[o]! * inv;
    }
  }
  return out;
}

/** Bilinear taps from the `downsampleArea` grid of `factor` back to the full-resolution length. */
export function upsampleTaps(fullLen: number, factor: number): BilinearTaps {
  return bilinearTaps(fullLen, reducedLength(fullLen, factor), 1 / factor);
}

/** Inverse of `downsampleArea`'s grid: bilinear upsampling by `factor` to an exact full-resolution size. */
export function upsampleBilinear(image: Image, factor: number, width: number, height: number): Image {
  return resample(image, width, height, 1 / factor, 1 / factor);
}

/** A one-channel image's value at (x, y) in pixel coordinates (pixel centres at +0.5), bilinear, clamped at the edges. */
export function sampleBilinear(image: Image, x: number, y: number): number {
  const { width, height, data } = image;
  const fx = Math.min(Math.max(x - 0.5, 0), width - 1);
  const fy = Math.min(Math.max(y - 0.5, 0), height - 1);
  const x0 = Math.floor(fx);
  const y0 = Math.floor(fy);
  const x1 = Math.min(x0 + 1, width - 1);
  const y1 = Math.min(y0 + 1, height - 1);
  const tx = fx - x0;
  const ty = fy - y0;
  return (data[y0 * width + x0]! * (1 - tx) + data[y0 * width + x1]! * tx) * (1 - ty) + (data[y1 * width + x0]! * (1 - tx) + data[y1 * width + x1]! * tx) * ty;
}
