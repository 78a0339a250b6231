/**
 * Error correction told where the damage is. zxing corrects a QR block of
 * n - k check codewords only while errors t satisfy 2t <= n - k, with no idea
 * which codewords are bad. Under a glare spot, a blotch or a smear the sampled
 * modules say so themselves (no contrast, values near the local threshold): the
 * codewords read from them are decoded as erasures, which cost one check
 * codeword each instead of two. The blocks are corrected here (reed-solomon.ts)
 * and the symbol is redrawn clean, with its format and version information, for
 * zxing to read as a pure symbol: the text, ECI and structured append are decoded
 * by the same reader as every other code.
 */
import { EC_LEVELS, ecBlocks, ecCodewords, formatBits, formatPositions, functionPatterns, maskPatterns, totalCodewords, type EcLevel } from '../../qr/spec/index.js';
import { correctErrata } from './reed-solomon.js';

/** A symbol's modules as sampled: 1 = dark, and how far each value was from its threshold (about 1 for a clear module, near 0 for a guess). */
export interface SampledModules {
  readonly dark: Uint8Array;
  readonly reliability: Float32Array;
  readonly size: number;
}

/** Check codewords each block keeps unspent (see correctErrata): a miscorrection is then a 1 in ~16 million chance per attempt. */
const MARGIN = 3;

/** Format candidates further than this from what was sampled (weighted mismatches over both 15-bit copies) are not tried; valid ones differ in at least 14. */
const MAX_FORMAT_DISTANCE = 7;

/** Where each data bit sits: module index of bit b (MSB first) of codeword c at 8c + b, in the standard's zigzag order. */
const bitOrders = new Map<number, Int32Array>();

function bitOrder(version: number, size: number): Int32Array {
  let order = bitOrders.get(version);
  if (order) return order;
  const { reserved } = functionPatterns(version);
  order = new Int32Array(totalCodewords(version) * 8);
  let bit = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5; // the vertical timing pattern's column
    const upward = ((right + 1) & 2) === 0;
    for (let step = 0; step < size; step++) {
      const row = upward ? size - 1 - step : step;
      for (const col of [right, right - 1]) {
        const k = row * size + col;
        if (!reserved[k] && bit < order.length) order[bit++] = k;
      }
    }
  }
  bitOrders.set(version, order);
  return order;
}

interface Format {
  readonly level: EcLevel;
  readonly mask: number;
  readonly distance: number;
}

/** The (level, mask) pairs nearest to the sampled format bits, nearest first; unreliable modules count for less. */
function formatCandidates(symbol: SampledModules): Format[] {
  const candidates: Format[] = [];
  for (const level of EC_LEVELS) {
    for (let mask = 0; mask < 8; mask++) {
      const bits = formatBits(level, mask);
      let distance = 0;
      for (let i = 0; i < 15; i++) {
        for (const k of formatPositions(symbol.size, i)) {
          if (symbol.dark[k] !== ((bits >> i) & 1)) distance += Math.min(1, symbol.reliability[k]!);
        }
      }
      candidates.push({ level, mask, distance });
    }
  }
  return candidates.filter((c) => c.distance <= MAX_FORMAT_DISTANCE).sort((a, b) => a.distance - b.distance);
}

/** The codeword indices of each block, data then check codewords, undoing the standard's interleaving. */
function blockMembers(version: number, level: EcLevel): { members: number[][]; ecCount: number } {
  const total = totalCodewords(version);
  const blocks = ecBlocks(version, level);
  const ecCount = ecCodewords(version, level) / blocks;
  const shortBlocks = blocks - (total % blocks);
  const shortData = Math.floor(total / blocks) - ecCount;
  const members: number[][] = Array.from({ length: blocks }, () => []);
  let c = 0;
  for (let i = 0; i <= shortData; i++) {
    for (let b = 0; b < blocks; b++) if (i < shortData || b >= shortBlocks) members[b]!.push(c++);
  }
  for (let i = 0; i < ecCount; i++) for (let b = 0; b < blocks; b++) members[b]!.push(c++);
  return { members, ecCount };
}

/**
 * Corrects one block, erasing ever more of its least reliable codewords until
 * the decoder succeeds with MARGIN check codewords to spare.
 */
function correctBlock(bytes: Uint8Array, trust: Float32Array, ecCount: number): boolean {
  const ranked = [...bytes.keys()].sort((a, b) => trust[a]! - trust[b]!);
  for (let erased = 0; erased + MARGIN <= ecCount; erased += 1) {
    if (correctErrata(bytes, ecCount, ranked.slice(0, erased), MARGIN) >= 0) return true;
  }
  return false;
}

/**
 * The symbol with every block corrected, redrawn clean (1 = dark), or
 * undefined when some block is beyond repair under every plausible format.
 */
export function correctSymbol(symbol: SampledModules): Uint8Array | undefined {
  const { size, dark, reliability } = symbol;
  const version = (size - 17) / 4;
  if (!Number.isInteger(version) || version < 1 || version > 40) return undefined;
  const order = bitOrder(version, size);
  const patterns = maskPatterns(size);
  const codewordCount = order.length / 8;
  for (const format of formatCandidates(symbol).slice(0, 2)) {
    const maskBit = 1 << format.mask;
    const codewords = new Uint8Array(codewordCount);
    const trust = new Float32Array(codewordCount).fill(Infinity);
    for (let i = 0; i < order.length; i++) {
      const k = order[i]!;
      const c = i >> 3;
      codewords[c]! |= (dark[k]! ^ (patterns[k]! & maskBit ? 1 : 0)) << (7 - (i & 7));
      trust[c] = Math.min(trust[c]!, reliability[k]!);
    }
    const { members, ecCount } = blockMembers(version, format.level);
    const repaired = members.every((indices) => {
      const bytes = Uint8Array.from(indices, (c) => codewords[c]!);
      if (
        !correctBlock(
          bytes,
          Float32Array.from(indices, (c) => trust[c]!),
          ecCount,
        )
      )
        return false;
      indices.forEach((c, j) => (codewords[c] = bytes[j]!));
      return true;
    });
    if (!repaired) continue;
    // A clean symbol of this version, level and mask supplies the function patterns, format and version information.
    const clean = functionPatterns(version, format.level, format.mask).modules.slice();
    for (let i = 0; i < order.length; i++) {
      const k = order[i]!;
      clean[k] = ((codewords[i >> 3]! >> (7 - (i & 7))) & 1) ^ (patterns[k]! & maskBit ? 1 : 0);
    }
    return clean;
  }
  return undefined;
}
