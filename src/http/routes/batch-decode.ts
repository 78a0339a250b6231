/**
 * POST /api/v1/batch/decode: a ZIP of images (raw body) or several multipart files -> one line per
 * image, streamed as each is read (NDJSON, or CSV with `Accept: text/csv`). Anything wrong before the
 * first line is the usual JSON error; after it, each image's error is its own line.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CONTENT_TYPES, type BatchDecodeService, type BatchOutput } from '../../app/batch-decode.js';
import { IMAGE_FIELDS, ZIP_TYPES, readImageBatch, streamBatch, type ImageBatchLimits } from '../batch-images.js';
import { BatchDecodeLineSchema, FormatsQuerySchema, errorResponses } from '../schemas.js';

/** Where a batch too large for a synchronous request goes. */
export const DECODE_JOBS_ROUTE = '/api/v1/jobs?type=decode';

function outputFor(request: FastifyRequest): BatchOutput {
  return /\btext\/csv\b/i.test(request.headers.accept ?? '') ? 'csv' : 'ndjson';
}

export function registerBatchDecodeRoutes(
  app: FastifyInstance,
  service: BatchDecodeService,
  shedWhenFull: (request: FastifyRequest, reply: FastifyReply) => Promise<void>,
  limits: ImageBatchLimits,
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
            `or multipart/form-data with files in the fields ${[...IMAGE_FIELDS].join(', ')} (a ZIP among them is opened the same way; a "formats" field, if any, before the files). `,
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
        const { batch, fields } = await readImageBatch(request, limits, DECODE_JOBS_ROUTE);
        const output = outputFor(request);
        return streamBatch(request, reply, { 'content-type': CONTENT_TYPES[output] }, (out, signal) => service.write(batch, fields.formats ?? request.query.formats, output, out, { signal }));
      },
    );
  });
}
