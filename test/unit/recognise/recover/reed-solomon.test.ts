import ReedSolomonEncoder from 'qrcode/lib/core/reed-solomon-encoder.js';
import { describe, expect, it } from 'vitest';
import { correctErrata } from '../../../../src/recognise/recover/reed-solomon.js';

let seed = 12345;
const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) % n;

/** A block of `data` random data codewords followed by its `ecCount` check codewords, as a QR block is laid out. */
function codeword(data: number, ecCount: number): Uint8Array {
  const bytes = Uint8Array.from({ length: data }, () => random(256));
  return new Uint8Array([...bytes, ...new ReedSolomonEncoder(ecCount).encode(bytes)]);
}

/** `count` distinct positions in 0..n-1. */
function positions(n: number, count: number): number[] {
  const all = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = random(i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.slice(0, count);
}

function damage(block: Uint8Array, at: readonly number[]): Uint8Array {
  const out = block.slice();
  for (const i of at) out[i]! ^= 1 + random(255);
  return out;
}

describe('Reed-Solomon errors-and-erasures decoding', () => {
  it('corrects t errors and e erasures whenever 2t + e <= the check codewords, and counts the errors', () => {
    // The block shapes of QR versions 1-40 range from 7 to 30 check codewords, 19 to 153 codewords in all.
    for (const [data, ecCount] of [
      [19, 7],
      [16, 10],
      [13, 13],
      [9, 17],
      [15, 28],
      [123, 30],
      [45, 30],
    ] as const) {
      for (let erasures = 0; erasures <= ecCount; erasures++) {
        const errors = Math.floor((ecCount - erasures) / 2);
        const clean = codeword(data, ecCount);
        const at = positions(clean.length, erasures + errors);
        const block = damage(clean, at);
        expect(correctErrata(block, ecCount, at.slice(0, erasures)), `${data}+${ecCount}, ${erasures} erased, ${errors} wrong`).toBe(errors);
        expect([...block]).toEqual([...clean]);
      }
    }
  });

  it('needs no erasures to be wrong: erased codewords that were right are kept', () => {
    const clean = codeword(20, 10);
    const block = damage(clean, [3]);
    expect(correctErrata(block, 10, [0, 1, 2, 3, 4, 5])).toBe(0);
    expect([...block]).toEqual([...clean]);
  });

  it('leaves a codeword as it is', () => {
    const clean = codeword(40, 18);
    const block = clean.slice();
    expect(correctErrata(block, 18, [])).toBe(0);
    expect([...block]).toEqual([...clean]);
  });

  it('refuses, leaving the block unchanged, what would spend the margin', () => {
    const clean = codeword(20, 10);
    // 2 errors + 4 erasures use 8 of 10 check codewords: fine with a margin of 2, not of 3.
    const at = positions(clean.length, 6);
    const block = damage(clean, at);
    const damaged = block.slice();
    expect(correctErrata(block, 10, at.slice(0, 4), 3)).toBe(-1);
    expect([...block]).toEqual([...damaged]);
    expect(correctErrata(block, 10, at.slice(0, 4), 2)).toBe(2);
    expect([...block]).toEqual([...clean]);
  });

  it('with a margin of 3, refuses damage that needs the full capacity (and never returns a wrong block)', () => {
    let refused = 0;
    for (let trial = 0; trial < 300; trial++) {
      const clean = codeword(16, 10);
      // 4 erasures and 3 errors: 2 x 3 + 4 = 10 is the full capacity, so a margin of 3 must refuse (or, by chance, find the true block).
      const at = positions(clean.length, 7);
      const block = damage(clean, at);
      const found = correctErrata(block, 10, at.slice(0, 4), 3);
      if (found < 0) refused++;
      else expect([...block]).toEqual([...clean]);
    }
    expect(refused).toBe(300);
  });
});
