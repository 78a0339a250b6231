/**
 * The compliance report that comes with every photo: what was found and measured on the result, each
 * rule of the spec passed or failed with its numbers, and the map from the upload to the photo. The
 * JSON schemas are the contract (the HTTP layer serialises with them); the types are derived from them.
 */
import type { FromSchema } from 'json-schema-to-ts';
import { composeAffine, scaleAffine, type Affine } from './affine.js';
import { pxToMm } from './geometry.js';
import { deltaE76, srgbToLab } from './matte/lab.js';
import type { PipelineResult } from './pipeline.js';
import type { IdPhotoSpec, Range } from './specs.js';

const Measure = {
  type: 'object',
  properties: { px: { type: 'number' }, mm: { type: 'number' }, percent: { type: 'number', description: "share of the photo's height" } },
  required: ['px', 'mm', 'percent'],
  additionalProperties: false,
} as const;

export const RuleSchema = {
  type: 'object',
  properties: {
    rule: { type: 'string' },
    passed: { type: 'boolean' },
    value: { type: 'string', description: 'what the photo has' },
    expected: { type: 'string', description: 'what the spec asks' },
  },
  required: ['rule', 'passed', 'value', 'expected'],
  additionalProperties: false,
} as const;
export type RuleResult = FromSchema<typeof RuleSchema>;

export const IdPhotoReportSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        width: { type: 'integer' },
        height: { type: 'integer' },
        dpi: { type: 'number' },
        crown: { type: 'string', enum: ['hair', 'skull'] },
      },
      required: ['id', 'name', 'width', 'height', 'dpi', 'crown'],
      additionalProperties: false,
    },
    engine: { type: 'string' },
    faces: { type: 'integer', description: 'faces found in the upload' },
    facesInPhoto: { type: 'integer', description: "faces the photo shows: the subject's, and others neither cut away (pick=largest) nor outside the frame" },
    face: {
      type: 'object',
      description: 'the face used, in pixels of the upload (after EXIF orientation)',
      properties: {
        score: { type: 'number' },
        x: { type: 'number' },
        y: { type: 'number' },
        width: { type: 'number' },
        height: { type: 'number' },
        landmarks: {
          type: 'string',
          enum: ['mesh', 'detector'],
          description: 'where the eyes and chin came from: the face mesh, or (where the mesh saw no face) the detector’s eyes with the chin estimated from the mouth',
        },
        yaw: {
          type: 'number',
          description: 'degrees the face is turned from the camera (positive: towards the image’s right), from the face mesh; absent without it',
        },
        mouthOpen: {
          type: 'number',
          description: 'how far the lips part: the inner lips’ gap over the mouth’s width (closed about 0-0.1), from the face mesh; absent without it',
        },
      },
      required: ['score', 'x', 'y', 'width', 'height', 'landmarks'],
      additionalProperties: false,
    },
    headHeight: { ...Measure, description: 'chin to crown by the spec’s crown rule; the chin from the face mesh (see face.landmarks)' },
    crownMargin: { ...Measure, description: 'crown to the top edge' },
    hairTop: { ...Measure, description: 'top of the hair to the top edge, measured on the result’s matte' },
    eyeLine: {
      type: 'object',
      properties: { fromTopPx: { type: 'number' }, fromBottomMm: { type: 'number' }, percentFromBottom: { type: 'number' } },
      required: ['fromTopPx', 'fromBottomMm', 'percentFromBottom'],
      additionalProperties: false,
    },
    roll: { type: 'object', properties: { measured: { type: 'number', description: 'degrees, corrected to level' } }, required: ['measured'], additionalProperties: false },
    upscale: { type: 'number', description: 'photo pixels per upload pixel (above 1: enlarged)' },
    continued: {
      type: 'number',
      description: 'share of the photo where the person is continued past the picture’s edges, smoothed from them rather than photographed (0..1; a warning above 0.1)',
    },
    background: {
      type: 'object',
      properties: {
        text: { type: 'string' },
        hex: { type: 'string' },
        share: { type: 'number', description: 'share of the photo that is background' },
        meanDeltaE: { type: 'number', description: 'mean CIE76 colour difference of the background pixels from the colour asked for (uniformity)' },
      },
      required: ['text', 'hex', 'share', 'meanDeltaE'],
      additionalProperties: false,
    },
    file: {
      type: 'object',
      properties: { bytes: { type: 'integer' }, kb: { type: 'number' }, quality: { type: 'integer' }, format: { type: 'string' } },
      required: ['bytes', 'kb', 'format'],
      additionalProperties: false,
    },
    rules: { type: 'array', items: RuleSchema },
    passed: { type: 'boolean', description: 'every rule passed' },
    warnings: { type: 'array', items: { type: 'string' } },
    transform: {
      type: 'array',
      items: { type: 'number' },
      minItems: 6,
      maxItems: 6,
      description: '[a, b, c, d, e, f]: a pixel (x, y) of the upload after EXIF orientation lands at (a x + b y + c, d x + e y + f) on the photo',
    },
    timings: { type: 'object', additionalProperties: { type: 'number' }, description: 'milliseconds per stage' },
  },
  required: [
    'spec',
    'engine',
    'faces',
    'facesInPhoto',
    'face',
    'headHeight',
    'crownMargin',
    'hairTop',
    'eyeLine',
    'roll',
    'upscale',
    'continued',
    'background',
    'rules',
    'passed',
    'warnings',
    'transform',
    'timings',
  ],
  additionalProperties: false,
} as const;
export type IdPhotoReport = FromSchema<typeof IdPhotoReportSchema>;

