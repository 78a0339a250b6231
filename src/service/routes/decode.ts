import type { FastifyInstance, FastifyRequest } from 'fastify';
import { QrwError } from '../../core/errors.js';
import { parseFormats } from '../../decode/formats.js';
import type { DecodeResult } from '../../decode/pipeline.js';
import type { WorkerPool } from '../../pool/pool.js';
import type { Metrics } from '../metrics.js';
import { decodeResponseSchema, errorSchema } from '../schemas.js';

export interface DecodeLimits {
  readonly maxSide: number;
  readonly maxPixels: number;
}

interface Upload {
  readonly bytes: Uint8Array;
  readonly formats: unknown;
}

/** Multipart (field `image`, optional field `formats`) or a raw image body. */
async function readUpload(request: FastifyRequest<{ Querystring: { formats?: string } }>): Promise<Upload> {
  if (request.isMultipart()) {
    let bytes: Uint8Array | undefined;
    let formats: unknown = request.query.formats;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname === 'image' && !bytes) bytes = new Uint8Array(await part.toBuffer());
        else part.file.resume(); // drain fields we do not use so the stream moves on
      } else if (part.fieldname === 'formats') {
        formats = part.value;
      }
    }
    if (!bytes) throw new QrwError('MISSING_IMAGE', 'The multipart form has no file in the field "image".');
    return { bytes, formats };
  }
  if (Buffer.isBuffer(request.body)) return { bytes: new Uint8Array(request.body), formats: request.query.formats };
  throw new QrwError('UNSUPPORTED_MEDIA_TYPE', 'Send the image as multipart/form-data (field "image") or as a raw body with Content-Type image/* or application/octet-stream.');
}

export function registerDecodeRoutes(app: FastifyInstance, pool: WorkerPool, metrics: Metrics, limits: DecodeLimits): void {
  async function decode(request: FastifyRequest<{ Querystring: { formats?: string } }>): Promise<DecodeResult> {
    try {
      const upload = await readUpload(request);
      const result = await pool.run({ kind: 'decode', bytes: upload.bytes, options: { formats: parseFormats(upload.formats), ...limits } });
      metrics.decodes.inc({ outcome: result.codes.length ? 'found' : 'none' });
      return result;
    } catch (err) {
      metrics.decodes.inc({ outcome: 'error' });
      throw err;
    }
  }

  const querystring = {
    type: 'object',
    properties: { formats: { type: 'string', description: 'Comma-separated barcode formats (default QRCode; e.g. QRCode,DataMatrix,EAN13 or all)' } },
  } as const;
  const errors = { 400: errorSchema, 413: errorSchema, 415: errorSchema, 422: errorSchema, 429: errorSchema, 503: errorSchema };

  app.post<{ Querystring: { formats?: string } }>(
    '/api/v1/decode',
    {
      schema: {
        summary: 'Read every code in an image',
        description: 'multipart/form-data with the file in field "image", or the raw image as the body (Content-Type image/*).',
        tags: ['decode'],
        consumes: ['multipart/form-data', 'image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/bmp', 'image/tiff', 'application/octet-stream'],
        querystring,
        response: { 200: decodeResponseSchema, ...errors },
      },
    },
    async (request) => {
      const r = await decode(request);
      return { texts: r.codes.map((c) => c.text), ...r };
    },
  );
  // The original service's route: multipart field "image" -> {"texts": [...]}.
  app.post<{ Querystring: { formats?: string } }>(
    '/decode',
    { schema: { summary: 'Compatibility with the original service: multipart image -> {texts}', tags: ['compat'], querystring, response: { 200: { type: 'object', properties: { texts: { type: 'array', items: { type: 'string' } } } }, ...errors } } },
    async (request) => ({ texts: (await decode(request)).codes.map((c) => c.text) }),
  );
}
