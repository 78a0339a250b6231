/**
 * What every matting engine gives: a coarse alpha matte of the person at the engine's own working
 * resolution, which the refinement (src/idphoto/matte/guided-filter.ts) brings to the photo's size
 * with the photo as guide.
 */

import type { RgbImage } from '../rgb.js';

export type { RgbImage } from '../rgb.js';

/**
 * Alpha in 0..1 (1 = the person), row-major, at the engine's working resolution. It covers the whole
 * photo, stretched: matte pixel (x, y) is photo pixel (x * photoWidth / width, y * photoHeight / height).
 * `channels` is 1, so it is a matte/ `Image` as it stands.
 */
export interface Matte {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1;
}

export interface MattingEngine {
  /** Which model this is (for logs, reports and the choice of refinement). */
  readonly name: string;
  /** The coarse matte of the person in an RGB photo. */
  matte(rgb: RgbImage): Promise<Matte>;
  /** Frees the model and whatever runtime memory it holds; the engine is unusable afterwards. */
  release(): Promise<void>;
}
