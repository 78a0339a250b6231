/**
 * POST /api/v1/batch/decode: a ZIP of images (raw body) or several multipart files -> one line per
 * image, streamed as each is read (NDJSON, or CSV with `Accept: text/csv`). Anything wrong before the
 * first line is the usual JSON error; after it, each image's error is its own line.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONTENT_TYPES, archiveBatch, type BatchDecodeService, type BatchOutput, type ImageBatch } from '../../app/batch-decode.js';
import { entryLabel, zipLimits, type BatchItem } from '../../batch/zip-reader.js';
import { QrwError } from '../../errors.js';
import { clientGone } from '../plugins/uploads.js';
import { BatchDecodeLineSchema, FormatsQuerySchema, errorResponses } from '../schemas.js';

/** Where a batch too large for a synchronous request goes. */
export const DECODE_JOBS_ROUTE = '/api/v1/jobs?type=decode';
const ZIP_TYPES = /^application\/(zip|x-zip-compressed)$/i;
const IMAGE_FIELDS = new Set(['image', 'images', 'file']);

export interface BatchDecodeLimits {
  /** One image (MAX_BODY_BYTES). */
  readonly maxBodyBytes: number;
  /** The whole request (BATCH_MAX_BYTES). */
  readonly batchMaxBytes: number;
  /** Images in one request (BATCH_MAX_ROWS). */
  readonly batchMaxRows: number;
}

type BatchRequest = FastifyRequest<{ Querystring: { formats?: string } }>;

function batchTooLarge(message: string, limit: number): QrwError {
  return new QrwError('BATCH_TOO_LARGE', `${message}; send it as a job: POST ${DECODE_JOBS_ROUTE}.`, { limit, jobs: DECODE_JOBS_ROUTE });
}

const startsLikeZip = (chunk: Buffer | undefined): boolean => !!chunk && chunk[0] === 0x50 && chunk[1] === 0x4b && (chunk[2] === 0x03 || chunk[2] === 0x05);

/**
 * A body or a part, read up to `keep` bytes (undefined beyond: the rest is only counted); past `budget`
 * the whole request is refused. `keep` may depend on the first chunk (a ZIP may be larger than an image).
 */
async function readBounded(stream: AsyncIterable<Buffer>, keep: (first: Buffer) => number, budget: number): Promise<{ bytes: Buffer | undefined; length: number }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let limit: number | undefined;
  for await (const chunk of stream) {
    limit ??= keep(chunk);
    length += chunk.byteLength;
    if (length > budget) throw batchTooLarge(`The request is larger than ${budget} bytes`, budget);
    if (length <= limit) chunks.push(chunk);
  }
  return { bytes: limit === undefined || length <= limit ? Buffer.concat(chunks, length) : undefined, length };
}

function archiveLimits(limits: BatchDecodeLimits, maxRows: number) {
  return { maxRows, zip: zipLimits(limits.batchMaxBytes, limits.maxBodyBytes), jobs: DECODE_JOBS_ROUTE };
}

/** A raw ZIP body, bounded by BATCH_MAX_BYTES before and while it is read. */
async function zipBody(request: BatchRequest, limits: BatchDecodeLimits): Promise<ImageBatch> {
  if (Number(request.headers['content-length'] ?? 0) > limits.batchMaxBytes) throw batchTooLarge(`The archive is larger than ${limits.batchMaxBytes} bytes`, limits.batchMaxBytes);
  const { bytes } = await readBounded(request.body as AsyncIterable<Buffer>, () => Infinity, limits.batchMaxBytes);
  return archiveBatch(bytes!, archiveLimits(limits, limits.batchMaxRows));
}

