import { resampleRgb, type RgbImage } from '../rgb.js';

/** Beyond this many source pixels per output pixel, that many evenly spread samples stand in for the area average. */
const MAX_TAPS = 8;

/**
 * The whole image stretched to width x height (no letterbox: the matte maps back by scaling alone), as
 * an NHWC float tensor with values v / 255 in 0..1.
 */
export function resizeToTensor(image: RgbImage, width: number, height: number, out = new Float32Array(width * height * 3)): Float32Array {
  if (out.length !== width * height * 3) throw new RangeError(`The output holds ${out.length} values, not ${width * height * 3}.`);
  resampleRgb(image, width, height, MAX_TAPS, (y, line) => {
    const dst = y * line.length;
    for (let x = 0; x < line.length; x++) out[dst + x] = line[x]! / 255;
  });
  return out;
}
