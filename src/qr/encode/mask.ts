/**
 * The data-mask choice of ISO/IEC 18004 (the lowest N1-N4 penalty), scored
 * exactly as node-qrcode scores it. All eight masks are scored in one pass:
 * each module is one byte whose bit t is its colour under mask t, so every
 * rule is a few bitwise operations for the eight candidates at once, and
 * per-mask counts come from 256-entry histograms of those bytes.
 * Why: scoring one mask at a time, as node-qrcode's getBestMask does (even on
 * flat arrays), is a large share of a cache-miss generate; scoring all eight at
 * once is several times cheaper (see docs/design/generation.md).
 */
import { darkModule, formatBits, formatPositions, maskPatterns, MASK_COUNT, type EcLevel } from '../spec/index.js';

const ALL = 0xff;
const MAX_SIZE = 177;

// Scratch space, reused by every call (one set per thread).
const lanes = new Uint8Array(MAX_SIZE * MAX_SIZE);
const line = new Uint8Array(MAX_SIZE);
const finderCore = new Uint8Array(MAX_SIZE);
const light4 = new Uint8Array(MAX_SIZE);
const runs5 = new Int32Array(256);
const runs6 = new Int32Array(256);
const finders = new Int32Array(256);
const blocks = new Int32Array(256);
const darks = new Int32Array(256);

/**
 * One row or column (in `line`, `n` modules) into the histograms.
 * N1: a run of L >= 5 scores L - 2, i.e. 3 where its first five modules end and 1 for each module after.
 * N3: the 11-module windows 10111010000 and 00001011101 (node-qrcode's 0x5D0 and 0x05D), as the
 * core 1011101 followed or preceded by four light modules.
 */
function scanLine(n: number): void {
  let eq1 = 0;
  let eq2 = 0;
  let eq3 = 0;
  let eq4 = 0;
  let prev = line[0]!;
  for (let p = 1; p < n; p++) {
    const v = line[p]!;
    const eq = ~(v ^ prev) & ALL;
    const five = eq & eq1 & eq2 & eq3;
    if (five) {
      const six = five & eq4;
      runs5[five & ~six]! += 1;
      runs6[six]! += 1;
    }
    eq4 = eq3;
    eq3 = eq2;
    eq2 = eq1;
    eq1 = eq;
    prev = v;
    light4[p] = p >= 3 ? ~(line[p - 3]! | line[p - 2]! | line[p - 1]! | v) & ALL : 0;
    finderCore[p] = p >= 6 ? line[p - 6]! & ~line[p - 5]! & line[p - 4]! & line[p - 3]! & line[p - 2]! & ~line[p - 1]! & v & ALL : 0;
    if (p >= 10) {
      // The two windows differ, so one mask never matches both at one position: their union counts each once.
      const found = (finderCore[p - 4]! & light4[p]!) | (light4[p - 7]! & finderCore[p]!);
      if (found) finders[found]! += 1;
    }
  }
}

/** Adds `weight` x the histogram's count to each mask whose bit is set in the counted bytes. */
function addPerMask(histogram: Int32Array, weight: number, scores: Float64Array): void {
  for (let v = 1; v < 256; v++) {
    const count = histogram[v]!;
    if (count === 0) continue;
    for (let t = 0; t < MASK_COUNT; t++) if ((v >> t) & 1) scores[t]! += count * weight;
  }
}

/**
 * The N1+N2+N3+N4 penalty of each of the eight masks for a symbol built with
 * mask `applied` (format bits included, as node-qrcode scores it).
 */
export function maskPenalties(modules: Uint8Array, reserved: Uint8Array, size: number, ec: EcLevel, applied: number): number[] {
  const patterns = maskPatterns(size);
  const appliedBit = 1 << applied;
  const count = size * size;
  for (let k = 0; k < count; k++) {
    // Data modules: undo `applied` and apply each mask t; function modules stay as they are.
    const flip = reserved[k] ? 0 : (patterns[k]! & appliedBit ? ~patterns[k]! : patterns[k]!) & ALL;
    lanes[k] = (modules[k] ? ALL : 0) ^ flip;
  }
  for (let i = 0; i < 15; i++) {
    let bits = 0;
    for (let t = 0; t < MASK_COUNT; t++) bits |= ((formatBits(ec, t) >> i) & 1) << t;
    for (const k of formatPositions(size, i)) lanes[k] = bits;
  }
  lanes[darkModule(size)] = ALL;
  for (const h of [runs5, runs6, finders, blocks, darks]) h.fill(0);
  for (let i = 0; i < size; i++) {
    line.set(lanes.subarray(i * size, i * size + size));
    scanLine(size);
    for (let j = 0; j < size; j++) line[j] = lanes[j * size + i]!;
    scanLine(size);
  }
  for (let k = 0; k < count; k++) darks[lanes[k]!]! += 1;
  // N2: 2x2 blocks of one colour.
  for (let i = 0; i < size - 1; i++) {
    for (let k = i * size, end = k + size - 1; k < end; k++) {
      const a = lanes[k]!;
      const same = ~((a ^ lanes[k + 1]!) | (a ^ lanes[k + size]!) | (a ^ lanes[k + size + 1]!)) & ALL;
      if (same) blocks[same]! += 1;
    }
  }
  const scores = new Float64Array(MASK_COUNT);
  addPerMask(runs5, 3, scores);
  addPerMask(runs6, 1, scores);
  addPerMask(blocks, 3, scores);
  addPerMask(finders, 40, scores);
  const dark = new Float64Array(MASK_COUNT);
  addPerMask(darks, 1, dark);
  // N4: distance of the dark share from 50 %, in 5 % steps.
  return [...scores].map((s, t) => s + Math.abs(Math.ceil((dark[t]! * 100) / count / 5) - 10) * 10);
}

/** Writes the 15 format bits for `mask` where node-qrcode's setupFormatInfo puts them. */
function writeFormatInfo(m: Uint8Array, size: number, ec: EcLevel, mask: number): void {
  const bits = formatBits(ec, mask);
  for (let i = 0; i < 15; i++) for (const k of formatPositions(size, i)) m[k] = (bits >> i) & 1;
  m[darkModule(size)] = 1;
}

/**
 * `modules` holds a symbol built with mask `applied`; picks the mask with the
 * lowest penalty (the first on ties, as node-qrcode does), leaves the symbol
 * masked with it and returns it.
 */
export function applyBestMask(modules: Uint8Array, reserved: Uint8Array, size: number, ec: EcLevel, applied: number): number {
  const penalties = maskPenalties(modules, reserved, size, ec, applied);
  const best = penalties.indexOf(Math.min(...penalties));
  if (best !== applied) {
    const patterns = maskPatterns(size);
    const flip = (1 << applied) | (1 << best);
    for (let k = 0; k < modules.length; k++) {
      // A data module changes where exactly one of the two masks inverts it.
      const inverts = patterns[k]! & flip;
      if (!reserved[k] && inverts !== 0 && inverts !== flip) modules[k]! ^= 1;
    }
    writeFormatInfo(modules, size, ec, best);
  }
  return best;
}
