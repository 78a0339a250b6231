/**
 * Hand-marked landmarks of the test portraits (test/fixtures/idphoto/portrait-landmarks.json) and the
 * head measurement's errors against them, shared by the head-placement test and bench:idphoto.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Point } from '../../src/idphoto/affine.js';
import { decodePortrait, type DecodeLimits } from '../../src/idphoto/codec/decode.js';
import { headAxis, measureHead, type HeadMeasure } from '../../src/idphoto/crop/head.js';
import { findPerson, type PipelineModels } from '../../src/idphoto/pipeline.js';

type Marked = readonly [number, number] | null;

export interface MarkedPortrait {
  readonly rightEye: Marked;
  readonly leftEye: Marked;
  readonly chin: Marked;
  readonly hairTop: Marked;
  readonly confidence: { readonly eyes: string; readonly chin: string; readonly hairTop: string };
  readonly note: string;
}

/** The marks, relative to the checkout (bench:idphoto runs this module from dist-bench/, so it takes the path from its caller). */
export const LANDMARKS_FIXTURE = 'test/fixtures/idphoto/portrait-landmarks.json';

/** The marked portraits by file name (e.g. '011.jpg'). */
export function markedPortraits(fixture: string | URL = new URL(`../../${LANDMARKS_FIXTURE}`, import.meta.url)): Record<string, MarkedPortrait> {
  return (JSON.parse(readFileSync(fixture, 'utf8')) as { portraits: Record<string, MarkedPortrait> }).portraits;
}

/** Signed errors of a head measurement against the marks; undefined where a mark is missing. */
export interface HeadErrors {
  /** Distance from the measured eye midpoint to the marked one, as a share of the marked eye distance. */
  readonly eyes?: number;
  /** Measured roll minus marked roll, degrees. */
  readonly roll?: number;
  /** (measured - marked) eye-to-chin distance, as a share of the marked one. */
  readonly chin?: number;
  /** (measured - marked) eye-to-hair-top distance, as a share of the marked head height (chin to hair top). */
  readonly hairTop?: number;
  /** (measured - marked) head height, chin to the top of the hair, as a share of the marked one. */
  readonly headHeight?: number;
}

const point = (m: Marked): Point | undefined => (m ? { x: m[0], y: m[1] } : undefined);

/** Distances along the marked head's own vertical axis (perpendicular to the marked eye line), as measureHead takes them. */
export function headErrors(head: HeadMeasure, marked: MarkedPortrait): HeadErrors {
  const right = point(marked.rightEye);
  const left = point(marked.leftEye);
  if (!right || !left) return {};
  const { eyes, eyeDistance, roll, above } = headAxis(right, left);
  const chinMark = point(marked.chin);
  const hairMark = point(marked.hairTop);
  const chin = chinMark && -above(chinMark);
  const hair = hairMark && above(hairMark);
  return {
    eyes: Math.hypot(head.eyes.x - eyes.x, head.eyes.y - eyes.y) / eyeDistance,
    roll: head.roll - roll,
    ...(chin !== undefined && { chin: (head.chinBelowEyes - chin) / chin }),
    ...(chin !== undefined && hair !== undefined && { hairTop: (head.hairAboveEyes - hair) / (chin + hair), headHeight: (head.chinBelowEyes + head.hairAboveEyes - chin - hair) / (chin + hair) }),
  };
}

export interface MarkedResult {
  readonly file: string;
  readonly errors: HeadErrors;
  /** Why no head was measured (the pipeline's error code), when it refused the portrait. */
  readonly refused?: string;
}

/**
 * The pipeline's head measurement (the largest face) against the marks, on every marked portrait with both eyes
 * marked, or on those of `only`.
 */
export async function measureMarked(models: PipelineModels, dir: string, limits: DecodeLimits, options: { fixture?: string; only?: readonly string[] } = {}): Promise<MarkedResult[]> {
  const results: MarkedResult[] = [];
  for (const [file, marked] of Object.entries(markedPortraits(options.fixture))) {
    if (!marked.rightEye || !marked.leftEye || (options.only && !options.only.includes(file))) continue;
    const { rgb } = await decodePortrait(new Uint8Array(readFileSync(join(dir, file))), limits);
    try {
      const { face, matte } = await findPerson(rgb, models, 'largest', []);
      results.push({ file, errors: headErrors(measureHead(face, matte, rgb.width, rgb.height), marked) });
    } catch (err) {
      results.push({ file, errors: {}, refused: (err as { code?: string }).code ?? (err as Error).message });
    }
  }
  return results;
}

export interface ErrorSummary {
  readonly count: number;
  /** Mean signed error: the bias. */
  readonly mean: number;
  readonly medianAbs: number;
  readonly meanAbs: number;
  /** The largest |error|, signed, and its portrait. */
  readonly worst: { readonly value: number; readonly file: string };
}

/** Summary of one error over the results that have it. */
export function summarise(results: readonly MarkedResult[], key: keyof HeadErrors): ErrorSummary | undefined {
  const values = results.flatMap((r) => (r.errors[key] === undefined ? [] : [{ value: r.errors[key], file: r.file }]));
  if (values.length === 0) return undefined;
  const abs = values.map((v) => Math.abs(v.value)).sort((a, b) => a - b);
  const mid = abs.length >> 1;
  return {
    count: values.length,
    mean: values.reduce((a, v) => a + v.value, 0) / values.length,
    medianAbs: abs.length % 2 ? abs[mid]! : (abs[mid - 1]! + abs[mid]!) / 2,
    meanAbs: abs.reduce((a, v) => a + v, 0) / abs.length,
    worst: values.reduce((w, v) => (Math.abs(v.value) > Math.abs(w.value) ? v : w)),
  };
}
