/** A float image: row-major, interleaved channels, values nominally in 0..1 (sRGB-encoded for colour). */
export interface Image {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

/** An RGB colour with components in 0..1 (sRGB-encoded). */
export type Rgb = readonly [number, number, number];

export function createImage(width: number, height: number, channels: number): Image {
  if (!Number.isInteger(width) || !Number.isInteger(height) || !Number.isInteger(channels) || width < 1 || height < 1 || channels < 1) {
    throw new RangeError(`invalid image shape ${width}x${height}x${channels}`);
  }
  return { data: new Float32Array(width * height * channels), width, height, channels };
}

/** Throws unless the image has the given size (and channel count, when given); `what` names it in the message. */
export function assertShape(image: Image, width: number, height: number, channels: number | undefined, what: string): void {
  if (image.width !== width || image.height !== height || (channels !== undefined && image.channels !== channels)) {
    const want = channels === undefined ? `${width}x${height}` : `${width}x${height}x${channels}`;
    throw new RangeError(`${what} is ${image.width}x${image.height}x${image.channels}, expected ${want}`);
  }
  if (image.data.length !== width * height * image.channels) {
    throw new RangeError(`${what} has ${image.data.length} values for ${image.width}x${image.height}x${image.channels}`);
  }
}
