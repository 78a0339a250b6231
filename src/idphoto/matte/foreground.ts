import { blurFusion, DEFAULT_BLUR_FUSION_OPTIONS, type BlurFusionOptions } from './foreground-blur-fusion.js';
import { DEFAULT_MULTILEVEL_OPTIONS, multilevelForeground, type MultilevelOptions } from './foreground-multilevel.js';
import { assertShape, type Image } from './image.js';

export type ForegroundMethod = 'blur-fusion' | 'multilevel';

export interface ForegroundOptions {
  /** Blur-fusion (the default) is the cheaper; multilevel is the pymatting reference method. */
  readonly method?: ForegroundMethod;
  readonly blurFusion?: Partial<BlurFusionOptions>;
  readonly multilevel?: Partial<MultilevelOptions>;
}

/**
 * Foreground colours F such that image = alpha F + (1 - alpha) B, so that the old background does not show through
 * semi-transparent hair once F is composited over a new one; F is meaningless (but finite) where alpha is 0.
 */
export function estimateForeground(image: Image, alpha: Image, options: ForegroundOptions = {}): Image {
  assertShape(image, image.width, image.height, 3, 'image');
  assertShape(alpha, image.width, image.height, 1, 'alpha');
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
