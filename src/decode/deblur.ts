/**
 * Undoes a blur on the module grid of a located symbol. Out of focus, a module's
 * centre value mixes in its neighbours: an isolated dark module comes out grey,
 * a light one between dark ones too, and any threshold misreads them. Knowing
 * where the modules are, the blur is a small linear system (each sampled centre
 * is the Gaussian-weighted sum of the modules around it), solved for a blur
 * width given in modules (the caller tries a few).
 */

/** Abramowitz-Stegun 7.1.26 (error below 1.5e-7): plenty for weights. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/** How much of a module `d` modules away a centre sample sees: a Gaussian of `sigma` modules over the module's width. */
function kernel(sigma: number): Float64Array {
  const s = sigma * Math.SQRT2;
  return Float64Array.from({ length: 2 * REACH + 1 }, (_, i) => 0.5 * (erf((i - REACH + 0.5) / s) - erf((i - REACH - 0.5) / s)));
}

/** Neighbours this many modules away still count (a 0.8-module blur puts under 0.2 % beyond). */
const REACH = 2;
/** Conjugate-gradient steps: the system is well conditioned enough (~22 at 0.6 module) that a dozen converge, and stopping there keeps noise from being amplified further. */
const ITERATIONS = 12;

/** The separable blur of a size x size grid (modules outside count as 0). */
function blur(m: Float64Array, size: number, k: Float64Array, tmp: Float64Array, out: Float64Array): void {
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      let s = 0;
      for (let d = -REACH; d <= REACH; d++) if (c + d >= 0 && c + d < size) s += k[d + REACH]! * m[r * size + c + d]!;
      tmp[r * size + c] = s;
    }
  }
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      let s = 0;
      for (let d = -REACH; d <= REACH; d++) if (r + d >= 0 && r + d < size) s += k[d + REACH]! * tmp[(r + d) * size + c]!;
      out[r * size + c] = s;
    }
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * The module values before a Gaussian blur of `sigma` modules, from the
 * luminance sampled at the module centres of a `size` x `size` symbol: the
 * centres are a linear blur of the modules (and of the light quiet zone around
 * them), solved by conjugate gradients (the blur matrix is symmetric positive
 * definite). The result is on the same scale as the input, ready for a threshold.
 */
export function deblurCentres(centres: Float64Array, size: number, sigma: number): Float64Array {
  const n = size * size;
  const k = kernel(sigma);
  const tmp = new Float64Array(n);
  // The quiet zone's share of each sample, at the light level, moved to the right-hand side.
  const light = Float64Array.from(centres).sort()[Math.floor(0.95 * (n - 1))]!;
  const inside = new Float64Array(n);
  blur(new Float64Array(n).fill(1), size, k, tmp, inside);
  const rhs = Float64Array.from(centres, (v, i) => v - (1 - inside[i]!) * light);
  const u = Float64Array.from(centres);
  const r = new Float64Array(n);
  blur(u, size, k, tmp, r);
  for (let i = 0; i < n; i++) r[i] = rhs[i]! - r[i]!;
  const p = Float64Array.from(r);
  const q = new Float64Array(n);
  let rr = dot(r, r);
  for (let it = 0; it < ITERATIONS && rr > 1e-9 * n; it++) {
    blur(p, size, k, tmp, q);
    const alpha = rr / dot(p, q);
    for (let i = 0; i < n; i++) {
      u[i] = u[i]! + alpha * p[i]!;
      r[i] = r[i]! - alpha * q[i]!;
    }
    const next = dot(r, r);
    for (let i = 0; i < n; i++) p[i] = r[i]! + (next / rr) * p[i]!;
    rr = next;
  }
  return u;
}