/** Multipart files, each read as it arrives: images as items, a ZIP opened as the raw body would be. */
async function* multipartItems(request: BatchRequest, limits: BatchDecodeLimits): AsyncGenerator<BatchItem> {
  let spent = 0;
  let rows = 0;
  // One more than allowed, so that our own checks (with details.jobs) speak before the multipart parser's.
  const parts = request.parts({ limits: { fileSize: limits.batchMaxBytes + 1, files: limits.batchMaxRows + 1, parts: limits.batchMaxRows + 16 } });
  for await (const part of parts) {
    if (part.type !== 'file') continue;
    if (!IMAGE_FIELDS.has(part.fieldname)) {
      part.file.resume();
      continue;
    }
    const name = entryLabel(part.filename || `image-${rows + 1}`);
    const { bytes, length } = await readBounded(part.file, (first) => (startsLikeZip(first) ? Infinity : limits.maxBodyBytes), limits.batchMaxBytes - spent);
    spent += length;
    if (bytes && startsLikeZip(bytes)) {
      const archive = await archiveBatch(bytes, archiveLimits(limits, limits.batchMaxRows - rows));
      rows += archive.total ?? 0;
      try {
        yield* archive.items;
      } finally {
        archive.close?.();
      }
      continue;
    }
    if (++rows > limits.batchMaxRows) throw batchTooLarge(`The request holds more than ${limits.batchMaxRows} images`, limits.batchMaxRows);
    yield bytes
      ? { name, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
      : { name, error: new QrwError('ENTRY_TOO_LARGE', `The file is larger than one image may be (${limits.maxBodyBytes} bytes).`, { limit: limits.maxBodyBytes }).toJSON() };
  }
  if (rows === 0) throw new QrwError('MISSING_IMAGE', `The multipart form has no file in the fields ${[...IMAGE_FIELDS].join(', ')}.`);
}

function readBatch(request: BatchRequest, limits: BatchDecodeLimits): Promise<ImageBatch> | ImageBatch {
  if (request.isMultipart()) return { total: undefined, items: multipartItems(request, limits) };
  if (ZIP_TYPES.test(request.headers['content-type']?.split(';')[0]?.trim() ?? '')) return zipBody(request, limits);
  throw new QrwError('UNSUPPORTED_MEDIA_TYPE', 'Send a ZIP of images (Content-Type application/zip) or the images as multipart/form-data (fields image, images or file).');
}

function outputFor(request: FastifyRequest): BatchOutput {
  return /\btext\/csv\b/i.test(request.headers.accept ?? '') ? 'csv' : 'ndjson';
}

/**
 * Runs the batch into a stream and answers it once its first line exists: a failure before that is thrown
 * (the usual JSON error and status); after it the batch's own error lines say what went wrong.
 */
async function streamLines(request: FastifyRequest, reply: FastifyReply, output: BatchOutput, run: (out: PassThrough, signal: AbortSignal) => Promise<unknown>): Promise<FastifyReply> {
  const out = new PassThrough();
  const signal = clientGone(reply);
  const running = run(out, signal);
  try {
    await Promise.race([once(out, 'readable'), running]);
  } catch (err) {
    out.destroy();
    throw err;
  }
  running.then(
    () => out.end(),
    (err: unknown) => {
      if (signal.aborted) out.destroy();
      else {
        request.log.warn({ err }, 'batch decode ended with an error after its first line');
        out.end();
      }
    },
  );
  return reply.type(CONTENT_TYPES[output]).send(out);
}

export function registerBatchDecodeRoutes(
  app: FastifyInstance,
  service: BatchDecodeService,
  shedWhenFull: (request: FastifyRequest, reply: FastifyReply) => Promise<void>,
  limits: BatchDecodeLimits,
): void {
  // A scope of its own, so that its ZIP body parser (the stream itself, read bounded by BATCH_MAX_BYTES) is this route's alone.
  void app.register(async (scope) => {
    scope.addContentTypeParser(ZIP_TYPES, (_request, payload, done) => done(null, payload));
    scope.post<{ Querystring: { formats?: string } }>(
      '/api/v1/batch/decode',
      {
        onRequest: shedWhenFull,
        schema: {
          summary: 'Read every code in many images: a ZIP or several files in, one line per image streamed out',
          description: [
            `A ZIP as the body (Content-Type application/zip; at most BATCH_MAX_BYTES, BATCH_MAX_ROWS entries, each image at most MAX_BODY_BYTES), `,
            `or multipart/form-data with files in the fields image, images or file (a ZIP among them is opened the same way). `,
            `The answer is streamed as the images are read, in their order: NDJSON (application/x-ndjson), or CSV (columns file, texts, formats, error) with Accept: text/csv. `,
            `An image that cannot be read gets a line with its error; a batch that fails after its first line ends with a line holding only "error". `,
            `Larger batches: POST ${DECODE_JOBS_ROUTE}. Directories, __MACOSX/ and dotfiles in a ZIP are skipped; nested archives are not opened; names are labels only.`,
          ].join(''),
          tags: ['decode', 'batch'],
          consumes: ['application/zip', 'multipart/form-data'],
          produces: ['application/x-ndjson', 'text/csv'],
          querystring: FormatsQuerySchema,
          response: { 200: BatchDecodeLineSchema, ...errorResponses(400, 413, 415, 422, 429, 503) },
        },
      },
      async (request, reply) => {
        const batch = await readBatch(request, limits);
        const output = outputFor(request);
        return streamLines(request, reply, output, (out, signal) => service.write(batch, request.query.formats, output, out, { signal }));
      },
    );
  });
}
