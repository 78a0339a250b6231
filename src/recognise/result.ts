/**
 * What a decode returns, and the merging of structured-append sequences: shared by the pipeline
 * (pool threads, CLI) and the HTTP layer, which must not load the pipeline's image decoders (sharp
 * alone adds ~23 MiB to a thread's RSS).
 */
import type { Quad } from './geometry.js';

export interface DecodedCode {
  readonly text: string;
  readonly format: string;
  /** Corners in the coordinates of the uploaded image (after EXIF orientation). */
  readonly position: Quad;
  readonly contentType: string;
  /** The payload's raw bytes, base64, when it is not text. */
  readonly bytes?: string;
  readonly ecLevel?: string;
  readonly version?: string;
  readonly hasEci: boolean;
  readonly orientation: number;
  readonly inverted: boolean;
  readonly mirrored: boolean;
  /** Structured append: this symbol's place in its sequence. */
  readonly sequence?: { readonly index: number; readonly size: number; readonly id: string };
}

export interface MergedSequence {
  readonly id: string;
  readonly text: string;
  readonly parts: number;
}

export interface DecodeResult {
  readonly codes: DecodedCode[];
  /** Structured-append sequences whose every part was found, merged in order. */
  readonly sequences: MergedSequence[];
  readonly width: number;
  readonly height: number;
  readonly imageFormat: string;
  /** The image was damaged (e.g. truncated); what could be read was used. */
  readonly damaged: boolean;
  /** The passes of the cascade that found codes, joined with '+' (e.g. 'fast', 'fast+high-res'), or 'none'. */
  readonly pass: string;
}

/** Groups structured-append parts by sequence id; a sequence is merged only when every part is present. */
export function mergeSequences(codes: readonly DecodedCode[]): MergedSequence[] {
  const groups = new Map<string, Map<number, string>>();
  const sizes = new Map<string, number>();
  for (const c of codes) {
    if (!c.sequence) continue;
    const key = `${c.format}:${c.sequence.id}`;
    if (!groups.has(key)) groups.set(key, new Map());
    groups.get(key)!.set(c.sequence.index, c.text);
    sizes.set(key, c.sequence.size);
  }
  const merged: MergedSequence[] = [];
  for (const [key, parts] of groups) {
    const size = sizes.get(key)!;
    if (parts.size !== size) continue;
    const ordered = [...Array(size).keys()].map((i) => parts.get(i));
    if (ordered.some((t) => t === undefined)) continue;
    merged.push({ id: key.slice(key.indexOf(':') + 1), text: ordered.join(''), parts: size });
  }
  return merged;
}
