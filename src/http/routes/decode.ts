import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QrwError, isQrwError } from '../../errors.js';
import { parseFormats } from '../../recognise/formats.js';
import { mergeSequences, type DecodeResult } from '../../recognise/result.js';
import type { WorkerPool } from '../../workers/pool.js';
import type { Metrics } from '../../platform/metrics.js';
import { toHttpError } from '../plugins/errors.js';
import { batchResponseSchema, decodeResponseSchema, errorSchema } from '../schemas.js';

export interface DecodeLimits {
  readonly maxSide: number;
  readonly maxPixels: number;
  /** Bound on the sum of a batch's files, as on a single upload. */
  readonly maxBodyBytes: number;
}

/** Files one batch request may carry: enough for a structured-append sequence (up to 16 symbols). */
export const MAX_BATCH_FILES = 16;
const IMAGE_FIELDS = new Set(['image', 'images']);

interface Upload {
  readonly bytes: Uint8Array;
  readonly formats: unknown;
}

/** The same memory as a plain Uint8Array (`new Uint8Array(buffer)` would copy it); a whole-buffer view moves to the worker without a copy. */
function viewOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Multipart (field `image`, optional field `formats`) or a raw image body. */
async function readUpload(request: FastifyRequest<{ Querystring: { formats?: string } }>): Promise<Upload> {
  if (request.isMultipart()) {
    let bytes: Uint8Array | undefined;
    let formats: unknown = request.query.formats;
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname === 'image' && !bytes) bytes = viewOf(await part.toBuffer());
        else part.file.resume(); // drain fields we do not use so the stream moves on
      } else if (part.fieldname === 'formats') {
        formats = part.value;
      }
    }
    if (!bytes) throw new QrwError('MISSING_IMAGE', 'The multipart form has no file in the field "image".');
    return { bytes, formats };
  }
  if (Buffer.isBuffer(request.body)) return { bytes: viewOf(request.body), formats: request.query.formats };
  throw new QrwError('UNSUPPORTED_MEDIA_TYPE', 'Send the image as multipart/form-data (field "image") or as a raw body with Content-Type image/* or application/octet-stream.');
}

interface NamedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** Multipart with up to MAX_BATCH_FILES files in fields `image` or `images`; their total is bounded like one upload. */
async function readBatch(request: FastifyRequest<{ Querystring: { formats?: string } }>, maxBodyBytes: number): Promise<{ files: NamedFile[]; formats: unknown }> {
  if (!request.isMultipart()) throw new QrwError('UNSUPPORTED_MEDIA_TYPE', `Send the images as multipart/form-data, each file in a field "image" (at most ${MAX_BATCH_FILES}).`);
  const files: NamedFile[] = [];
  let formats: unknown = request.query.formats;
  let total = 0;
  const parts = request.parts({ limits: { files: MAX_BATCH_FILES, parts: MAX_BATCH_FILES + 8 } });
  for await (const part of tooManyAsOurs(parts)) {
    if (part.type === 'file') {
      if (!IMAGE_FIELDS.has(part.fieldname)) {
        part.file.resume();
        continue;
      }
      const bytes = viewOf(await part.toBuffer());
      total += bytes.byteLength;
      if (total > maxBodyBytes) throw new QrwError('BODY_TOO_LARGE', `The batch's files add up to more than the limit of ${maxBodyBytes} bytes.`, { limit: maxBodyBytes });
      files.push({ name: part.filename || `image-${files.length + 1}`, bytes });
    } else if (part.fieldname === 'formats') {
      formats = part.value;
    }
  }
  if (files.length === 0) throw new QrwError('MISSING_IMAGE', 'The multipart form has no file in the field "image".');
  return { files, formats };
}

/** The multipart limit, reported with the batch's own number instead of the generic message. */
async function* tooManyAsOurs<T>(parts: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* parts;
  } catch (err) {
    if ((err as { code?: string }).code === 'FST_FILES_LIMIT' || (err as { code?: string }).code === 'FST_PARTS_LIMIT') {
      throw new QrwError('TOO_MANY_FILES', `A batch holds at most ${MAX_BATCH_FILES} images.`, { limit: MAX_BATCH_FILES });
    }
    throw err;
  }
}

