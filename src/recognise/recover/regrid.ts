/**
 * Re-samples a QR symbol that was located but failed error correction, for
 * codes on curved or wrinkled surfaces: a single perspective transform (what
 * zxing fits from the finder and alignment patterns) is off by up to a module
 * in places there. Starting from that transform (its corners first fitted to
 * the function patterns, grid-fit.ts), a displacement field over the
 * module grid is refined coarse to fine, each patch shifted to where the sampled
 * module values are most bimodal (sampling a module's centre gives a clearly
 * dark or light value, sampling across an edge gives grey). The modules are then
 * thresholded locally and drawn as a clean symbol for a pure re-read.
 */

import type { Luminance as Gray } from '../luminance.js';
import type { SampledModules } from './erasure.js';
import { bilinear, squareToQuad, type Mapping, type Quad } from '../geometry.js';
import { fitToFunctionPatterns } from './grid-fit.js';

/** A displacement field in module units, bilinear between control points `spacing` modules apart. */
class Field {
  readonly du: Float64Array;
  readonly dv: Float64Array;
  constructor(
    readonly points: number,
    readonly spacing: number,
  ) {
    this.du = new Float64Array(points * points);
    this.dv = new Float64Array(points * points);
  }

  at(u: number, v: number): [number, number] {
    const gu = Math.min(Math.max(u / this.spacing, 0), this.points - 1.001);
    const gv = Math.min(Math.max(v / this.spacing, 0), this.points - 1.001);
    const iu = gu | 0;
    const iv = gv | 0;
    const fu = gu - iu;
    const fv = gv - iv;
    const k = iv * this.points + iu;
    const lerp = (a: Float64Array): number => {
      const top = a[k]! + (a[k + 1]! - a[k]!) * fu;
      const bottom = a[k + this.points]! + (a[k + this.points + 1]! - a[k + this.points]!) * fu;
      return top + (bottom - top) * fv;
    };
    return [lerp(this.du), lerp(this.dv)];
  }
}

/** The four off-centre sub-samples of a module sit this far (in module units) from its centre, diagonally. */
const TAP = 0.25;

/** Patches are scored on at most about this many modules a side. */
const PATCH_SIDE = 24;

/** Hill-climb steps in module units: each level moves to the best of the 8 neighbours, then halves the step. */
function searchSteps(range: number): number[] {
  const steps: number[] = [];
  for (let s = range / 2; s >= 0.06; s /= 2) steps.push(s);
  return steps;
}

class Sampler {
  private readonly map: Mapping;
  /** Per module centre, with the displacement found so far: pixel position and the Jacobian of the module-to-pixel map. */
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  private readonly xu: Float64Array;
  private readonly yu: Float64Array;
  private readonly xv: Float64Array;
  private readonly yv: Float64Array;
  private readonly du: Float64Array;
  private readonly dv: Float64Array;

  constructor(
    private readonly img: Gray,
    quad: Quad,
    readonly size: number,
  ) {
    const unit = squareToQuad(quad);
    this.map = (u, v) => unit(u / size, v / size);
    const n = size * size;
    this.x = new Float64Array(n);
    this.y = new Float64Array(n);
    this.xu = new Float64Array(n);
    this.yu = new Float64Array(n);
    this.xv = new Float64Array(n);
    this.yv = new Float64Array(n);
    this.du = new Float64Array(n);
    this.dv = new Float64Array(n);
    this.locate();
  }

  /** Recomputes the module centres and their Jacobians after the displacement changed. */
  private locate(): void {
    const h = 0.5;
    for (let r = 0, k = 0; r < this.size; r++) {
      for (let c = 0; c < this.size; c++, k++) {
        const u = c + 0.5 + this.du[k]!;
        const v = r + 0.5 + this.dv[k]!;
        const [x, y] = this.map(u, v);
        const [x1, y1] = this.map(u + h, v);
        const [x2, y2] = this.map(u, v + h);
        this.x[k] = x;
        this.y[k] = y;
        this.xu[k] = (x1 - x) / h;
        this.yu[k] = (y1 - y) / h;
        this.xv[k] = (x2 - x) / h;
        this.yv[k] = (y2 - y) / h;
      }
    }
  }

