/** The eight data-mask patterns of ISO/IEC 18004 and where the format information sits. */
import { MASK_COUNT } from './tables.js';

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

/** Per symbol size, byte k has bit t set where mask t inverts module k: computed once per size. */
const patternsBySize = new Map<number, Uint8Array>();

export function maskPatterns(size: number): Uint8Array {
  let patterns = patternsBySize.get(size);
  if (!patterns) {
    patterns = new Uint8Array(size * size);
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        let bits = 0;
        for (let t = 0; t < MASK_COUNT; t++) if (MASKS[t]!(i, j)) bits |= 1 << t;
        patterns[i * size + j] = bits;
      }
    }
    patternsBySize.set(size, patterns);
  }
  return patterns;
}

/** The module index of format bit i, in its first and its second copy (where node-qrcode's setupFormatInfo puts them). */
export function formatPositions(size: number, i: number): [number, number] {
  const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
  const col = i < 8 ? size - i - 1 : i < 9 ? 15 - i : 14 - i;
  return [row * size + 8, 8 * size + col];
}

/** The module that is dark in every symbol, beside the lower-left finder. */
export function darkModule(size: number): number {
  return (size - 8) * size + 8;
}
