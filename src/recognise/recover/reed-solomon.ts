/**
 * Reed-Solomon decoding of one QR block with erasures: codewords known to be
 * unreliable (under glare, a blotch, a blur) are given as erasures, which cost
 * half of what an unknown error costs, so a block with 2t + e <= ecCount
 * (t errors, e erasures) is corrected, where zxing, which knows no erasures,
 * stops at 2t <= ecCount. Arithmetic in node-qrcode's GF(256) (the QR field,
 * x^8 + x^4 + x^3 + x^2 + 1); the generator's roots are a^0 .. a^(ecCount-1).
 *
 * Polynomials here are arrays of coefficients, index = degree. The block's
 * codeword i is the coefficient of x^(n-1-i) (data first, error correction last).
 */
import { exp, log, mul } from '../../qr/spec/index.js';

const inverse = (a: number): number => exp(255 - log(a));

function evaluate(p: readonly number[], x: number): number {
  let y = 0;
  for (let i = p.length - 1; i >= 0; i--) y = mul(y, x) ^ p[i]!;
  return y;
}

function multiply(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i + j]! ^= mul(a[i]!, b[j]!);
  return out;
}

/** S_j = c(a^j), j = 0 .. ecCount-1; all zero for a codeword. */
function syndromes(block: Uint8Array, ecCount: number): number[] {
  const s = new Array<number>(ecCount);
  for (let j = 0; j < ecCount; j++) {
    const x = exp(j);
    let y = 0;
    for (let i = 0; i < block.length; i++) y = mul(y, x) ^ block[i]!;
    s[j] = y;
  }
  return s;
}

/** Berlekamp-Massey: the shortest error locator that generates the sequence `s`. */
function errorLocator(s: readonly number[]): number[] {
  const locator = [1];
  let previous = [1];
  let length = 0;
  let shift = 1;
  let lastDiscrepancy = 1;
  for (let r = 0; r < s.length; r++) {
    let d = s[r]!;
    for (let i = 1; i <= length; i++) d ^= mul(locator[i] ?? 0, s[r - i]!);
    if (d === 0) {
      shift++;
      continue;
    }
    const coef = mul(d, inverse(lastDiscrepancy));
    const before = locator.slice();
    for (let i = 0; i < previous.length; i++) locator[i + shift] = (locator[i + shift] ?? 0) ^ mul(coef, previous[i]!);
    if (2 * length <= r) {
      length = r + 1 - length;
      previous = before;
      lastDiscrepancy = d;
      shift = 1;
    } else {
      shift++;
    }
  }
  while (locator.length > 1 && locator[locator.length - 1] === 0) locator.pop();
  return locator;
}

/**
 * Corrects `block` in place given the indices of erased codewords; returns
 * the number of errors found beyond the erasures, or -1 (block unchanged)
 * when 2 x errors + erasures + `margin` would exceed `ecCount` or no
 * consistent correction exists. `margin` keeps that many check symbols
 * unspent, so that a block damaged beyond repair is reported as such instead
 * of being "corrected" into another codeword: each unspent symbol divides the
 * chance of a miscorrection by 256.
 */
export function correctErrata(block: Uint8Array, ecCount: number, erasures: readonly number[], margin = 0): number {
  const n = block.length;
  if (n > 255 || erasures.length + margin > ecCount) return -1;
  const s = syndromes(block, ecCount);
  if (s.every((v) => v === 0)) return 0;
  const degree = (i: number): number => n - 1 - i;
  // Forney syndromes: each erasure's term is eliminated, one syndrome per erasure is used up.
  const reduced = s.slice();
  for (const i of erasures) {
    const x = exp(degree(i));
    for (let j = 0; j < reduced.length - 1; j++) reduced[j] = mul(reduced[j]!, x) ^ reduced[j + 1]!;
    reduced.pop();
  }
  const errors = errorLocator(reduced);
  const errorCount = errors.length - 1;
  if (2 * errorCount + erasures.length + margin > ecCount) return -1;
  // Chien search: error i where the locator vanishes at a^-(degree of i).
  const positions = [...erasures];
  for (let i = 0; i < n && positions.length < erasures.length + errorCount; i++) {
    if (evaluate(errors, exp(255 - degree(i))) === 0) {
      if (erasures.includes(i)) return -1;
      positions.push(i);
    }
  }
  if (positions.length !== erasures.length + errorCount) return -1;
  // Forney: magnitude_k = X_k * Omega(X_k^-1) / Psi'(X_k^-1), Psi the locator of all errata (first root a^0).
  let psi = [1];
  for (const i of positions) psi = multiply(psi, [1, exp(degree(i))]);
  const omega = multiply(s, psi).slice(0, ecCount);
  const derivative = psi.map((c, k) => (k % 2 === 1 ? c : 0)).slice(1);
  const fixed = block.slice();
  for (const i of positions) {
    const x = exp(degree(i));
    const xInverse = inverse(x);
    const denominator = evaluate(derivative, xInverse);
    if (denominator === 0) return -1;
    fixed[i]! ^= mul(x, mul(evaluate(omega, xInverse), inverse(denominator)));
  }
  if (syndromes(fixed, ecCount).some((v) => v !== 0)) return -1;
  block.set(fixed);
  return errorCount;
}
