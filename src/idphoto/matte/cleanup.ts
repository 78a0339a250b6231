/**
 * After any matting engine: keep only the person whose face was found (other people and stray blobs
 * dropped) and fill the small holes a model leaves inside the silhouette (a bright shirt, glasses glare).
 */
import { createImage, type Image } from './image.js';

export interface CleanupOptions {
  /** Alpha at or above this is the person for the connectivity analysis. */
  readonly threshold: number;
  /** Background regions enclosed by the person and smaller than this share of the matte are filled. */
  readonly maxHoleShare: number;
  /** Pixels kept around the subject's region so its soft edge (hair) survives. */
  readonly margin: number;
}

export const DEFAULT_CLEANUP: CleanupOptions = { threshold: 0.5, maxHoleShare: 0.02, margin: 2 };

/** 4-connected regions of `inside` pixels: a label per pixel (0 = outside) and each region's size and whether it touches the border. */
function label(inside: Uint8Array, width: number, height: number): { labels: Int32Array; sizes: number[]; border: boolean[] } {
  const labels = new Int32Array(width * height);
  const sizes = [0];
  const border = [false];
  const stack: number[] = [];
  for (let start = 0; start < inside.length; start++) {
    if (!inside[start] || labels[start]) continue;
    const id = sizes.length;
    let size = 0;
    let touches = false;
    labels[start] = id;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      size++;
      const x = i % width;
      const y = (i - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) touches = true;
      const visit = (j: number): void => {
        if (inside[j] && !labels[j]) {
          labels[j] = id;
          stack.push(j);
        }
      };
      if (x > 0) visit(i - 1);
      if (x < width - 1) visit(i + 1);
      if (y > 0) visit(i - width);
      if (y < height - 1) visit(i + width);
    }
    sizes.push(size);
    border.push(touches);
  }
  return { labels, sizes, border };
}

/**
 * The matte with only the region holding `subject` (a point in matte pixels, e.g. the face centre; the
 * largest region when none holds it) and its small enclosed holes filled. Returns a new matte.
 */
export function cleanupMatte(matte: Image, subject: { x: number; y: number }, options: CleanupOptions = DEFAULT_CLEANUP): Image {
  const { width, height, data } = matte;
  const n = width * height;
  const fg = new Uint8Array(n);
  for (let i = 0; i < n; i++) fg[i] = data[i]! >= options.threshold ? 1 : 0;
  const people = label(fg, width, height);
  const sx = Math.min(width - 1, Math.max(0, Math.round(subject.x)));
  const sy = Math.min(height - 1, Math.max(0, Math.round(subject.y)));
  let keep = people.labels[sy * width + sx]!;
  if (keep === 0) keep = people.sizes.reduce((best, size, id) => (size > people.sizes[best]! ? id : best), 0);
  const out = createImage(width, height, 1);
  if (keep === 0) return out;

  // The kept region grown by `margin` pixels (a square window), so its soft rim is not cut.
  const kept = new Uint8Array(n);
  const m = options.margin;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (people.labels[y * width + x] !== keep) continue;
      for (let dy = Math.max(0, y - m); dy <= Math.min(height - 1, y + m); dy++) kept.fill(1, dy * width + Math.max(0, x - m), dy * width + Math.min(width - 1, x + m) + 1);
    }
  }
  const background = new Uint8Array(n);
  for (let i = 0; i < n; i++) background[i] = people.labels[i] === keep ? 0 : 1;
  const holes = label(background, width, height);
  const maxHole = options.maxHoleShare * n;
  for (let i = 0; i < n; i++) {
    const hole = holes.labels[i]!;
    if (hole !== 0 && !holes.border[hole] && holes.sizes[hole]! <= maxHole) out.data[i] = 1;
    else out.data[i] = kept[i] ? data[i]! : 0;
  }
  return out;
}
