import { boxFilter } from './box.js';
import { assertShape, createImage, type Image } from './image.js';
import { deltaE76, imageToLab } from './lab.js';

export interface HaloBandOptions {
  /** Alpha strictly above this and below `high` is the soft band. */
  readonly low: number;
  readonly high: number;
  /** The band is dilated by this many pixels (a square window) to catch halos just outside the soft region. */
  readonly dilate: number;
}

export const DEFAULT_HALO_BAND: HaloBandOptions = { low: 0.02, high: 0.98, dilate: 3 };

/** 1 where a pixel is in the soft band of the matte, dilated; 0 elsewhere. */
export function haloBand(alpha: Image, options: HaloBandOptions = DEFAULT_HALO_BAND): Uint8Array {
  const soft = createImage(alpha.width, alpha.height, 1);
  for (let i = 0; i < alpha.data.length; i++) {
    const a = alpha.data[i]!;
    soft.data[i] = a > options.low && a < options.high ? 1 : 0;
  }
  // A window holding a soft pixel has a mean of at least 1 / taps: a square dilation in O(pixels).
  const taps = (2 * options.dilate + 1) ** 2;
  const near = options.dilate > 0 ? boxFilter(soft, options.dilate).data : soft.data;
  return Uint8Array.from(near, (v) => (v * taps > 0.5 ? 1 : 0));
}

/**
 * Mean pairwise CIE76 difference over the matte's dilated soft band between outputs of one pipeline run on the same
 * cut-out over different source backgrounds, which a perfect pipeline makes identical, so it needs no ground truth.
 */
export function haloScore(outputs: readonly Image[], alpha: Image, options: Partial<HaloBandOptions> = {}): number {
  if (outputs.length < 2) throw new RangeError('the halo score compares at least two outputs');
  const { width, height } = alpha;
  for (const [i, o] of outputs.entries()) assertShape(o, width, height, 3, `output ${i}`);
  const band = haloBand(alpha, { ...DEFAULT_HALO_BAND, ...options });
  const labs = outputs.map((o) => imageToLab(o).data);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < band.length; i++) {
    if (band[i] === 0) continue;
    const k = i * 3;
    for (let p = 0; p < labs.length; p++) {
      const a = labs[p]!;
      for (let q = p + 1; q < labs.length; q++) {
        const b = labs[q]!;
        sum += deltaE76(a[k]!, a[k + 1]!, a[k + 2]!, b[k]!, b[k + 1]!, b[k + 2]!);
        count++;
      }
    }
  }
  return count === 0 ? 0 : sum / count;
}
