/**
 * POST /api/v1/batch/idphoto: portraits (a ZIP body, or multipart files) with one set of ID-photo
 * options -> a ZIP streamed as the photos are made: a photo per portrait named after it, its sheet
 * when asked, reports.ndjson and manifest.csv. Anything wrong before the first bytes of the ZIP is
 * the usual JSON error; after them, a portrait's error is in its lines and the batch goes on.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { IDPHOTO_MANIFEST_COLUMNS, type BatchIdPhotoService } from '../../app/batch-idphoto.js';
import { IDPHOTO_OPTION_SPECS } from '../../idphoto/options.js';
import { IMAGE_FIELDS, ZIP_TYPES, readImageBatch, streamBatch, type ImageBatchLimits } from '../batch-images.js';
import { errorResponses } from '../schemas.js';

/** Where a batch too large for a synchronous request goes. */
export const IDPHOTO_JOBS_ROUTE = '/api/v1/jobs?type=idphoto';

/** The ZIP is handed to the socket through a buffer of this size: larger only holds more memory per client. */
const OUTPUT_BUFFER_BYTES = 1024 * 1024;

export interface BatchIdPhotoRouteOptions {
  readonly limits: ImageBatchLimits;
  /** Refuses at once (503) while the ID-photo pool's queue is full, before the upload is read. */
  readonly shedWhenFull: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  /** The ID-photo routes' per-client limit (a batch counts as one request). */
  readonly rateLimit?: { readonly max: number; readonly timeWindow: number } | undefined;
}

export function registerBatchIdPhotoRoutes(app: FastifyInstance, service: BatchIdPhotoService, options: BatchIdPhotoRouteOptions): void {
  const { limits } = options;
  // A scope of its own, so that its ZIP body parser (the stream itself, read bounded by BATCH_MAX_BYTES) is this route's alone.
  void app.register(async (scope) => {
    scope.addContentTypeParser(ZIP_TYPES, (_request, payload, done) => done(null, payload));
    scope.post<{ Querystring: Record<string, string> }>(
      '/api/v1/batch/idphoto',
      {
        onRequest: options.shedWhenFull,
        ...(options.rateLimit && { config: { rateLimit: options.rateLimit } }),
        schema: {
          summary: 'ID photos for many portraits: a ZIP or several files in, a ZIP of photos, reports.ndjson and manifest.csv out, streamed',
          description: [
            `A ZIP as the body (Content-Type application/zip; at most BATCH_MAX_BYTES, BATCH_MAX_ROWS entries, each portrait at most MAX_BODY_BYTES) with the options in the query string, `,
            `or multipart/form-data: the options as fields first, then the portraits in the fields ${[...IMAGE_FIELDS].join(', ')} (a ZIP among them is opened the same way). `,
            `The options are those of POST /api/v1/idphoto, one set for the whole batch. The answer, streamed as the photos are made, in input order: each portrait's photo named after it `,
            `(<name>.jpg or .png, made unique), <name>-sheet.<ext> when a sheet is asked, then reports.ndjson (one line per portrait: {row, file, photo, report} or {row, file, error}) `,
            `and manifest.csv (${IDPHOTO_MANIFEST_COLUMNS.join(', ')}). A portrait that fails (NO_FACE, MULTIPLE_FACES, not an image) gets its error there and the batch goes on. `,
            `Larger batches: POST ${IDPHOTO_JOBS_ROUTE}.`,
          ].join(''),
          tags: ['idphoto', 'batch'],
          consumes: ['application/zip', 'multipart/form-data'],
          produces: ['application/zip'],
          response: { 200: { description: 'A ZIP: the photos (and sheets), reports.ndjson, manifest.csv.', type: 'string', format: 'binary' }, ...errorResponses(400, 413, 415, 422, 429, 503) },
        },
      },
      async (request, reply) => {
        // Options all in the query string: refused before the archive is read.
        if (!request.isMultipart()) service.checkOptions(request.query);
        const { batch, fields } = await readImageBatch(request, limits, IDPHOTO_JOBS_ROUTE, IDPHOTO_OPTION_SPECS.length);
        const raw = { ...request.query, ...fields };
        try {
          service.checkOptions(raw);
        } catch (err) {
          batch.close?.();
          throw err;
        }
        const headers = { 'content-type': 'application/zip', 'content-disposition': 'attachment; filename="idphotos.zip"', 'cache-control': 'no-store' };
        return streamBatch(request, reply, headers, (out, signal) => service.write(batch, raw, out, { signal }), OUTPUT_BUFFER_BYTES);
      },
    );
  });
}
