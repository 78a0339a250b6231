import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DecodeService, DecodeUpload, NamedImage } from '../../app/decode.js';
import { QrwError } from '../../errors.js';
import { clientGone, viewOf } from '../plugins/uploads.js';
import { BatchAnswerSchema, CompatDecodeSchema, DecodeAnswerSchema, FormatsQuerySchema, errorResponses } from '../schemas.js';

/** Files one batch request may carry: enough for a structured-append sequence (up to 16 symbols). */
export const MAX_BATCH_FILES = 16;
const IMAGE_FIELDS = new Set(['image', 'images']);

/** Multipart (field `image`, optional field `formats`) or a raw image body. */
async function readUpload(request: FastifyRequest<{ Querystring: { formats?: string } }>): Promise<DecodeUpload> {
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

/** Multipart with up to MAX_BATCH_FILES files in fields `image` or `images`; their total is bounded like one upload. */
async function readBatch(request: FastifyRequest<{ Querystring: { formats?: string } }>, maxBodyBytes: number): Promise<{ files: NamedImage[]; formats: unknown }> {
  if (!request.isMultipart()) throw new QrwError('UNSUPPORTED_MEDIA_TYPE', `Send the images as multipart/form-data, each file in a field "image" (at most ${MAX_BATCH_FILES}).`);
  const files: NamedImage[] = [];
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

export function registerDecodeRoutes(app: FastifyInstance, service: DecodeService, shedWhenFull: (request: FastifyRequest, reply: FastifyReply) => Promise<void>, maxBodyBytes: number): void {
  const response = errorResponses(400, 413, 415, 422, 429, 503);
  const single = (request: FastifyRequest<{ Querystring: { formats?: string } }>, reply: FastifyReply) => service.decode(readUpload(request), clientGone(reply));

  app.post<{ Querystring: { formats?: string } }>(
    '/api/v1/decode',
    {
      onRequest: shedWhenFull,
      schema: {
        summary: 'Read every code in an image',
        description: 'multipart/form-data with the file in field "image", or the raw image as the body (Content-Type image/*).',
        tags: ['decode'],
        consumes: ['multipart/form-data', 'image/png', 'image/jpeg', 'image/webp', 'image/gif', 'image/bmp', 'image/tiff', 'application/octet-stream'],
        querystring: FormatsQuerySchema,
        response: { 200: DecodeAnswerSchema, ...response },
      },
    },
    single,
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
        querystring: FormatsQuerySchema,
        response: { 200: BatchAnswerSchema, ...response },
      },
    },
    async (request, reply) => {
      const { files, formats } = await readBatch(request, maxBodyBytes);
      return service.decodeMany(files, formats, clientGone(reply));
    },
  );
  // The original service's route: multipart field "image" -> {"texts": [...]}.
  app.post<{ Querystring: { formats?: string } }>(
    '/decode',
    {
      onRequest: shedWhenFull,
      schema: { summary: 'Compatibility with the original service: multipart image -> {texts}', tags: ['compat'], querystring: FormatsQuerySchema, response: { 200: CompatDecodeSchema, ...response } },
    },
    async (request, reply) => ({ texts: (await single(request, reply)).texts }),
  );
}
