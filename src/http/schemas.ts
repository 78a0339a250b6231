/**
 * The API's request and response schemas, derived from the registries (generate options, output
 * formats, error codes, the decode result's schema): Fastify validates, serialises and documents with them.
 */
import { ERRORS } from '../errors.js';
import { IdPhotoReportSchema } from '../idphoto/report.js';
import { OUTPUT_FORMAT_SPECS } from '../qr/formats.js';
import { GENERATE_OPTION_NAMES, GENERATE_OPTION_SPECS, describeDefault, type OptionSpec } from '../qr/options.js';
import { BARCODE_FORMATS, DecodeResultSchema, MergedSequenceSchema } from '../recognise/index.js';

function optionSchema(spec: OptionSpec): object {
  const description = `${spec.description}; default ${describeDefault(spec)}`;
  if (spec.type === 'enum') return { type: 'string', enum: [...spec.accepts], description };
  if (spec.type === 'integer') return { type: 'integer', minimum: spec.min, maximum: spec.max, description };
  return { type: 'string', maxLength: 16, description };
}

const optionProperties = Object.fromEntries(GENERATE_OPTION_NAMES.map((name) => [name, optionSchema(GENERATE_OPTION_SPECS[name])]));

const text = { type: 'string', description: 'UTF-8 text to encode' } as const;

export const GenerateBodySchema = {
  type: 'object',
  properties: { text, bytes: { type: 'string', description: 'Raw bytes to encode, base64 (instead of text)' }, ...optionProperties },
  anyOf: [{ required: ['text'] }, { required: ['bytes'] }],
  additionalProperties: false,
};

export const GenerateQuerySchema = { type: 'object', properties: { text, ...optionProperties }, required: ['text'], additionalProperties: false };

export const ErrorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string', enum: ERRORS.map((e) => e.code) }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } },
      required: ['code', 'message'],
    },
  },
} as const;

export const FormatsQuerySchema = {
  type: 'object',
  properties: { formats: { type: 'string', description: `Comma-separated barcode formats (default QRCode): ${BARCODE_FORMATS.join(', ')}, or qr, matrix, linear, all` } },
} as const;

const texts = { type: 'array', items: { type: 'string' }, description: 'The texts of every code found' } as const;

export const DecodeAnswerSchema = { ...DecodeResultSchema, properties: { texts, ...DecodeResultSchema.properties }, required: ['texts', ...DecodeResultSchema.required] };

/** One entry per file of a batch: its decode result, or its error. */
export const BatchAnswerSchema = {
  type: 'object',
  properties: {
    texts,
    sequences: { type: 'array', items: MergedSequenceSchema },
    results: { type: 'array', items: { type: 'object', properties: { file: { type: 'string' }, ...DecodeResultSchema.properties, error: ErrorSchema.properties.error }, required: ['file'] } },
  },
  required: ['texts', 'sequences', 'results'],
};

export const CompatDecodeSchema = { type: 'object', properties: { texts }, required: ['texts'] };

/** The error responses a route documents. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorSchema]));
}

export const GENERATE_CONTENT_TYPES = Object.values(OUTPUT_FORMAT_SPECS).map((f) => f.contentType.split(';')[0]!);

const range = { type: 'object', properties: { min: { type: 'number' }, max: { type: 'number' } }, required: ['min', 'max'] } as const;
/** A length on a photo: one of { mm }, { px } or { fraction } (of the height), each a range. */
const length = { type: 'object', properties: { mm: range, px: range, fraction: range } } as const;
const pxRange = { ...range, description: 'pixels of the finished photo' };

export const IdPhotoSpecsSchema = {
  type: 'object',
  properties: {
    specs: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          name: { type: 'object', properties: { en: { type: 'string' }, zh: { type: 'string' } }, required: ['en', 'zh'] },
          region: { type: 'string', description: 'ISO 3166 alpha-2, EU, or studio (print conventions)' },
          size: { type: 'object', properties: { widthMm: { type: 'number' }, heightMm: { type: 'number' }, widthPx: { type: 'integer' }, heightPx: { type: 'integer' } } },
          dpi: { type: 'number' },
          head: { ...length, description: 'chin to crown' },
          crown: { type: 'string', enum: ['hair', 'skull'], description: 'where the head is measured to: the top of the hair or of the skull' },
          crownMargin: { ...length, description: 'crown to the top edge' },
          eyesFromBottom: length,
          backgrounds: { type: 'array', items: { type: 'string' }, description: 'allowed colours, the default first' },
          fileKb: range,
          status: { type: 'string', enum: ['official', 'two-sources', 'one-source', 'conflict', 'convention'] },
          sources: { type: 'array', items: { type: 'string' } },
          conflicts: { type: 'array', items: { type: 'object', properties: { rule: { type: 'string' }, values: { type: 'array', items: { type: 'string' } } } } },
          pixels: {
            type: 'object',
            description: 'the spec in pixels of the finished photo',
            properties: { width: { type: 'integer' }, height: { type: 'integer' }, dpi: { type: 'number' }, head: pxRange, crownMargin: pxRange, eyesFromTop: pxRange },
            required: ['width', 'height', 'dpi'],
          },
        },
        required: ['id', 'name', 'region', 'size', 'dpi', 'crown', 'backgrounds', 'status', 'sources', 'pixels'],
      },
    },
    sheets: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' }, aliases: { type: 'array', items: { type: 'string' } }, widthMm: { type: 'number' }, heightMm: { type: 'number' } },
      },
    },
    engines: {
      type: 'array',
      description: 'the matting engines, their licences, and whether each is installed here (with the reason and how to install it when not)',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          licence: { type: 'string' },
          default: { type: 'boolean' },
          model: { type: 'string' },
          weights: { type: 'string' },
          optional: { type: 'boolean' },
          available: { type: 'boolean' },
          reason: { type: 'string' },
        },
        required: ['name', 'licence', 'default', 'available'],
      },
    },
  },
  required: ['specs', 'sheets', 'engines'],
} as const;

const EncodedImageSchema = {
  type: 'object',
  properties: { contentType: { type: 'string' }, data: { type: 'string', description: 'base64' }, width: { type: 'integer' }, height: { type: 'integer' }, dpi: { type: 'number' } },
  required: ['contentType', 'data', 'width', 'height', 'dpi'],
  additionalProperties: false,
} as const;

/** POST /api/v1/idphoto with Accept: application/json. */
export const IdPhotoAnswerSchema = {
  type: 'object',
  properties: {
    photo: EncodedImageSchema,
    hires: { anyOf: [EncodedImageSchema, { type: 'null' }], description: 'the copy at twice the dpi, when `hires` was asked for' },
    sheet: { anyOf: [EncodedImageSchema, { type: 'null' }], description: 'the print sheet, when `sheet` was asked for' },
    report: IdPhotoReportSchema,
  },
  required: ['photo', 'hires', 'sheet', 'report'],
  additionalProperties: false,
} as const;

/** One line of POST /api/v1/batch/decode's NDJSON answer: an image's decode (as /api/v1/decode answers it) with its file, or its error. */
export const BatchDecodeLineSchema = {
  description: 'One JSON object per line (application/x-ndjson), one line per image in input order; or CSV with Accept: text/csv',
  type: 'object',
  properties: {
    file: { type: 'string', description: "The image's file name in the archive or form (a label, sanitised)" },
    texts,
    ...DecodeResultSchema.properties,
    error: ErrorSchema.properties.error,
  },
};

/** POST /api/v1/batch/generate's query string: the default generate options of every row. */
export const BatchGenerateQuerySchema = { type: 'object', properties: optionProperties, additionalProperties: false };
