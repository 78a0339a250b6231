/**
 * The body of an image batch route (decode, ID photos): a raw ZIP, or multipart files (a ZIP among
 * them opened the same way), bounded by BATCH_MAX_BYTES as it arrives and by BATCH_MAX_ROWS images;
 * beyond either, 413 BATCH_TOO_LARGE naming the job route that takes larger batches. And the answer
 * of such a route: streamed once its first bytes exist, so that a failure before them is a JSON error.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { archiveBatch, type ImageBatch } from '../app/batch-decode.js';
import { entryLabel, zipLimits, type BatchItem } from '../batch/zip-reader.js';
import { QrwError } from '../errors.js';
import { malformedMultipart } from './plugins/errors.js';
import { clientGone } from './plugins/uploads.js';

export const ZIP_TYPES = /^application\/(zip|x-zip-compressed)$/i;
export const IMAGE_FIELDS: ReadonlySet<string> = new Set(['image', 'images', 'file']);

export interface ImageBatchLimits {
  /** One image (MAX_BODY_BYTES). */
  readonly maxBodyBytes: number;
  /** The whole request (BATCH_MAX_BYTES). */
  readonly batchMaxBytes: number;
  /** Images in one request (BATCH_MAX_ROWS). */
  readonly batchMaxRows: number;
}

export interface ImageBatchBody {
  readonly batch: ImageBatch;
  /** Multipart fields sent before the first file (the batch's options). */
  readonly fields: Record<string, string>;
}

export function batchTooLarge(message: string, limit: number, jobs: string): QrwError {
  return new QrwError('BATCH_TOO_LARGE', `${message}; send it as a job: POST ${jobs}.`, { limit, jobs });
}

const startsLikeZip = (chunk: Buffer | undefined): boolean => !!chunk && chunk[0] === 0x50 && chunk[1] === 0x4b && (chunk[2] === 0x03 || chunk[2] === 0x05);

/**
 * A body or a part, read up to `keep` bytes (undefined beyond: the rest is only counted); past `budget`
 * the whole request is refused. `keep` may depend on the first chunk (a ZIP may be larger than an image).
 */
async function readBounded(stream: AsyncIterable<Buffer>, keep: (first: Buffer) => number, budget: number, jobs: string): Promise<{ bytes: Buffer | undefined; length: number }> {
  const chunks: Buffer[] = [];
  let length = 0;
  let limit: number | undefined;
  for await (const chunk of stream) {
    limit ??= keep(chunk);
    length += chunk.byteLength;
    if (length > budget) throw batchTooLarge(`The request is larger than ${budget} bytes`, budget, jobs);
    if (length <= limit) chunks.push(chunk);
  }
  return { bytes: limit === undefined || length <= limit ? Buffer.concat(chunks, length) : undefined, length };
}

function archiveLimits(limits: ImageBatchLimits, maxRows: number, jobs: string) {
  return { maxRows, zip: zipLimits(limits.batchMaxBytes, limits.maxBodyBytes), jobs };
}

/** A raw ZIP body, bounded by BATCH_MAX_BYTES before and while it is read. */
async function zipBody(request: FastifyRequest, limits: ImageBatchLimits, jobs: string): Promise<ImageBatch> {
  if (Number(request.headers['content-length'] ?? 0) > limits.batchMaxBytes) throw batchTooLarge(`The archive is larger than ${limits.batchMaxBytes} bytes`, limits.batchMaxBytes, jobs);
  const { bytes } = await readBounded(request.body as AsyncIterable<Buffer>, () => Infinity, limits.batchMaxBytes, jobs);
  return archiveBatch(bytes!, archiveLimits(limits, limits.batchMaxRows, jobs));
}

type Part = Awaited<ReturnType<ReturnType<FastifyRequest['parts']>['next']>>['value'];
type FilePart = Extract<NonNullable<Part>, { type: 'file' }>;

/**
 * Multipart: the fields before the first image file are read now (the options, known before any output),
 * then the files as the batch asks for them, each read as it arrives. A field after the files is refused:
 * the options apply to every image, so they come first.
 */
