/**
 * The data-mask choice of ISO/IEC 18004 (the lowest N1-N4 penalty), scored
 * exactly as node-qrcode scores it, on flat typed arrays. node-qrcode's own
 * getBestMask reads every module through method calls and measured ~37 % of the
 * CPU of cache-miss generation under load; this gives the same symbol (a test compares them) for a
 * fraction of that.
 */
import { getEncodedBits } from 'qrcode/lib/core/format-info.js';

const MASKS: ReadonlyArray<(i: number, j: number) => boolean> = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i * j) % 3) + ((i + j) % 2)) % 2 === 0,
];

/** Writes the 15 format bits for `mask` where node-qrcode's setupFormatInfo puts them. */
function writeFormatInfo(m: Uint8Array, size: number, ecLevel: { bit: number }, mask: number): void {
  const bits = getEncodedBits(ecLevel, mask);
  for (let i = 0; i < 15; i++) {
    const v = (bits >> i) & 1;
    const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
    m[row * size + 8] = v;
    const col = i < 8 ? size - i - 1 : i < 9 ? 15 - i : 14 - i;
    m[8 * size + col] = v;
  }
  m[(size - 8) * size + 8] = 1;
}

/** Per symbol size, the eight mask patterns as 0/1 per module: computed once, then reused by every symbol of that size. */
const patternsBySize = new Map<number, readonly Uint8Array[]>();

function patternsFor(size: number): readonly Uint8Array[] {
  let patterns = patternsBySize.get(size);
  if (!patterns) {
    patterns = MASKS.map((mask) => {
      const pattern = new Uint8Array(size * size);
      for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) pattern[i * size + j] = mask(i, j) ? 1 : 0;
      return pattern;
    });
    patternsBySize.set(size, patterns);
  }
  return patterns;
}

/** Writes into `out` the symbol `m` (masked with `from`) re-masked with `to` (data modules only), with the matching format bits. */
function remask(out: Uint8Array, m: Uint8Array, reserved: Uint8Array, size: number, ecLevel: { bit: number }, from: number, to: number): void {
  const patterns = patternsFor(size);
  const a = patterns[from]!;
  const b = patterns[to]!;
  for (let k = 0; k < m.length; k++) out[k] = m[k]! ^ ((a[k]! ^ b[k]!) & (reserved[k]! ^ 1));
  writeFormatInfo(out, size, ecLevel, to);
}

function penalty(m: Uint8Array, size: number): number {
  let points = 0;
  let dark = 0;
  for (let a = 0; a < size; a++) {
    // N1 (runs of 5 or more) and N3 (1:1:3:1:1 with four light modules on one side), along row a and column a.
    let runRow = 0;
    let runCol = 0;
    let lastRow = -1;
    let lastCol = -1;
    let bitsRow = 0;
    let bitsCol = 0;
    for (let b = 0; b < size; b++) {
      const r = m[a * size + b]!;
      const c = m[b * size + a]!;
      dark += r;
      if (r === lastRow) runRow++;
      else {
        if (runRow >= 5) points += runRow - 2;
        lastRow = r;
        runRow = 1;
      }
      if (c === lastCol) runCol++;
      else {
        if (runCol >= 5) points += runCol - 2;
        lastCol = c;
        runCol = 1;
      }
      bitsRow = ((bitsRow << 1) & 0x7ff) | r;
      bitsCol = ((bitsCol << 1) & 0x7ff) | c;
      if (b >= 10) {
        if (bitsRow === 0x5d0 || bitsRow === 0x05d) points += 40;
        if (bitsCol === 0x5d0 || bitsCol === 0x05d) points += 40;
      }
    }
    if (runRow >= 5) points += runRow - 2;
    if (runCol >= 5) points += runCol - 2;
  }
  // N2: 2x2 blocks of one colour.
  for (let i = 0; i < size - 1; i++) {
    for (let j = 0; j < size - 1; j++) {
      const k = i * size + j;
      const s = m[k]! + m[k + 1]! + m[k + size]! + m[k + size + 1]!;
      if (s === 0 || s === 4) points += 3;
    }
  }
  // N4: distance of the dark share from 50 %, in 5 % steps.
  points += Math.abs(Math.ceil((dark * 100) / (size * size) / 5) - 10) * 10;
  return points;
}

/**
 * `modules` holds a symbol built with mask `applied`; picks the mask with the
 * lowest penalty (the first on ties, as node-qrcode does), leaves the symbol
 * masked with it and returns it.
 */
export function applyBestMask(modules: Uint8Array, reserved: Uint8Array, size: number, ecLevel: { bit: number }, applied: number): number {
  const candidate = new Uint8Array(modules.length);
  let best = applied;
  let lowest = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < MASKS.length; mask++) {
    remask(candidate, modules, reserved, size, ecLevel, applied, mask);
    const p = penalty(candidate, size);
    if (p < lowest) {
      lowest = p;
      best = mask;
    }
  }
  if (best !== applied) remask(modules, modules, reserved, size, ecLevel, applied, best);
  return best;
}