export interface ReportInput {
  readonly spec: IdPhotoSpec;
  readonly engine: string;
  readonly result: PipelineResult;
  /** Decoded pixels per upload pixel (the decoder shrinks large uploads). */
  readonly decodeScale: number;
  readonly background: { readonly text: string; readonly hex: string };
  readonly allowedBackgrounds: readonly string[];
  readonly file?: { readonly bytes: number; readonly format: string; readonly quality?: number; readonly minKb?: number; readonly maxKb?: number };
  readonly warnings: readonly string[];
  readonly timings: Readonly<Record<string, number>>;
}

const round = (v: number, digits = 1): number => Number(v.toFixed(digits));

/** Alpha below this is background for the uniformity measure. */
const BACKGROUND_ALPHA = 0.02;
/** Alpha at or above this is the person when the hair top is found on the result. */
const PERSON_ALPHA = 0.5;

/** The top of the person above the eye line on the result: the highest row, across the face's middle, still the person. */
function hairTopOnResult(result: PipelineResult): number {
  const { alpha, placement, head } = result;
  const { width, data } = alpha;
  const half = Math.max(1, Math.round((0.3 * head.faceWidth * placement.scale) / 2));
  const centre = Math.round(width / 2);
  let top = Math.round(placement.eyesY);
  for (let x = Math.max(0, centre - half); x <= Math.min(width - 1, centre + half); x++) {
    let y = Math.min(alpha.height - 1, Math.max(0, Math.round(placement.eyesY)));
    while (y > 0 && data[(y - 1) * width + x]! >= PERSON_ALPHA) y--;
    top = Math.min(top, y);
  }
  return top;
}

/**
 * The share of the photo that is background and its mean CIE76 difference from the fill it was composited on. The background's
 * pixels hold few distinct colours (most are the fill itself): against a solid fill each colour's difference is
 * computed once; a gradient is compared pixel by pixel.
 */
function backgroundStats(result: PipelineResult): { share: number; meanDeltaE: number } {
  const { alpha, photo, fill } = result;
  const pixel = photo.data;
  const labAt = (data: ArrayLike<number>, p: number, scale: number): [number, number, number] => srgbToLab(data[p]! / scale, data[p + 1]! / scale, data[p + 2]! / scale);
  const solid = fill && !('data' in fill) ? srgbToLab(fill[0], fill[1], fill[2]) : undefined;
  const gradient = fill && 'data' in fill ? fill.data : undefined;
  const solidDifferences = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (let i = 0, p = 0; i < alpha.data.length; i++, p += 3) {
    if (alpha.data[i]! >= BACKGROUND_ALPHA) continue;
    count++;
    if (solid) {
      const key = (pixel[p]! << 16) | (pixel[p + 1]! << 8) | pixel[p + 2]!;
      let d = solidDifferences.get(key);
      if (d === undefined) solidDifferences.set(key, (d = deltaE76(...labAt(pixel, p, 255), ...solid)));
      sum += d;
    } else if (gradient) sum += deltaE76(...labAt(pixel, p, 255), ...labAt(gradient, p, 1));
  }
  return { share: round(count / alpha.data.length, 3), meanDeltaE: round(count ? sum / count : 0, 2) };
}

const inRange = (v: number, r: Range): boolean => v >= r.min - 1e-6 && v <= r.max + 1e-6;
const fmt = (r: Range, unit: string, digits = 1): string => `${round(r.min, digits)}-${round(r.max, digits)} ${unit}`;

