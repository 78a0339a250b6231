/**
 * Other people in the picture whose outline joins the subject's (shoulder to shoulder, a head behind the
 * hair): the person models matte everyone, and cleanupMatte's connectivity cannot split one joined region.
 * Where the face detector found other faces, each pixel of the matte goes to the face it is nearest to along
 * the matte, on a path that pays for every colour edge it crosses (a geodesic distance, as in Criminisi et al.'s
 * GeoS), measured in widths of that face; what another face claims is dropped. People without a face the detector finds (turned away, blurred)
 * are not seen here.
 */
import FlatQueue from 'flatqueue';
import { resampleRgb, type RgbImage } from '../rgb.js';
import { createImage, type Image } from './image.js';
import { downsampleArea, resizeBilinear } from './resize.js';

/** A face's box in the picture's pixels. */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface OtherPeopleOptions {
  /** The grid the paths run on: the matte, area-averaged until its longer side is at most this. */
  readonly grid: number;
  /** Matte pixels below this alpha are not part of any person (nor on any path). */
  readonly minAlpha: number;
  /** A step's cost is its length times (1 + edgeCost x the RGB distance, 0..1 a channel, between its two pixels). */
  readonly edgeCost: number;
  /** Each face's seed: the ellipse inscribed in its box, shrunk to this share. */
  readonly seedShare: number;
}

/** At most this many other faces (the largest) are followed: each costs a pass over the grid, and a crowd must not cost seconds. */
export const MAX_OTHER_FACES = 12;

export const DEFAULT_OTHER_PEOPLE: OtherPeopleOptions = { grid: 256, minAlpha: 0.05, edgeCost: 20, seedShare: 0.6 };

export interface WithoutOthers {
  /** The matte with what other faces claim set to 0 (the matte given where nothing was). */
  readonly matte: Image;
  /** Share of the matte's alpha that was dropped: 0 where no other person joined the subject. */
  readonly dropped: number;
}

/** Grid pixels inside a face box's shrunk inscribed ellipse. */
function seedPixels(box: FaceBox, sx: number, sy: number, width: number, height: number, share: number): number[] {
  const cx = (box.x + box.width / 2) * sx;
  const cy = (box.y + box.height / 2) * sy;
  const rx = Math.max(0.5, (box.width / 2) * share * sx);
  const ry = Math.max(0.5, (box.height / 2) * share * sy);
  const seeds: number[] = [];
  for (let y = Math.max(0, Math.floor(cy - ry)); y <= Math.min(height - 1, Math.ceil(cy + ry)); y++) {
    for (let x = Math.max(0, Math.floor(cx - rx)); x <= Math.min(width - 1, Math.ceil(cx + rx)); x++) {
      if (((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1) seeds.push(y * width + x);
    }
  }
  return seeds;
}

/** Dijkstra from `seeds` over the 8-connected pixels with alpha at least `minAlpha`, each step its length times `edge`. */
function geodesic(alpha: Float32Array, width: number, height: number, seeds: readonly number[], minAlpha: number, edge: (i: number, j: number) => number): Float64Array {
  const n = width * height;
  const cost = new Float64Array(n).fill(Infinity);
  const queue = new FlatQueue<number>();
  for (const i of seeds) {
    cost[i] = 0;
    queue.push(i, 0);
  }
  while (queue.length > 0) {
    const here = queue.peekValue()!;
    const i = queue.pop()!;
    if (here > cost[i]!) continue;
    const x = i % width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if ((dx === 0 && dy === 0) || x + dx < 0 || x + dx >= width) continue;
        const j = i + dy * width + dx;
        if (j < 0 || j >= n || alpha[j]! < minAlpha) continue;
        const next = here + (dx !== 0 && dy !== 0 ? Math.SQRT2 : 1) * edge(i, j);
        if (next < cost[j]!) {
          cost[j] = next;
          queue.push(j, next);
        }
      }
    }
  }
  return cost;
}

/**
 * `matte` (any resolution, stretched over `rgb`) without the people whose faces are `others`, the subject's face
 * being `subject` (boxes in `rgb`'s pixels).
 */
export function dropOtherPeople(matte: Image, rgb: RgbImage, subject: FaceBox, others: readonly FaceBox[], options: OtherPeopleOptions = DEFAULT_OTHER_PEOPLE): WithoutOthers {
  if (others.length === 0) return { matte, dropped: 0 };
  const factor = Math.max(1, Math.ceil(Math.max(matte.width, matte.height) / options.grid));
  const alpha = factor === 1 ? matte : downsampleArea(matte, factor);
  const { width, height } = alpha;
  const n = width * height;
  const colour = new Float32Array(n * 3);
  resampleRgb(rgb, width, height, 16, (y, line) => {
    for (let i = 0; i < line.length; i++) colour[y * width * 3 + i] = line[i]! / 255;
  });

  const sx = width / rgb.width;
  const sy = height / rgb.height;
  const edge = (i: number, j: number): number => {
    const dr = colour[i * 3]! - colour[j * 3]!;
    const dg = colour[i * 3 + 1]! - colour[j * 3 + 1]!;
    const db = colour[i * 3 + 2]! - colour[j * 3 + 2]!;
    return 1 + options.edgeCost * Math.sqrt(dr * dr + dg * dg + db * db);
  };
  // Each face's geodesic cost over the matte in widths of that face: a nearer person, whose face is larger, reaches
  // farther (without it, a large head of hair next to a smaller face behind went to that face).
  const largest = [...others].sort((a, b) => b.width - a.width).slice(0, MAX_OTHER_FACES);
  const costs = [subject, ...largest].map((box) => {
    const seeds = seedPixels(box, sx, sy, width, height, options.seedShare).filter((i) => alpha.data[i]! >= options.minAlpha);
    if (seeds.length === 0) return null;
    const cost = geodesic(alpha.data, width, height, seeds, options.minAlpha, edge);
    const faceWidth = Math.max(1, box.width * sx);
    for (let i = 0; i < n; i++) cost[i]! /= faceWidth;
    return cost;
  });
  const own = costs[0];
  const theirs = costs.slice(1).filter((c): c is Float64Array => c !== null);
  if (!own || theirs.length === 0) return { matte, dropped: 0 };

  const keep = createImage(width, height, 1);
  let claimed = false;
  for (let i = 0; i < n; i++) {
    const other = theirs.some((c) => c[i]! < own[i]!);
    keep.data[i] = other ? 0 : 1;
    claimed ||= other;
  }
  if (!claimed) return { matte, dropped: 0 };
  const kept = factor === 1 ? keep : resizeBilinear(keep, matte.width, matte.height);
  const out = createImage(matte.width, matte.height, 1);
  let before = 0;
  let after = 0;
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = matte.data[i]! * kept.data[i]!;
    before += matte.data[i]!;
    after += out.data[i]!;
  }
  return { matte: out, dropped: before > 0 ? 1 - after / before : 0 };
}
