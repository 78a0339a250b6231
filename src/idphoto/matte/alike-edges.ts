/**
 * Where the colours on the two sides of a matte's soft edge are alike (dark hair on a dark background), the photo
 * cannot place the edge and the guided filter leaves the coarse matte's blur: a dark glow its width once the person
 * is put on a light colour. There the edge is steepened around alpha 0.5, in proportion to how alike the two sides
 * are; where they differ (blonde hair on white) the soft matte is the photo's own evidence and stays.
 */
import { boxFilter } from './box.js';
import { assertShape, createImage, type Image } from './image.js';
import { downsampleArea, upsampleBilinear } from './resize.js';

export interface AlikeEdgeOptions {
  /** Radius of the window whose alpha-weighted mean colours stand for the two sides, in pixels of the image. */
  readonly radius: number;
  /** The steepened edge is this many times steeper than the matte's own around 0.5 (1: unchanged). */
  readonly slope: number;
  /** Squared colour distance (summed over channels, intensities 0..1) at which the sides count as 1/e alike. */
  readonly alike: number;
  /** The side colours are measured on a grid this many times coarser (they vary slowly), then upsampled. */
  readonly subsample: number;
}

/** slope 8 brings the refined selfie edge (~16 px) to about 2 px; alike 0.1 is a difference of ~0.18 a channel. */
export const DEFAULT_ALIKE_EDGES: Omit<AlikeEdgeOptions, 'radius'> = { slope: 8, alike: 0.1, subsample: 4 };

/** Windows with less than this weight of either side hold no edge to judge. */
const MIN_SIDE_WEIGHT = 1e-3;

/** For each pixel, how alike the mean colours of the matte's two sides are around it: exp(-distance² / alike), 0 where a side is absent. */
function alikeness(image: Image, alpha: Image, options: AlikeEdgeOptions): Image {
  const s = Math.max(1, Math.min(options.subsample, options.radius));
  const small = s > 1 ? downsampleArea(image, s) : image;
  const smallAlpha = s > 1 ? downsampleArea(alpha, s) : alpha;
  const { width, height } = small;
  // Per pixel: alpha * colour (3), alpha, (1 - alpha) * colour (3), 1 - alpha.
  const sides = createImage(width, height, 8);
  for (let i = 0, o = 0; i < width * height; i++, o += 8) {
    const a = smallAlpha.data[i]!;
    for (let c = 0; c < 3; c++) {
      const v = small.data[i * 3 + c]!;
      sides.data[o + c] = a * v;
      sides.data[o + 4 + c] = (1 - a) * v;
    }
    sides.data[o + 3] = a;
    sides.data[o + 7] = 1 - a;
  }
  const mean = boxFilter(sides, Math.max(1, Math.round(options.radius / s))).data;
  const weight = createImage(width, height, 1);
  for (let i = 0, o = 0; i < width * height; i++, o += 8) {
    const inside = mean[o + 3]!;
    const outside = mean[o + 7]!;
    if (inside < MIN_SIDE_WEIGHT || outside < MIN_SIDE_WEIGHT) continue;
    let distance = 0;
    for (let c = 0; c < 3; c++) {
      const d = mean[o + c]! / inside - mean[o + 4 + c]! / outside;
      distance += d * d;
    }
    weight.data[i] = Math.exp(-distance / options.alike);
  }
  return s > 1 ? upsampleBilinear(weight, s, image.width, image.height) : weight;
}

/** `alpha` (0..1, the refined matte of `image`) with its soft edge steepened where the two sides' colours are alike. */
export function steepenAlikeEdges(image: Image, alpha: Image, options: AlikeEdgeOptions): Image {
  const { width, height } = alpha;
  assertShape(image, width, height, 3, 'image');
  assertShape(alpha, width, height, 1, 'alpha');
  if (!(options.radius >= 1 && Number.isInteger(options.radius))) throw new RangeError(`radius must be a positive integer, got ${options.radius}`);
  if (!(options.slope >= 1)) throw new RangeError(`slope must be at least 1, got ${options.slope}`);
  if (!(options.alike > 0)) throw new RangeError(`alike must be positive, got ${options.alike}`);
  if (!(Number.isInteger(options.subsample) && options.subsample >= 1)) throw new RangeError(`subsample must be a positive integer, got ${options.subsample}`);
  const alike = alikeness(image, alpha, options).data;
  const out = createImage(width, height, 1);
  for (let i = 0; i < alpha.data.length; i++) {
    const a = alpha.data[i]!;
    const w = alike[i]!;
    if (a <= 0 || a >= 1 || w === 0) {
      out.data[i] = a;
      continue;
    }
    const steep = Math.min(1, Math.max(0, (a - 0.5) * options.slope + 0.5));
    out.data[i] = w * steep + (1 - w) * a;
  }
  return out;
}
