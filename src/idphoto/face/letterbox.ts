/**
 * Fits an RGB image into a square model input without distorting it (the image scaled to fit, centred,
 * the rest padded), written straight into a normalised NHWC float tensor.
 */

import { checkRgb, resampleRgb, type RgbImage } from '../rgb.js';

export type { RgbImage } from '../rgb.js';

/** Where the image landed in the model input: modelPx = imagePx * scale + pad, per axis. */
export interface LetterboxTransform {
  readonly size: number;
  readonly scaleX: number;
  readonly scaleY: number;
  readonly padX: number;
  readonly padY: number;
}

/** More samples per output pixel and axis did not steady the eye points on the portraits, and fewer did. */
const MAX_TAPS = 4;

/**
 * The image letterboxed into a size x size NHWC tensor with values (v / 127.5 - 1), the [-1, 1] range
 * MediaPipe feeds BlazeFace; the padding is black (-1), as MediaPipe's zero border gives.
 */
export function letterboxToTensor(image: RgbImage, size: number, out = new Float32Array(size * size * 3)): { tensor: Float32Array; transform: LetterboxTransform } {
  checkRgb(image);
  const { width, height } = image;
  const fit = size / Math.max(width, height);
  const w = Math.max(1, Math.min(size, Math.round(width * fit)));
  const h = Math.max(1, Math.min(size, Math.round(height * fit)));
  const padX = Math.floor((size - w) / 2);
  const padY = Math.floor((size - h) / 2);
  out.fill(-1);

  resampleRgb(image, w, h, MAX_TAPS, (y, line) => {
    const dst = ((padY + y) * size + padX) * 3;
    for (let x = 0; x < line.length; x++) out[dst + x] = line[x]! / 127.5 - 1;
  });
  return { tensor: out, transform: { size, scaleX: w / width, scaleY: h / height, padX, padY } };
}