  /** Mean luminance of module k shifted by (su, sv) modules: its centre and four points around it. */
  module(k: number, su = 0, sv = 0): number {
    const xu = this.xu[k]!;
    const yu = this.yu[k]!;
    const xv = this.xv[k]!;
    const yv = this.yv[k]!;
    const x = this.x[k]! + xu * su + xv * sv;
    const y = this.y[k]! + yu * su + yv * sv;
    const ax = TAP * (xu + xv);
    const ay = TAP * (yu + yv);
    const bx = TAP * (xu - xv);
    const by = TAP * (yu - yv);
    const img = this.img;
    return (bilinear(img, x, y) + bilinear(img, x + ax, y + ay) + bilinear(img, x - ax, y - ay) + bilinear(img, x + bx, y + by) + bilinear(img, x - bx, y - by)) / 5;
  }

  /** Luminance at module k's centre alone (what a blur model needs: no averaging over the module). */
  centre(k: number): number {
    return bilinear(this.img, this.x[k]!, this.y[k]!);
  }

  /** Spread of the module values in a patch: high when the samples sit on module centres. */
  private patchScore(c0: number, r0: number, c1: number, r1: number, su: number, sv: number): number {
    let sum = 0;
    let sq = 0;
    let n = 0;
    // Large patches (high versions) are subsampled to about 24x24 modules, which bounds the cost per symbol.
    const stride = Math.ceil(Math.max(c1 - c0, r1 - r0) / PATCH_SIDE);
    for (let r = r0; r <= r1; r += stride) {
      for (let c = c0, k = r * this.size + c0; c <= c1; c += stride, k += stride) {
        const m = this.module(k, su, sv);
        sum += m;
        sq += m * m;
        n++;
      }
    }
    const mean = sum / n;
    // Near-ties keep the smaller shift, so flat patches stay put.
    return (sq / n - mean * mean) * (1 - 0.02 * Math.hypot(su, sv));
  }

  /** One refinement level: `points`² control points, each moving its patch of radius `radius` by up to `range` modules. */
  refine(points: number, range: number, radius: number): void {
    const spacing = this.size / (points - 1);
    const field = new Field(points, spacing);
    for (let j = 0; j < points; j++) {
      for (let i = 0; i < points; i++) {
        const c0 = Math.max(0, Math.floor(i * spacing - radius));
        const c1 = Math.min(this.size - 1, Math.ceil(i * spacing + radius) - 1);
        const r0 = Math.max(0, Math.floor(j * spacing - radius));
        const r1 = Math.min(this.size - 1, Math.ceil(j * spacing + radius) - 1);
        let bu = 0;
        let bv = 0;
        let best = this.patchScore(c0, r0, c1, r1, 0, 0);
        for (const step of searchSteps(range)) {
          const [cu, cv] = [bu, bv];
          for (let dj = -1; dj <= 1; dj++) {
            for (let di = -1; di <= 1; di++) {
              if (!di && !dj) continue;
              const s = this.patchScore(c0, r0, c1, r1, cu + di * step, cv + dj * step);
              if (s > best) [best, bu, bv] = [s, cu + di * step, cv + dj * step];
            }
          }
        }
        field.du[j * points + i] = bu;
        field.dv[j * points + i] = bv;
      }
    }
    for (let r = 0, k = 0; r < this.size; r++) {
      for (let c = 0; c < this.size; c++, k++) {
        const [a, b] = field.at(c + 0.5, r + 0.5);
        this.du[k] = this.du[k]! + a;
        this.dv[k] = this.dv[k]! + b;
      }
    }
    this.locate();
  }
}

/**
 * Module values of the symbol (1 = dark), thresholded against the mean of
 * the surrounding modules so that shading across the symbol does not flip them,
 * with each decision's reliability: its distance from that mean over the
 * neighbourhood's spread (floored at half the symbol's median spread, so a
 * washed-out patch reads as unreliable rather than as amplified noise).
 */
