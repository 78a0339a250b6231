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

/** Neighbours this many modules away still count (a 0.8-module blur puts under 0.2 % beyond); blur() is written out for these five taps. */
const REACH = 2;
/** Conjugate-gradient steps: the system is well conditioned enough (~22 at 0.6 module) that a dozen converge, and stopping there keeps noise from being amplified further. */
const ITERATIONS = 12;

/** The separable blur of a size x size grid (modules outside count as 0); `row` is scratch of size + 2 x REACH. */
function blur(m: Float64Array, size: number, k: Float64Array, row: Float64Array, tmp: Float64Array, out: Float64Array): void {
  const [k2, k1, k0] = [k[0]!, k[1]!, k[2]!];
  // Along rows, from a copy padded with zeros: no bounds checks in the inner loop.
  for (let r = 0; r < size; r++) {
    const base = r * size;
    row.set(m.subarray(base, base + size), REACH);
    for (let c = 0, p = REACH; c < size; c++, p++) tmp[base + c] = k0 * row[p]! + k1 * (row[p - 1]! + row[p + 1]!) + k2 * (row[p - 2]! + row[p + 2]!);
  }
  // Along columns, a whole row at a time: the rows beyond the edge contribute nothing.
  const addRow = (base: number, from: number, weight: number): void => {
    if (from < 0 || from >= size) return;
    for (let c = 0, o = from * size; c < size; c++) out[base + c]! += weight * tmp[o + c]!;
  };
  for (let r = 0; r < size; r++) {
    const base = r * size;
    for (let c = 0; c < size; c++) out[base + c] = k0 * tmp[base + c]!;
    addRow(base, r - 1, k1);
    addRow(base, r + 1, k1);
    addRow(base, r - 2, k2);
    addRow(base, r + 2, k2);
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
  const row = new Float64Array(size + 2 * REACH);
  // The light level: the 95th percentile of every 7th centre.
  const every7th = new Float64Array(Math.ceil(n / 7));
  for (let i = 0; i < every7th.length; i++) every7th[i] = centres[7 * i]!;
  every7th.sort();
  const light = every7th[Math.floor(0.95 * (every7th.length - 1))]!;
  const inside = new Float64Array(n);
  blur(new Float64Array(n).fill(1), size, k, row, tmp, inside);
  // Starting from the centres themselves: r = (centres - the quiet zone's share of each at the light level) - blur(u).
  const u = Float64Array.from(centres);
  const r = new Float64Array(n);
  blur(u, size, k, row, tmp, r);
  for (let i = 0; i < n; i++) r[i] = centres[i]! - (1 - inside[i]!) * light - r[i]!;
  const p = Float64Array.from(r);
  const q = new Float64Array(n);
  let rr = dot(r, r);
  for (let it = 0; it < ITERATIONS && rr > 1e-9 * n; it++) {
    blur(p, size, k, row, tmp, q);
    const alpha = rr / dot(p, q);
    for (let i = 0; i < n; i++) {
      u[i] = u[i]! + alpha * p[i]!;
      r[i] = r[i]! - alpha * q[i]!;
    }
    const next = dot(r, r);
    const beta = next / rr;
    for (let i = 0; i < n; i++) p[i] = r[i]! + beta * p[i]!;
    rr = next;
  }
  return u;
}