export function buildReport(input: ReportInput): IdPhotoReport {
  const { result, spec } = input;
  const g = result.geometry;
  const mm = (px: number): number => round(pxToMm(px, g.dpi), 2);
  const measure = (px: number): { px: number; mm: number; percent: number } => ({ px: round(px), mm: mm(px), percent: round((100 * px) / g.height) });
  const hairTop = hairTopOnResult(result);
  const crownY = spec.crown === 'hair' ? hairTop : result.placement.crownY;
  const chinY = result.placement.crownY + result.placement.headPx;
  const headPx = chinY - crownY;
  const eyesY = result.placement.eyesY;
  const rules: RuleResult[] = [];
  rules.push({
    rule: 'one face',
    passed: result.facesInPhoto === 1,
    value: result.faces === result.facesInPhoto ? `${result.faces} found` : `${result.facesInPhoto} in the photo (${result.faces} in the picture)`,
    expected: 'exactly one',
  });
  if (g.head)
    rules.push({
      rule: `head height (chin to the top of the ${spec.crown})`,
      passed: inRange(headPx, g.head),
      value: `${mm(headPx)} mm (${round(headPx)} px)`,
      expected: `${fmt({ min: pxToMm(g.head.min, g.dpi), max: pxToMm(g.head.max, g.dpi) }, 'mm')} (${fmt(g.head, 'px', 0)})`,
    });
  if (g.crownMargin)
    rules.push({
      rule: 'crown to the top edge',
      passed: inRange(crownY, g.crownMargin),
      value: `${mm(crownY)} mm`,
      expected: fmt({ min: pxToMm(g.crownMargin.min, g.dpi), max: pxToMm(g.crownMargin.max, g.dpi) }, 'mm'),
    });
  if (g.eyesFromTop) {
    const fromBottom = g.height - eyesY;
    rules.push({
      rule: 'eye line above the bottom edge',
      passed: inRange(eyesY, g.eyesFromTop),
      value: `${mm(fromBottom)} mm`,
      expected: fmt({ min: pxToMm(g.height - g.eyesFromTop.max, g.dpi), max: pxToMm(g.height - g.eyesFromTop.min, g.dpi) }, 'mm'),
    });
  }
  rules.push({ rule: 'crown inside the photo', passed: crownY > 0, value: `${mm(crownY)} mm below the top`, expected: 'space above the head' });
  const allowed = input.allowedBackgrounds.map((h) => h.toLowerCase());
  rules.push({ rule: 'background colour', passed: allowed.includes(input.background.hex.toLowerCase()), value: input.background.text, expected: allowed.join(' or ') });
  if (input.file) {
    const kb = input.file.bytes / 1024;
    if (input.file.maxKb !== undefined || input.file.minKb !== undefined) {
      const bounds = { min: input.file.minKb ?? 0, max: input.file.maxKb ?? Infinity };
      rules.push({ rule: 'file size', passed: inRange(kb, bounds), value: `${round(kb)} KB`, expected: bounds.max === Infinity ? `at least ${bounds.min} KB` : `${bounds.min}-${bounds.max} KB` });
    }
  }
  const stats = backgroundStats(result);
  const transform: Affine = composeAffine(result.transform, scaleAffine(input.decodeScale));
  const upscale = Math.hypot(transform[0], transform[3]);
  const box = result.face.box;
  const s = 1 / input.decodeScale;
  return {
    spec: { id: spec.id, name: spec.name.en, width: g.width, height: g.height, dpi: g.dpi, crown: spec.crown },
    engine: input.engine,
    faces: result.faces,
    facesInPhoto: result.facesInPhoto,
    face: {
      score: round(result.face.score, 3),
      x: round(box.x * s),
      y: round(box.y * s),
      width: round(box.width * s),
      height: round(box.height * s),
      landmarks: result.face.landmarks,
      ...(result.face.yaw !== undefined && { yaw: round(result.face.yaw) }),
      ...(result.face.mouthOpen !== undefined && { mouthOpen: round(result.face.mouthOpen, 2) }),
    },
    headHeight: measure(headPx),
    crownMargin: measure(crownY),
    hairTop: measure(hairTop),
    eyeLine: { fromTopPx: round(eyesY), fromBottomMm: mm(g.height - eyesY), percentFromBottom: round((100 * (g.height - eyesY)) / g.height) },
    roll: { measured: round(result.head.roll) },
    upscale: round(upscale, 3),
    continued: round(result.continued, 3),
    background: { text: input.background.text, hex: input.background.hex, ...stats },
    ...(input.file && { file: { bytes: input.file.bytes, kb: round(input.file.bytes / 1024), format: input.file.format, ...(input.file.quality !== undefined && { quality: input.file.quality }) } }),
    rules,
    passed: rules.every((r) => r.passed),
    warnings: [...input.warnings],
    transform: transform.map((v) => Number(v.toFixed(6))),
    timings: Object.fromEntries(Object.entries(input.timings).map(([k, v]) => [k, round(v)])),
  };
}