async function multipartBody(request: FastifyRequest, limits: ImageBatchLimits, jobs: string, maxFields: number): Promise<ImageBatchBody> {
  // One more than allowed, so that our own checks (with details.jobs) speak before the multipart parser's.
  const form = request.parts({ limits: { fileSize: limits.batchMaxBytes + 1, files: limits.batchMaxRows + 1, fields: maxFields, parts: limits.batchMaxRows + maxFields + 1 } });
  const parts = form[Symbol.asyncIterator]();
  const fields: Record<string, string> = {};
  let first: FilePart | undefined;
  for (let next = await parts.next(); !next.done; next = await parts.next()) {
    const part = next.value;
    if (part.type === 'field') fields[part.fieldname] = String(part.value);
    else if (IMAGE_FIELDS.has(part.fieldname)) {
      first = part;
      break;
    } else part.file.resume();
  }
  if (!first) throw new QrwError('MISSING_IMAGE', `The multipart form has no file in the fields ${[...IMAGE_FIELDS].join(', ')}.`);
  const firstFile = first;
  // A body that breaks after the first line is told as the client's error in the batch's last line, not as INTERNAL.
  const nextPart = (): Promise<Part | undefined> =>
    parts.next().then(
      (next) => next.value,
      (err: unknown) => {
        throw malformedMultipart(err) ?? err;
      },
    );
  async function* items(): AsyncGenerator<BatchItem> {
    let spent = 0;
    let rows = 0;
    for (let part: Part | undefined = firstFile; part; part = await nextPart()) {
      if (part.type === 'field')
        throw new QrwError('INVALID_OPTION', `The field "${part.fieldname}" comes after the files; options come before them (or in the query string).`, { option: part.fieldname });
      if (!IMAGE_FIELDS.has(part.fieldname)) {
        part.file.resume();
        continue;
      }
      const name = entryLabel(part.filename || `image-${rows + 1}`);
      const { bytes, length } = await readBounded(part.file, (chunk) => (startsLikeZip(chunk) ? Infinity : limits.maxBodyBytes), limits.batchMaxBytes - spent, jobs);
      spent += length;
      if (bytes && startsLikeZip(bytes)) {
        const archive = await archiveBatch(bytes, archiveLimits(limits, limits.batchMaxRows - rows, jobs));
        rows += archive.total ?? 0;
        try {
          yield* archive.items;
        } finally {
          archive.close?.();
        }
        continue;
      }
      if (++rows > limits.batchMaxRows) throw batchTooLarge(`The request holds more than ${limits.batchMaxRows} images`, limits.batchMaxRows, jobs);
      yield bytes
        ? { name, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) }
        : { name, error: new QrwError('ENTRY_TOO_LARGE', `The file is larger than one image may be (${limits.maxBodyBytes} bytes).`, { limit: limits.maxBodyBytes }).toJSON() };
    }
  }
  return { batch: { total: undefined, items: items() }, fields };
}

/**
 * The batch of a request: a raw ZIP (Content-Type application/zip; its route registers a parser that
 * hands the body over as a stream) or multipart files. `jobs`: where a batch too large goes.
 */
export async function readImageBatch(request: FastifyRequest, limits: ImageBatchLimits, jobs: string, maxFields = 16): Promise<ImageBatchBody> {
  if (request.isMultipart()) return multipartBody(request, limits, jobs, maxFields);
  if (ZIP_TYPES.test(request.headers['content-type']?.split(';')[0]?.trim() ?? '')) return { batch: await zipBody(request, limits, jobs), fields: {} };
  throw new QrwError('UNSUPPORTED_MEDIA_TYPE', `Send a ZIP of images (Content-Type application/zip) or the images as multipart/form-data (fields ${[...IMAGE_FIELDS].join(', ')}).`);
}

/**
 * Runs the batch into a stream and answers it once its first bytes exist: a failure before that is thrown
 * (the usual JSON error and status); after it, the batch's own error lines say what went wrong.
 */
export async function streamBatch(
  request: FastifyRequest,
  reply: FastifyReply,
  /** The answer's headers (Content-Type at least), set only once it starts. */
  headers: Readonly<Record<string, string>>,
  run: (out: PassThrough, signal: AbortSignal) => Promise<unknown>,
  outputBufferBytes?: number,
): Promise<FastifyReply> {
  const out = new PassThrough(outputBufferBytes === undefined ? {} : { highWaterMark: outputBufferBytes });
  const signal = clientGone(reply);
  const running = run(out, signal);
  try {
    await Promise.race([once(out, 'readable'), running]);
  } catch (err) {
    // A run that failed after writing its own error lines is answered with them.
    if (out.readableLength === 0) {
      out.destroy();
      throw err;
    }
  }
  running.then(
    () => out.end(),
    (err: unknown) => {
      if (signal.aborted) out.destroy();
      else {
        request.log.warn({ err }, 'batch ended with an error after its first bytes');
        out.end();
      }
    },
  );
  return reply.headers(headers).send(out);
}
