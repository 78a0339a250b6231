/** Image geometry shared by the re-sampling stages: points, a symbol's corners, the projective map onto them, and sub-pixel sampling. */
import type { Luminance as Gray } from './luminance.js';

export type { Point, Quad } from './result.js';
import type { Point, Quad } from './result.js';

export type Mapping = (u: number, v: number) => [number, number];

/** Projective map of the unit square onto a quadrilateral (Heckbert's square-to-quad). */
export function squareToQuad(q: Quad): Mapping {
  const { topLeft: p0, topRight: p1, bottomRight: p2, bottomLeft: p3 } = q;
  const dx3 = p0.x - p1.x + p2.x - p3.x;
  const dy3 = p0.y - p1.y + p2.y - p3.y;
  let a11: number, a21: number, a31: number, a12: number, a22: number, a32: number, a13: number, a23: number;
  if (Math.abs(dx3) < 1e-9 && Math.abs(dy3) < 1e-9) {
    [a11, a21, a31, a12, a22, a32, a13, a23] = [p1.x - p0.x, p2.x - p1.x, p0.x, p1.y - p0.y, p2.y - p1.y, p0.y, 0, 0];
  } else {
    const dx1 = p1.x - p2.x;
    const dx2 = p3.x - p2.x;
    const dy1 = p1.y - p2.y;
    const dy2 = p3.y - p2.y;
    const den = dx1 * dy2 - dx2 * dy1;
    a13 = (dx3 * dy2 - dx2 * dy3) / den;
    a23 = (dx1 * dy3 - dx3 * dy1) / den;
    a11 = p1.x - p0.x + a13 * p1.x;
    a21 = p3.x - p0.x + a23 * p3.x;
    a31 = p0.x;
    a12 = p1.y - p0.y + a13 * p1.y;
    a22 = p3.y - p0.y + a23 * p3.y;
    a32 = p0.y;
  }
  return (u, v) => {
    const w = a13 * u + a23 * v + 1;
    return [(a11 * u + a21 * v + a31) / w, (a12 * u + a22 * v + a32) / w];
  };
}

export function bilinear(img: Gray, x: number, y: number): number {
  const xc = Math.min(Math.max(x - 0.5, 0), img.width - 1.001);
  const yc = Math.min(Math.max(y - 0.5, 0), img.height - 1.001);
  const x0 = xc | 0;
  const y0 = yc | 0;
  const fx = xc - x0;
  const fy = yc - y0;
  const i = y0 * img.width + x0;
  const d = img.data;
  const top = d[i]! + (d[i + 1]! - d[i]!) * fx;
  const bottom = d[i + img.width]! + (d[i + img.width + 1]! - d[i + img.width]!) * fx;
  return top + (bottom - top) * fy;
}

/** Corners scaled (e.g. from a downscaled luminance back to the uploaded image), rounded to whole pixels. */
export function scaleQuad(q: Quad, scale: number): Quad {
  const p = (v: Point): Point => ({ x: Math.round(v.x * scale), y: Math.round(v.y * scale) });
  return { topLeft: p(q.topLeft), topRight: p(q.topRight), bottomRight: p(q.bottomRight), bottomLeft: p(q.bottomLeft) };
}

/** Whether the centre of `q` lies in the box around `other`: the same symbol, found again by another pass. */
export function sameSymbol(q: Quad, other: Quad): boolean {
  const corners = [q.topLeft, q.topRight, q.bottomRight, q.bottomLeft];
  const cx = corners.reduce((sum, v) => sum + v.x, 0) / 4;
  const cy = corners.reduce((sum, v) => sum + v.y, 0) / 4;
  const xs = [other.topLeft.x, other.topRight.x, other.bottomRight.x, other.bottomLeft.x];
  const ys = [other.topLeft.y, other.topRight.y, other.bottomRight.y, other.bottomLeft.y];
  return cx >= Math.min(...xs) && cx <= Math.max(...xs) && cy >= Math.min(...ys) && cy <= Math.max(...ys);
}