/** Aborts when the connection closes before the response was sent (the client timed out or gave up). */
function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}

export function registerDecodeRoutes(app: FastifyInstance, pool: WorkerPool, metrics: Metrics, limits: DecodeLimits): void {
  // Shed before the upload is read and parsed: under overload a refused multipart body would
  // otherwise cost the event loop as much as an accepted one (measured: accepted p99 went from
  // 0.25 s to 0.9 s at 2x the saturating load while 503s were answered after the parse).
  // The connection closes with the 503: Node would otherwise read and discard the unread upload to
  // keep the connection alive, at the event loop's cost.
  const shedWhenFull = async (_request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!pool.full) return;
    reply.header('Connection', 'close');
    throw new QrwError('SATURATED', 'The server is at capacity; retry in a moment.');
  };
  async function decode(request: FastifyRequest<{ Querystring: { formats?: string } }>, reply: FastifyReply): Promise<DecodeResult> {
    try {
      const upload = await readUpload(request);
      const result = await pool.run({ kind: 'decode', bytes: upload.bytes, options: { formats: parseFormats(upload.formats), maxSide: limits.maxSide, maxPixels: limits.maxPixels } }, clientGone(reply));
      metrics.decodes.inc({ outcome: result.codes.length ? 'found' : 'none' });
      return result;
    } catch (err) {
      metrics.decodes.inc({ outcome: isQrwError(err) && err.code === 'CLIENT_CLOSED' ? 'abandoned' : 'error' });
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
      onRequest: shedWhenFull,
      schema: {
        summary: 'Read every code in an image',
        description: 'multipart/form-data with the file in field "image", or the raw image as the body (Content-Type image/*).',
        tags: ['decode'],
        consumes: ['multipart/form-data', 'image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/bmp', 'image/tiff', 'application/octet-stream'],
        querystring,
        response: { 200: decodeResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const r = await decode(request, reply);
      return { texts: r.codes.map((c) => c.text), ...r };
    },
  );
  app.post<{ Querystring: { formats?: string } }>(
    '/api/v1/decode/batch',
    {
      onRequest: shedWhenFull,
      schema: {
        summary: `Read several images at once (up to ${MAX_BATCH_FILES}); structured-append sequences spread over them are merged`,
        description: 'multipart/form-data with each file in a field "image". One unreadable file does not fail the others: it gets an error entry.',
        tags: ['decode'],
        consumes: ['multipart/form-data'],
        querystring,
        response: { 200: batchResponseSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { files, formats } = await readBatch(request, limits.maxBodyBytes);
      const options = { formats: parseFormats(formats), maxSide: limits.maxSide, maxPixels: limits.maxPixels };
      const gone = clientGone(reply);
      const settled = await Promise.allSettled(files.map((f) => pool.run({ kind: 'decode', bytes: f.bytes, options }, gone)));
      const results = settled.map((outcome, i) => {
        const file = files[i]!.name;
        if (outcome.status === 'fulfilled') {
          metrics.decodes.inc({ outcome: outcome.value.codes.length ? 'found' : 'none' });
          return { file, ...outcome.value };
        }
        metrics.decodes.inc({ outcome: 'error' });
        const { body } = toHttpError(outcome.reason, limits.maxBodyBytes);
        return { file, error: body.error };
      });
      const codes = results.flatMap((r) => ('codes' in r ? r.codes : []));
      return { texts: codes.map((c) => c.text), sequences: mergeSequences(codes), results };
    },
  );
  // The original service's route: multipart field "image" -> {"texts": [...]}.
  app.post<{ Querystring: { formats?: string } }>(
    '/decode',
    { onRequest: shedWhenFull, schema: { summary: 'Compatibility with the original service: multipart image -> {texts}', tags: ['compat'], querystring, response: { 200: { type: 'object', properties: { texts: { type: 'array', items: { type: 'string' } } } }, ...errors } } },
    async (request, reply) => ({ texts: (await decode(request, reply)).codes.map((c) => c.text) }),
  );
}
