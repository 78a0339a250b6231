/**
 * The mutation engine: a seed's bytes changed by one to four mutations (bit flips, insertions,
 * deletions, truncation, another format's magic bytes, "interesting" values over a field, a slice
 * repeated). Offsets are biased to the first 64 bytes, where the headers that decoders trust live.
 * Each mutation is plain data, so a failing case prints what was done and fast-check can shrink it.
 */
import fc from 'fast-check';
import type { Seed } from './corpus.js';

export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number }
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'magic'; readonly format: string }
  | { readonly kind: 'overwrite'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'repeat'; readonly at: number; readonly length: number; readonly times: number };

/** The first bytes of formats a decoder may sniff for; put in front of another format's body. */
export const MAGICS: Readonly<Record<string, Uint8Array>> = {
  png: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  jpeg: Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]),
  gif: Buffer.from('GIF89a', 'latin1'),
  webp: Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1'),
  tiffLE: Uint8Array.from([0x49, 0x49, 0x2a, 0x00]),
  tiffBE: Uint8Array.from([0x4d, 0x4d, 0x00, 0x2a]),
  bmp: Buffer.from('BM', 'latin1'),
  zip: Uint8Array.from([0x50, 0x4b, 0x03, 0x04]),
  pdf: Buffer.from('%PDF-1.7\n', 'latin1'),
  svg: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="99999" height="99999">', 'latin1'),
  avif: Uint8Array.from([0, 0, 0, 0x1c, 0x66, 0x74, 0x79, 0x70, 0x61, 0x76, 0x69, 0x66]),
  heic: Uint8Array.from([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63]),
  jxl: Uint8Array.from([0xff, 0x0a]),
  ico: Uint8Array.from([0, 0, 1, 0]),
  gzip: Uint8Array.from([0x1f, 0x8b, 0x08, 0x00]),
};

/** Values that break length and size fields: zero, sign bits, all ones, just past a boundary. */
const INTERESTING = [
  [0x00],
  [0xff],
  [0x7f],
  [0x80],
  [0x00, 0x00],
  [0xff, 0xff],
  [0x7f, 0xff],
  [0x80, 0x00],
  [0x00, 0x01, 0x00, 0x00],
  [0xff, 0xff, 0xff, 0xff],
  [0x7f, 0xff, 0xff, 0xff],
  [0x80, 0x00, 0x00, 0x00],
  [0x00, 0x00, 0xea, 0x60],
  [0x60, 0xea, 0x00, 0x00],
].map((b) => Uint8Array.from(b));

/** An offset: half the time inside the first 64 bytes (the headers), else anywhere (taken modulo the length). */
const offset = fc.oneof(fc.nat(63), fc.nat());

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('flip' as const), at: offset, bit: fc.nat(7) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('insert' as const), at: offset, bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('delete' as const), at: offset, length: fc.integer({ min: 1, max: 256 }) }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('magic' as const), format: fc.constantFrom(...Object.keys(MAGICS)) }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('overwrite' as const), at: offset, bytes: fc.constantFrom(...INTERESTING) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('repeat' as const), at: offset, length: fc.integer({ min: 1, max: 512 }), times: fc.integer({ min: 2, max: 64 }) }), weight: 1 },
);

export function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  const n = bytes.length;
  const at = n === 0 ? 0 : 'at' in m ? m.at % n : 0;
  switch (m.kind) {
    case 'flip': {
      if (n === 0) return bytes;
      const out = Buffer.from(bytes);
      out[at] = out[at]! ^ (1 << m.bit);
      return out;
    }
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    case 'truncate':
      return bytes.subarray(0, at);
    case 'magic': {
      const magic = MAGICS[m.format]!;
      return Buffer.concat([magic, bytes.subarray(Math.min(magic.length, n))]);
    }
    case 'overwrite': {
      const out = Buffer.from(bytes);
      out.set(m.bytes.subarray(0, Math.max(0, n - at)), at);
      return out;
    }
    case 'repeat': {
      const slice = bytes.subarray(at, at + m.length);
      return Buffer.concat([bytes.subarray(0, at), ...Array.from({ length: m.times }, () => slice), bytes.subarray(at)]);
    }
  }
}

export function describeMutation(m: Mutation): string {
  switch (m.kind) {
    case 'flip':
      return `flip bit ${m.bit} @${m.at}`;
    case 'insert':
      return `insert ${m.bytes.length} B @${m.at}`;
    case 'delete':
      return `delete ${m.length} B @${m.at}`;
    case 'truncate':
      return `truncate @${m.at}`;
    case 'magic':
      return `${m.format} magic`;
    case 'overwrite':
      return `overwrite ${Buffer.from(m.bytes).toString('hex')} @${m.at}`;
    case 'repeat':
      return `repeat ${m.length} B x${m.times} @${m.at}`;
  }
}

export interface Mutant {
  readonly label: string;
  readonly bytes: Buffer;
}

/** A seed, sometimes as it is, mostly with one to four mutations; the label says which seed and what was done. */
export function mutantOf(seeds: readonly Seed[], options: { pristine?: number } = {}): fc.Arbitrary<Mutant> {
  const mutations = fc.oneof({ arbitrary: fc.constant([] as Mutation[]), weight: options.pristine ?? 1 }, { arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 4 }), weight: 8 });
  return fc.tuple(fc.constantFrom(...seeds), mutations).map(([seed, ms]) => ({
    label: ms.length === 0 ? seed.label : `${seed.label} [${ms.map(describeMutation).join(', ')}]`,
    bytes: ms.reduce(applyMutation, seed.bytes),
  }));
}
