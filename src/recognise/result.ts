/**
 * What a decode returns. The JSON schemas are the contract (the HTTP responses are serialised and
 * documented with them) and the TypeScript types are derived from them, so the two cannot drift.
 * Shared by the cascade (pool threads, CLI) and the HTTP layer, which must not load the image decoders.
 */
import type { FromSchema } from 'json-schema-to-ts';

export const PointSchema = {
  type: 'object',
  properties: { x: { type: 'number' }, y: { type: 'number' } },
  required: ['x', 'y'],
  additionalProperties: false,
} as const;
export type Point = FromSchema<typeof PointSchema>;

/** A symbol's outer corners in the image, as zxing reports them. */
export const QuadSchema = {
  type: 'object',
  properties: { topLeft: PointSchema, topRight: PointSchema, bottomRight: PointSchema, bottomLeft: PointSchema },
  required: ['topLeft', 'topRight', 'bottomRight', 'bottomLeft'],
  additionalProperties: false,
} as const;
export type Quad = FromSchema<typeof QuadSchema>;

export const DecodedCodeSchema = {
  type: 'object',
  properties: {
    text: { type: 'string' },
    format: { type: 'string', description: 'zxing-cpp format name, e.g. QRCode' },
    position: { ...QuadSchema, description: 'Corners in the coordinates of the uploaded image (after EXIF orientation)' },
    contentType: { type: 'string', description: 'Text, Binary, Mixed, GS1, ISO15434 or UnknownECI' },
    bytes: { type: 'string', description: 'base64 of the raw payload, when it is not text' },
    ecLevel: { type: 'string' },
    version: { type: 'string' },
    hasEci: { type: 'boolean' },
    orientation: { type: 'number', description: 'Rotation in degrees' },
    inverted: { type: 'boolean' },
    mirrored: { type: 'boolean' },
    sequence: {
      type: 'object',
      description: "Structured append: this symbol's place in its sequence",
      properties: { index: { type: 'integer' }, size: { type: 'integer' }, id: { type: 'string' } },
      required: ['index', 'size', 'id'],
      additionalProperties: false,
    },
  },
  required: ['text', 'format', 'position', 'contentType', 'hasEci', 'orientation', 'inverted', 'mirrored'],
  additionalProperties: false,
} as const;
export type DecodedCode = FromSchema<typeof DecodedCodeSchema>;

export const MergedSequenceSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, text: { type: 'string' }, parts: { type: 'integer' } },
  required: ['id', 'text', 'parts'],
  additionalProperties: false,
} as const;
export type MergedSequence = FromSchema<typeof MergedSequenceSchema>;

export const DecodeResultSchema = {
  type: 'object',
  properties: {
    codes: { type: 'array', items: DecodedCodeSchema },
    sequences: { type: 'array', items: MergedSequenceSchema, description: 'Structured-append sequences whose every part was found, merged in order' },
    width: { type: 'integer' },
    height: { type: 'integer' },
    imageFormat: { type: 'string', description: 'jpeg, png, webp, gif, tiff, bmp, ...' },
    damaged: { type: 'boolean', description: 'The image was damaged (e.g. truncated); what could be read was used' },
    pass: { type: 'string', description: "The cascade's passes that found codes, joined with '+' (e.g. fast, fast+high-res), or none" },
  },
  required: ['codes', 'sequences', 'width', 'height', 'imageFormat', 'damaged', 'pass'],
  additionalProperties: false,
} as const;
export type DecodeResult = FromSchema<typeof DecodeResultSchema>;

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
