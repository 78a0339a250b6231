import { decontaminateEdges } from './edge-colours.js';
import { blurFusion, DEFAULT_BLUR_FUSION_OPTIONS, type BlurFusionOptions } from './foreground-blur-fusion.js';
import { DEFAULT_MULTILEVEL_OPTIONS, multilevelForeground, type MultilevelOptions } from './foreground-multilevel.js';
import { DEFAULT_REFINE_OPTIONS } from './guided-filter.js';
import { assertShape, type Image } from './image.js';

export type ForegroundMethod = 'blur-fusion' | 'multilevel';

export interface ForegroundOptions {
  /** Blur-fusion (the default) is the cheaper; multilevel is the pymatting reference method. */
  readonly method?: ForegroundMethod;
  readonly blurFusion?: Partial<BlurFusionOptions>;
  readonly multilevel?: Partial<MultilevelOptions>;
  /** The refinement's window radius, which sets how wide a ring of the matte's edge is decontaminated (`decontaminateEdges`); 0 leaves the estimate as it is. */
  readonly edgeRadius?: number;
}

/**
 * Foreground colours F such that image = alpha F + (1 - alpha) B, so that the old background does not show through
 * semi-transparent hair once F is composited over a new one, with the matte's edge decontaminated; F is meaningless
 * (but finite) where alpha is 0.
 */
export function estimateForeground(image: Image, alpha: Image, options: ForegroundOptions = {}): Image {
  assertShape(image, image.width, image.height, 3, 'image');
  assertShape(alpha, image.width, image.height, 1, 'alpha');
  const estimate = solveForeground(image, alpha, options);
  const edgeRadius = options.edgeRadius ?? DEFAULT_REFINE_OPTIONS.radius;
  return edgeRadius === 0 ? estimate : decontaminateEdges(estimate, alpha, { radius: edgeRadius });
}

function solveForeground(image: Image, alpha: Image, options: ForegroundOptions): Image {
  const method = options.method ?? 'blur-fusion';
  switch (method) {
    case 'blur-fusion':
      return blurFusion(image, alpha, { ...DEFAULT_BLUR_FUSION_OPTIONS, ...options.blurFusion });
    case 'multilevel':
      return multilevelForeground(image, alpha, { ...DEFAULT_MULTILEVEL_OPTIONS, ...options.multilevel });
    default:
      throw new RangeError(`unknown foreground method ${String(method satisfies never)}`);
  }
}
