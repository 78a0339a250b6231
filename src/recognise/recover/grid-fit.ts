/**
 * Moves a located symbol's corners to where its function patterns are. zxing
 * reports the corners it fitted from the finder patterns and, from version 2,
 * an alignment pattern; under blur or perspective that estimate can be off by
 * a module at the far corner, which is enough to sample every module there
 * from its neighbour. A QR symbol carries a few hundred modules whose colour is
 * known in advance (three finder patterns with their separators, the timing
 * rows, the alignment patterns): the corners are moved, coarse to fine, to
 * where the luminance at those module centres correlates best with them.
 */
import { formatPositions, functionPatterns } from '../../qr/spec/index.js';
import { bilinear, squareToQuad, type Quad } from '../geometry.js';
import type { Luminance as Gray } from '../luminance.js';

interface FixedModules {
  /** Module centres in unit-square coordinates, u then v. */
  readonly uv: Float64Array;
  /** 1 = dark. */
  readonly dark: Uint8Array;
}

const fixedByVersion = new Map<number, FixedModules>();

/** The function modules whose colour does not depend on the data, level or mask (format and version information excluded). */
function fixedModules(version: number): FixedModules {
  let fixed = fixedByVersion.get(version);
  if (fixed) return fixed;
  const { size, modules: data, reserved: reservedBit } = functionPatterns(version);
  const variable = new Set<number>();
  for (let i = 0; i < 15; i++) for (const k of formatPositions(size, i)) variable.add(k);
  if (version >= 7) {
    for (let i = 0; i < 18; i++) {
      const [r, c] = [Math.floor(i / 3), (i % 3) + size - 11];
      variable.add(r * size + c);
      variable.add(c * size + r);
    }
  }
  const uv: number[] = [];
  const dark: number[] = [];
  for (let k = 0; k < size * size; k++) {
    if (!reservedBit[k] || variable.has(k)) continue;
    uv.push(((k % size) + 0.5) / size, (Math.floor(k / size) + 0.5) / size);
    dark.push(data[k]!);
  }
  fixed = { uv: Float64Array.from(uv), dark: Uint8Array.from(dark) };
  fixedByVersion.set(version, fixed);
  return fixed;
}

/**
 * How well the luminance of the fixed modules matches them: minus the Pearson
 * correlation with darkness (1 = perfect). Each module is read at its centre and
 * at four points a quarter module away, so that the score changes as a corner
 * moves by less than a module even where the print is sharp.
 */
function agreement(img: Gray, quad: Quad, fixed: FixedModules, size: number): number {
  const map = squareToQuad(quad);
  const tap = TAP / size;
  const n = fixed.dark.length;
  let sv = 0;
  let svv = 0;
  let svd = 0;
  let sd = 0;
  for (let i = 0; i < n; i++) {
    const [u, w] = [fixed.uv[2 * i]!, fixed.uv[2 * i + 1]!];
    let v = 0;
    for (const [du, dw] of TAPS) {
      const [x, y] = map(u + du * tap, w + dw * tap);
      v += bilinear(img, x, y);
    }
    const d = fixed.dark[i]!;
    sv += v;
    svv += v * v;
    svd += v * d;
    sd += d;
  }
  const covariance = svd / n - (sv / n) * (sd / n);
  const variance = (svv / n - (sv / n) ** 2) * (sd / n - (sd / n) ** 2);
  return variance > 0 ? -covariance / Math.sqrt(variance) : 0;
}

const TAP = 0.25;
const TAPS = [
  [0, 0],
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
] as const;

const CORNERS = ['topLeft', 'topRight', 'bottomRight', 'bottomLeft'] as const;
const DIRECTIONS = [
  [1, 0],
  [-1, 0],
  [0, 1],
  [0, -1],
  [1, 1],
  [1, -1],
  [-1, 1],
  [-1, -1],
] as const;
/** Corner moves in modules, coarse to fine; each size is repeated until no move helps (at most this many rounds). */
const STEPS = [0.5, 0.25, 0.125];
const MAX_ROUNDS = 4;

/** The function modules of a `size`-module symbol, or undefined for a size that is no QR version. */
function fixedFor(size: number): FixedModules | undefined {
  const version = (size - 17) / 4;
  return Number.isInteger(version) && version >= 1 && version <= 40 ? fixedModules(version) : undefined;
}

/** How well the `size`-module symbol at `quad` matches its function patterns as it stands (1 = perfect; 0 for a size that is no QR version). */
export function functionPatternScore(img: Gray, quad: Quad, size: number): number {
  const fixed = fixedFor(size);
  return fixed ? agreement(img, quad, fixed, size) : 0;
}

/** The corners of the `size`-module symbol at `quad` moved to fit its function patterns (the same quad when nothing fits better). */
export function fitToFunctionPatterns(img: Gray, quad: Quad, size: number): Quad {
  const fixed = fixedFor(size);
  if (!fixed) return quad;
  let best = quad;
  let bestScore = agreement(img, quad, fixed, size);
  const modulePx = Math.hypot(quad.topRight.x - quad.topLeft.x, quad.topRight.y - quad.topLeft.y) / size;
  for (const step of STEPS) {
    const px = step * modulePx;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let moved = false;
      for (const corner of CORNERS) {
        for (const [dx, dy] of DIRECTIONS) {
          const p = best[corner];
          const candidate = { ...best, [corner]: { x: p.x + dx * px, y: p.y + dy * px } };
          const score = agreement(img, candidate, fixed, size);
          if (score > bestScore) [best, bestScore, moved] = [candidate, score, true];
        }
      }
      if (!moved) break;
    }
  }
  return best;
}
