import { boxFilter } from '../../../../src/idphoto/matte/box.js';
import { createImage, type Image, type Rgb } from '../../../../src/idphoto/matte/image.js';

/** Deterministic PRNG (mulberry32) so every synthetic scene is the same on every run. */
export function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomImage(width: number, height: number, channels: number, seed: number): Image {
  const image = createImage(width, height, channels);
  const next = rng(seed);
  for (let i = 0; i < image.data.length; i++) image.data[i] = next();
  return image;
}

export function solidImage(width: number, height: number, colour: Rgb): Image {
  const image = createImage(width, height, 3);
  for (let i = 0; i < width * height; i++) image.data.set(colour, i * 3);
  return image;
}

/** A busy background: blotches a few pixels across plus fine grain, full range in every channel. */
export function textureImage(width: number, height: number, seed: number): Image {
  const noise = randomImage(width, height, 3, seed);
  const blotches = boxFilter(noise, 4);
  const out = createImage(width, height, 3);
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = Math.min(1, Math.max(0, 0.5 + 4 * (blotches.data[i]! - 0.5) + 0.3 * (noise.data[i]! - 0.5)));
  }
  return out;
}

/** I = alpha F + (1 - alpha) B, the image formation model the estimators invert. */
export function compose(foreground: Image, alpha: Image, background: Image): Image {
  const out = createImage(foreground.width, foreground.height, 3);
  for (let i = 0; i < alpha.data.length; i++) {
    const a = alpha.data[i]!;
    for (let c = 0; c < 3; c++) out.data[i * 3 + c] = a * foreground.data[i * 3 + c]! + (1 - a) * background.data[i * 3 + c]!;
  }
  return out;
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.min(1, Math.max(0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

export interface HairScene {
  readonly foreground: Image;
  readonly alpha: Image;
}

export const SKIN: Rgb = [0.87, 0.68, 0.58];
export const HAIR: Rgb = [0.3, 0.19, 0.12];

/**
 * A face-coloured ellipse (alpha 1, anti-aliased rim) with thin dark-brown strands of opacity 0.3-0.7 and width 1-2 px
 * curling out of its upper half; layers are combined with the "over" operator so alpha and F are exact.
 */
export function hairScene(width: number, height: number, seed: number): HairScene {
  const next = rng(seed);
  const premul = createImage(width, height, 3);
  const alpha = createImage(width, height, 1);
  const cx = width / 2;
  const cy = height * 0.62;
  const rx = width * 0.24;
  const ry = height * 0.3;

  const over = (i: number, coverage: number, colour: Rgb): void => {
    if (coverage <= 0) return;
    alpha.data[i] = coverage + (1 - coverage) * alpha.data[i]!;
    for (let c = 0; c < 3; c++) premul.data[i * 3 + c] = coverage * colour[c]! + (1 - coverage) * premul.data[i * 3 + c]!;
  };

  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5 - cx) / rx;
      const v = (y + 0.5 - cy) / ry;
      const dist = (Math.hypot(u, v) - 1) * Math.min(rx, ry); // approximately signed pixels outside the rim
      over(y * width + x, Math.min(1, Math.max(0, 0.5 - dist)), SKIN);
    }
  }

  for (let s = 0; s < 48; s++) {
    const angle = Math.PI * (1.08 + 0.84 * next()); // the upper half of the head
    const opacity = 0.3 + 0.4 * next();
    const half = 0.5 + 0.5 * next(); // 1-2 px wide
    const length = height * (0.12 + 0.16 * next());
    const bend = (next() - 0.5) * 1.2;
    const points: [number, number][] = [];
    for (let k = 0; k <= 12; k++) {
      const t = k / 12;
      const a = angle + bend * t * t;
      const rr = 0.85 + (length / Math.min(rx, ry)) * t;
      points.push([cx + Math.cos(a) * rx * rr, cy + Math.sin(a) * ry * rr]);
    }
    const xs = points.map((p) => p[0]);
    const ys = points.map((p) => p[1]);
    const x0 = Math.max(0, Math.floor(Math.min(...xs) - 3));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs) + 3));
    const y0 = Math.max(0, Math.floor(Math.min(...ys) - 3));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys) + 3));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        let d = Infinity;
        for (let k = 0; k < points.length - 1; k++) d = Math.min(d, segmentDistance(x + 0.5, y + 0.5, ...points[k]!, ...points[k + 1]!));
        over(y * width + x, opacity * Math.min(1, Math.max(0, half + 0.5 - d)), HAIR);
      }
    }
  }

  const foreground = createImage(width, height, 3);
  for (let i = 0; i < width * height; i++) {
    const a = alpha.data[i]!;
    for (let c = 0; c < 3; c++) foreground.data[i * 3 + c] = a > 0 ? Math.min(1, premul.data[i * 3 + c]! / a) : HAIR[c]!;
  }
  return { foreground, alpha };
}