export function thresholdModules(values: Float64Array, size: number, radius = 3): SampledModules {
  const n = size * size;
  const dark = new Uint8Array(n);
  const distance = new Float32Array(n);
  const spread = new Float32Array(n);
  // Summed-area tables of the values and their squares: each window's sums in four lookups.
  const w = size + 1;
  const sums = new Float64Array(w * w);
  const squares = new Float64Array(w * w);
  for (let r = 0; r < size; r++) {
    let rowSum = 0;
    let rowSquares = 0;
    for (let c = 0; c < size; c++) {
      const v = values[r * size + c]!;
      rowSum += v;
      rowSquares += v * v;
      sums[(r + 1) * w + c + 1] = sums[r * w + c + 1]! + rowSum;
      squares[(r + 1) * w + c + 1] = squares[r * w + c + 1]! + rowSquares;
    }
  }
  const box = (t: Float64Array, r0: number, c0: number, r1: number, c1: number): number => t[r1 * w + c1]! - t[r0 * w + c1]! - t[r1 * w + c0]! + t[r0 * w + c0]!;
  for (let r = 0; r < size; r++) {
    const [r0, r1] = [Math.max(0, r - radius), Math.min(size, r + radius + 1)];
    for (let c = 0; c < size; c++) {
      const [c0, c1] = [Math.max(0, c - radius), Math.min(size, c + radius + 1)];
      const count = (r1 - r0) * (c1 - c0);
      const k = r * size + c;
      const mean = box(sums, r0, c0, r1, c1) / count;
      dark[k] = values[k]! < mean ? 1 : 0;
      distance[k] = Math.abs(values[k]! - mean);
      spread[k] = Math.sqrt(Math.max(0, box(squares, r0, c0, r1, c1) / count - mean * mean));
    }
  }
  // The median spread, from every 7th module: a full sort of a version-40 symbol's would cost more than the rest.
  const sample = Float32Array.from({ length: Math.ceil(n / 7) }, (_, i) => spread[7 * i]!).sort();
  const floor = 0.5 * sample[sample.length >> 1]!;
  const reliability = distance.map((d, k) => d / Math.max(spread[k]!, floor, 1e-6));
  return { dark, reliability, size };
}

/** Sampled modules, with the luminance at each module's centre (row-major). */
export interface SampledSymbol extends SampledModules {
  readonly centres: Float64Array;
}

/** Draws the modules as a clean symbol (`scale` px per module, 4-module quiet zone). */
export function drawSymbol(dark: Uint8Array, size: number, scale = 4): Gray {
  const side = (size + 8) * scale;
  const data = new Uint8Array(side * side).fill(255);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      if (!dark[r * size + c]) continue;
      for (let y = 0; y < scale; y++) data.fill(0, ((r + 4) * scale + y) * side + (c + 4) * scale, ((r + 4) * scale + y) * side + (c + 5) * scale);
    }
  }
  return { data, width: side, height: side };
}

/** Refinement levels, coarse to fine: control points a side, largest shift (modules), patch radius as a fraction of the side (at least 3 modules). */
const LEVELS: ReadonlyArray<readonly [points: number, range: number, radius: number]> = [
  [3, 1, 1 / 3],
  [5, 0.5, 1 / 5],
  [9, 0.25, 1 / 10],
];

/**
 * Samples the modules of the symbol located by `quad` (`size` modules a side),
 * on the locator's grid (its corners fitted to the function patterns, see
 * grid-fit.ts) and then once per refinement level, coarse to fine:
 * the caller stops as soon as one of them decodes.
 */
export function* sampleModules(img: Gray, quad: Quad, size: number): Generator<SampledSymbol> {
  // Collinear corners (a degenerate locator result) give no projective map: nothing to sample.
  const centre = squareToQuad(quad)(0.5, 0.5);
  if (!centre.every(Number.isFinite)) return;
  const sampler = new Sampler(img, fitToFunctionPatterns(img, quad, size), size);
  const values = new Float64Array(size * size);
  const sample = (): SampledSymbol => {
    for (let k = 0; k < size * size; k++) values[k] = sampler.module(k);
    return { ...thresholdModules(values, size), centres: Float64Array.from({ length: size * size }, (_, k) => sampler.centre(k)) };
  };
  // First on the locator's grid fitted to the function patterns: right for a flat but blurred symbol, where the refinement drifts.
  yield sample();
  for (const [points, range, radius] of LEVELS) {
    sampler.refine(points, range, Math.max(3, size * radius));
    yield sample();
  }
}
