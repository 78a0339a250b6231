import { assertShape, createImage, type Image, type Rgb } from './image.js';

/** '#628bce' or '628bce' (also 3-digit '#fff') to 0..1 sRGB components. */
export function hexToRgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) throw new RangeError(`not a hex colour: ${hex}`);
  const h = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join('') : m[1]!;
  return [parseInt(h.slice(0, 2), 16) / 255, parseInt(h.slice(2, 4), 16) / 255, parseInt(h.slice(4, 6), 16) / 255];
}

/**
 * out = alpha F + (1 - alpha) background, blended on the sRGB-encoded values as photo editors do and as the composites
 * matting models learn from were made, so a model's alpha means here what it meant in training.
 */
export function composite(foreground: Image, alpha: Image, background: Rgb | Image): Image {
  const { width, height } = foreground;
  assertShape(foreground, width, height, 3, 'foreground');
  assertShape(alpha, width, height, 1, 'alpha');
  const out = createImage(width, height, 3);
  const o = out.data;
  const f = foreground.data;
  const a = alpha.data;
  if ('data' in background) {
    assertShape(background, width, height, 3, 'background');
    const b = background.data;
    for (let i = 0, k = 0; i < a.length; i++, k += 3) {
      const t = a[i]!;
      o[k] = b[k]! + (f[k]! - b[k]!) * t;
      o[k + 1] = b[k + 1]! + (f[k + 1]! - b[k + 1]!) * t;
      o[k + 2] = b[k + 2]! + (f[k + 2]! - b[k + 2]!) * t;
    }
  } else {
    const [br, bg, bb] = background;
    for (let i = 0, k = 0; i < a.length; i++, k += 3) {
      const t = a[i]!;
      o[k] = br + (f[k]! - br) * t;
      o[k + 1] = bg + (f[k + 1]! - bg) * t;
      o[k + 2] = bb + (f[k + 2]! - bb) * t;
    }
  }
  return out;
}
