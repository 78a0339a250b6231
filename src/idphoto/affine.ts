/** 2-D affine maps as the report gives them: [a, b, c, d, e, f] for x' = a x + b y + c, y' = d x + e y + f. */

export type Affine = readonly [number, number, number, number, number, number];

export interface Point {
  readonly x: number;
  readonly y: number;
}

export function applyAffine(m: Affine, p: Point): Point {
  return { x: m[0] * p.x + m[1] * p.y + m[2], y: m[3] * p.x + m[4] * p.y + m[5] };
}

/** `outer` after `inner`: a point goes through `inner` first. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [g, h, i, j, k, l] = inner;
  return [a * g + b * j, a * h + b * k, a * i + b * l + c, d * g + e * j, d * h + e * k, d * i + e * l + f];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new RangeError('the affine map is not invertible');
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

export function scaleAffine(sx: number, sy = sx): Affine {
  return [sx, 0, 0, 0, sy, 0];
}

/**
 * Rotation by `degrees` (clockwise on screen, y pointing down) about `centre`, then uniform scaling by
 * `scale` and a move of the centre to `to`.
 */
export function similarity(centre: Point, degrees: number, scale: number, to: Point): Affine {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t) * scale;
  const sin = Math.sin(t) * scale;
  return [cos, -sin, to.x - cos * centre.x + sin * centre.y, sin, cos, to.y - sin * centre.x - cos * centre.y];
}
