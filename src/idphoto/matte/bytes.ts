import { createImage, type Image } from './image.js';

/** The shape of a raw 8-bit buffer, as sharp's `raw().toBuffer({ resolveWithObject: true })` reports it in `info`. */
export interface RawShape {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

const TO_FLOAT = Float32Array.from({ length: 256 }, (_, i) => i / 255);

/**
 * 8-bit interleaved samples (any channel count) to a float image in 0..1, left sRGB-encoded because matting, foreground
 * estimation and compositing all work on encoded values (see composite.ts).
 */
export function fromBytes(bytes: Uint8Array, shape: RawShape): Image {
  const image = createImage(shape.width, shape.height, shape.channels);
  if (bytes.length !== image.data.length) throw new RangeError(`expected ${image.data.length} bytes for ${shape.width}x${shape.height}x${shape.channels}, got ${bytes.length}`);
  const d = image.data;
  for (let i = 0; i < d.length; i++) d[i] = TO_FLOAT[bytes[i]!]!;
  return image;
}

/** A float image back to 8-bit samples, clamped to 0..1 and rounded to nearest (ready for sharp's `raw` input). */
export function toBytes(image: Image): Uint8Array {
  const d = image.data;
  const out = new Uint8Array(d.length);
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    out[i] = v <= 0 ? 0 : v >= 1 ? 255 : (v * 255 + 0.5) | 0;
  }
  return out;
}
