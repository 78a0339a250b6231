/**
 * POST /api/v1/batch/generate: rows (CSV, NDJSON or a JSON array, by Content-Type) in, a ZIP of
 * their codes out, streamed as it is made. The body is read whole (up to BATCH_MAX_BYTES) and its
 * rows counted before the answer starts, so that a batch too large or unreadable gets a clean JSON
 * error instead of a broken ZIP; the ZIP then flows at the pace of the client's socket, and a
 * client that leaves stops the run.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { generateRowLimits, type BatchGenerateService } from '../../app/batch-generate.js';
import { GENERATE_JOBS_ROUTE, ROW_CONTENT_TYPES, countRows, readRows, rowFormatFor } from '../../batch/rows.js';
import { QrwError } from '../../errors.js';
import type { RawGenerateOptions } from '../../qr/options.js';
import { clientGone } from '../plugins/uploads.js';
import { BatchGenerateQuerySchema, errorResponses } from '../schemas.js';

export interface BatchGenerateLimits {
  readonly maxRows: number;
  readonly maxBytes: number;
}

/** The ZIP is handed to the socket through a buffer of this size: larger only holds more memory per client. */
const OUTPUT_BUFFER_BYTES = 1024 * 1024;

function tooManyBytes(limit: number): QrwError {
  return new QrwError('BATCH_TOO_LARGE', `The body is larger than ${limit} bytes: send a batch this large to ${GENERATE_JOBS_ROUTE}.`, { limit, jobs: GENERATE_JOBS_ROUTE });
}

/** Reads the body up to `limit` bytes; beyond it, BATCH_TOO_LARGE (checked on Content-Length first, then as it arrives). */
async function readBounded(request: FastifyRequest, payload: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooManyBytes(limit);
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of payload) {
    bytes += chunk.byteLength;
    if (bytes > limit) throw tooManyBytes(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, bytes);
}

export async function registerBatchGenerateRoutes(app: FastifyInstance, service: BatchGenerateService, limits: BatchGenerateLimits): Promise<void> {
  const rowLimits = generateRowLimits(limits.maxRows);
  // Encapsulated: these parsers (bodies of rows, read raw) apply to this route only; the JSON routes keep Fastify's.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(ROW_CONTENT_TYPES, { bodyLimit: Number.MAX_SAFE_INTEGER }, (request: FastifyRequest, payload: IncomingMessage) => readBounded(request, payload, limits.maxBytes));
    scope.post<{ Querystring: RawGenerateOptions }>(
      '/api/v1/batch/generate',
      {
        schema: {
          summary: 'Generate a batch: rows in, a ZIP of codes and manifest.csv out, streamed',
          description: `The body: CSV with a header (\`text\`, optional \`filename\` and any generate option as a column), NDJSON, or a JSON array of objects with the same fields. The query string sets the default options of every row. At most BATCH_MAX_ROWS rows and BATCH_MAX_BYTES bytes; larger batches go to ${GENERATE_JOBS_ROUTE}. A bad row gets its error in manifest.csv (row, file, version, error) and the batch goes on.`,
          tags: ['batch'],
          consumes: ROW_CONTENT_TYPES,
          querystring: BatchGenerateQuerySchema,
          produces: ['application/zip'],
          response: {
            200: { description: 'A ZIP: one image per row (named by `filename` or the row number), then manifest.csv.', type: 'string', format: 'binary' },
            ...errorResponses(400, 413, 415, 422, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const format = rowFormatFor(request.headers['content-type']);
        if (!format || !Buffer.isBuffer(request.body)) throw new QrwError('UNSUPPORTED_MEDIA_TYPE', `Send the rows as ${ROW_CONTENT_TYPES.join(', ')}.`);
        const body = request.body;
        service.checkDefaults(request.query);
        const total = await countRows(body, format, rowLimits);
        const out = new PassThrough({ highWaterMark: OUTPUT_BUFFER_BYTES });
        const gone = clientGone(reply);
        service.writeZip(readRows(body, format, rowLimits), request.query, out, { signal: gone }, total).then(
          () => out.end(),
          (err: unknown) => {
            // The headers are sent: all that is left is to cut the answer short, so the client sees it broken, not complete.
            if (!gone.aborted) request.log.error({ err }, 'batch generate failed midway');
            out.destroy(err instanceof Error ? err : new Error(String(err)));
          },
        );
        return reply.type('application/zip').header('Content-Disposition', `attachment; filename="qr-batch-${total}.zip"`).header('Cache-Control', 'no-store').send(out);
      },
    );
  });
}
