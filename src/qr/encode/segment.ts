/**
 * Splits text into numeric, alphanumeric and byte (UTF-8) segments with the
 * fewest bits, by dynamic programming over the characters (the method of
 * Nayuki's QR Code generator, "optimal segment mode switching"). node-qrcode
 * finds the same minimum with a shortest path over a graph of regex runs, a
 * search too costly for a cache-miss generate (see docs/design/generation.md).
 */
import { dataCapacityBits, type EcLevel } from '../spec/index.js';

export type SegmentMode = 'numeric' | 'alphanumeric' | 'byte';

export interface TextSegment {
  readonly mode: SegmentMode;
  readonly data: string;
}

const MODES: readonly SegmentMode[] = ['byte', 'alphanumeric', 'numeric'];
const BYTE = 0;
const ALPHANUMERIC = 1;
const NUMERIC = 2;

/** Character count indicator bits per mode for versions 1-9, 10-26, 27-40 (ISO/IEC 18004 table 3). */
const COUNT_BITS: Readonly<Record<SegmentMode, readonly [number, number, number]>> = {
  numeric: [10, 12, 14],
  alphanumeric: [9, 11, 13],
  byte: [8, 16, 16],
};

/** 2: numeric (and alphanumeric), 1: alphanumeric, 0: byte only; for the ASCII range. */
const CHAR_CLASS = new Uint8Array(128);
for (const c of '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:') CHAR_CLASS[c.charCodeAt(0)] = c >= '0' && c <= '9' ? 2 : 1;

function countBits(mode: SegmentMode, version: number): number {
  return COUNT_BITS[mode][version <= 9 ? 0 : version <= 26 ? 1 : 2];
}

function utf8Length(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** UTF-8 length of a string as TextEncoder writes it (a lone surrogate as U+FFFD), without Node's Buffer: the core also runs in browsers. */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const pair = unit >= 0xd800 && unit <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) i++;
    bytes += pair ? 4 : utf8Length(unit);
  }
  return bytes;
}

/** Bits a segment takes in a symbol of `version`, mode and count headers included. */
export function segmentBits(segment: TextSegment, version: number): number {
  const n = segment.data.length;
  const body = segment.mode === 'numeric' ? 10 * Math.floor(n / 3) + [0, 4, 7][n % 3]! : segment.mode === 'alphanumeric' ? 11 * Math.floor(n / 2) + 6 * (n % 2) : 8 * utf8Bytes(segment.data);
  return 4 + countBits(segment.mode, version) + body;
}

/** The segmentation with the fewest bits for the character count indicators of `version`. */
export function optimalSegments(text: string, version: number): TextSegment[] {
  const codePoints = Array.from(text, (c) => c.codePointAt(0)!);
  const n = codePoints.length;
  // Costs in sixths of a bit: a numeric character takes 10/3 bits, an alphanumeric one 11/2.
  const head = MODES.map((m) => (4 + countBits(m, version)) * 6);
  // from[i * 3 + j]: the mode character i is encoded in when the path is in state j after it (-1: impossible).
  const from = new Int8Array(n * 3).fill(-1);
  // Two rows of costs, swapped per character: allocating arrays per character would dominate the run time.
  let previous = Float64Array.from(head);
  let current = new Float64Array(3);
  const ended = new Float64Array(3);
  for (let i = 0; i < n; i++) {
    const c = codePoints[i]!;
    current.fill(Infinity);
    current[BYTE] = previous[BYTE]! + utf8Length(c) * 48;
    from[i * 3 + BYTE] = BYTE;
    const charClass = c < 0x80 ? CHAR_CLASS[c]! : 0;
    if (charClass >= 1) {
      current[ALPHANUMERIC] = previous[ALPHANUMERIC]! + 33;
      from[i * 3 + ALPHANUMERIC] = ALPHANUMERIC;
    }
    if (charClass === 2) {
      current[NUMERIC] = previous[NUMERIC]! + 20;
      from[i * 3 + NUMERIC] = NUMERIC;
    }
    // A new segment may start after this character: round the old one up to whole bits, add the new header.
    for (let mode = 0; mode < 3; mode++) ended[mode] = Math.ceil(current[mode]! / 6) * 6;
    for (let to = 0; to < 3; to++) {
      for (let mode = 0; mode < 3; mode++) {
        const cost = ended[mode]! + head[to]!;
        if (Number.isFinite(ended[mode]!) && cost < current[to]!) {
          current[to] = cost;
          from[i * 3 + to] = mode;
        }
      }
    }
    [previous, current] = [current, previous];
  }
  let state = previous.indexOf(Math.min(...previous));
  const modeOf = new Int8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    state = from[i * 3 + state]!;
    modeOf[i] = state;
  }
  const segments: TextSegment[] = [];
  let start = 0;
  let offset = 0;
  let startOffset = 0;
  for (let i = 0; i < n; i++) {
    offset += codePoints[i]! > 0xffff ? 2 : 1;
    if (i === n - 1 || modeOf[i + 1] !== modeOf[i]) {
      segments.push({ mode: MODES[modeOf[start]!]!, data: text.slice(startOffset, offset) });
      start = i + 1;
      startOffset = offset;
    }
  }
  return segments;
}

/**
 * The fewest-bits segmentation of `text` for the smallest version that holds it,
 * or, when `version` is given, for that version; undefined when no version can
 * (the caller reports the data as too long).
 */
export function segmentsFor(text: string, ec: EcLevel, version?: number): TextSegment[] | undefined {
  const classes = version
    ? [[version, version]]
    : [
        [1, 9],
        [10, 26],
        [27, 40],
      ];
  for (const [first, last] of classes as [number, number][]) {
    const segments = optimalSegments(text, last);
    const bits = segments.reduce((sum, s) => sum + segmentBits(s, last), 0);
    for (let v = first; v <= last; v++) if (bits <= dataCapacityBits(v, ec)) return segments;
  }
  return undefined;
}
