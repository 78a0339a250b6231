import { EC_LEVELS, GENERATE_LIMITS, OUTPUT_FORMATS } from '../qr/options.js';

const colour = { type: 'string', description: 'Hex colour (#rgb, #rrggbb, #rrggbbaa) or "transparent"', maxLength: 16 } as const;

/** Generate options as JSON Schema, derived from the core's option lists; the core validates again (the CLI has no schema). */
export const generateOptionProperties = {
  ec: { type: 'string', enum: [...EC_LEVELS, ...EC_LEVELS.map((l) => l.toLowerCase())], description: 'Error correction level; default H (~30% may be damaged)' },
  version: { type: 'integer', minimum: 1, maximum: 40, description: 'Symbol version; default: the smallest that fits' },
  mask: { type: 'integer', minimum: 0, maximum: 7, description: 'Mask pattern; default: chosen by the standard penalty rules' },
  margin: { type: 'integer', minimum: 0, maximum: GENERATE_LIMITS.maxMargin, description: 'Quiet zone in modules; default 4' },
  scale: { type: 'integer', minimum: 1, maximum: GENERATE_LIMITS.maxScale, description: 'Pixels per module; default 10' },
  size: { type: 'integer', minimum: GENERATE_LIMITS.minSize, maximum: GENERATE_LIMITS.maxSize, description: 'Exact width/height in pixels (overrides scale)' },
  dark: colour,
  light: colour,
  format: { type: 'string', enum: [...OUTPUT_FORMATS], description: 'png (default), svg, txt (terminal), json (data URI + symbol info)' },
} as const;

export const generateBodySchema = {
  type: 'object',
  properties: {
    text: { type: 'string', description: 'UTF-8 text to encode' },
    bytes: { type: 'string', description: 'Raw bytes to encode, base64 (instead of text)' },
    ...generateOptionProperties,
  },
  anyOf: [{ required: ['text'] }, { required: ['bytes'] }],
  additionalProperties: false,
} as const;

export const generateQuerySchema = {
  type: 'object',
  properties: { text: { type: 'string', description: 'UTF-8 text to encode' }, ...generateOptionProperties },
  required: ['text'],
  additionalProperties: false,
} as const;

export const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } },
      required: ['code', 'message'],
    },
  },
} as const;

const point = { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } } as const;

export const decodeResponseSchema = {
  type: 'object',
  properties: {
    texts: { type: 'array', items: { type: 'string' } },
    codes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          text: { type: 'string' },
          format: { type: 'string' },
          position: { type: 'object', properties: { topLeft: point, topRight: point, bottomRight: point, bottomLeft: point } },
          contentType: { type: 'string' },
          bytes: { type: 'string', description: 'base64 of the raw payload, when it is not text' },
          ecLevel: { type: 'string' },
          version: { type: 'string' },
          hasEci: { type: 'boolean' },
          orientation: { type: 'number' },
          inverted: { type: 'boolean' },
          mirrored: { type: 'boolean' },
          sequence: { type: 'object', properties: { index: { type: 'integer' }, size: { type: 'integer' }, id: { type: 'string' } } },
        },
      },
    },
    sequences: { type: 'array', items: { type: 'object', properties: { id: { type: 'string' }, text: { type: 'string' }, parts: { type: 'integer' } } } },
    width: { type: 'integer' },
    height: { type: 'integer' },
    imageFormat: { type: 'string' },
    damaged: { type: 'boolean' },
  },
} as const;

/** One entry per file of a batch: its decode result, or its error. */
export const batchResponseSchema = {
  type: 'object',
  properties: {
    texts: { type: 'array', items: { type: 'string' } },
    sequences: decodeResponseSchema.properties.sequences,
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: { file: { type: 'string' }, ...decodeResponseSchema.properties, error: errorSchema.properties.error },
      },
    },
  },
} as const;
