/**
 * Async jobs: `POST /api/v1/jobs?type=...` takes the same body as the synchronous route of that type
 * and answers 202 at once; `GET /api/v1/jobs/:id` tells where it is, `GET .../result` hands the result
 * over as the synchronous route would have answered, `DELETE` cancels (or removes a finished job).
 * The body is streamed to the job's directory, never held in memory.
 */
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { QrwError } from '../../errors.js';
import { FILES_DIR, INPUT_FILE } from '../../jobs/kinds.js';
import { JobViewSchema, JOBS_PATH } from '../../jobs/job.js';
import type { JobService } from '../../jobs/service.js';
import type { JobStorage } from '../../jobs/storage.js';
import { errorResponses } from '../schemas.js';
import { mkdir } from 'node:fs/promises';

export interface JobRouteLimits {
  /** JOB_MAX_BYTES: the whole body. */
  readonly maxBytes: number;
  /** MAX_BODY_BYTES: each file of a multipart body. */
  readonly maxFileBytes: number;
  /** JOB_MAX_ROWS: files of a multipart body. */
  readonly maxFiles: number;
}

type SubmitQuery = Record<string, string> & { type?: string; callback?: string };

const idParams = { type: 'object', properties: { id: { type: 'string', maxLength: 64 } }, required: ['id'] } as const;

/** Saves each file of a multipart body as its own file, in order; options may also come as fields. */
async function storeParts(request: FastifyRequest, storage: JobStorage, id: string, options: Record<string, string>, limits: JobRouteLimits): Promise<void> {
  const dir = join(storage.dir(id), FILES_DIR);
  await mkdir(dir);
  let used = 0;
  let index = 0;
  try {
    for await (const part of request.parts({ limits: { files: limits.maxFiles, parts: limits.maxFiles + 16, fields: 16, fileSize: limits.maxFileBytes } })) {
      if (part.type === 'file') {
        const name = `${String(index++).padStart(9, '0')}-${Buffer.from(part.filename || 'file')
          .toString('base64url')
          .slice(0, 120)}`;
        used += await storage.receive(id, part.file, join(FILES_DIR, name), limits.maxBytes, used);
      } else if (typeof part.value === 'string') {
        options[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
      throw new QrwError('BATCH_TOO_LARGE', `A job holds at most ${limits.maxFiles} files (JOB_MAX_ROWS).`, { limit: limits.maxFiles });
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new QrwError('ENTRY_TOO_LARGE', `Each file may be at most ${limits.maxFileBytes} bytes (MAX_BODY_BYTES).`, { limit: limits.maxFileBytes });
    throw err;
  }
  if (index === 0) throw new QrwError('MISSING_IMAGE', 'The multipart form has no file.');
}

export function registerJobRoutes(server: FastifyInstance, jobs: JobService, limits: JobRouteLimits): void {
  // Bodies stay unread until the handler streams them to disk: no parser buffers them, whatever their type.
  void server.register(async (scope) => {
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));

    scope.post<{ Querystring: SubmitQuery }>(
      JOBS_PATH,
      {
        schema: {
          summary: 'Queue a batch as a job: the body of POST /api/v1/batch/generate (type=generate) or /api/v1/batch/decode (type=decode)',
          tags: ['jobs'],
          querystring: {
            type: 'object',
            properties: { type: { type: 'string', enum: Object.keys(jobs.kinds) }, callback: { type: 'string', maxLength: 2048 } },
            required: ['type'],
            additionalProperties: { type: 'string' },
          },
          response: { 202: JobViewSchema, ...errorResponses(400, 413, 415, 422, 503) },
        },
      },
      async (request, reply) => {
        const declared = Number(request.headers['content-length']);
        if (declared > limits.maxBytes) throw new QrwError('BODY_TOO_LARGE', `A job's body may be at most ${limits.maxBytes} bytes (JOB_MAX_BYTES).`, { limit: limits.maxBytes });
        const { type, callback, ...options } = request.query;
        const view = await jobs.submit({
          type: type!,
          contentType: request.headers['content-type'] ?? '',
          options,
          accept: request.headers.accept,
          callbackUrl: callback,
          key: request.account?.name,
          store: (storage, id) => (request.isMultipart() ? storeParts(request, storage, id, options, limits) : storage.receive(id, request.raw, INPUT_FILE, limits.maxBytes).then(() => undefined)),
        });
        return reply.code(202).header('location', view.status_url).send(view);
      },
    );
  });

  server.get<{ Params: { id: string } }>(
    `${JOBS_PATH}/:id`,
    { schema: { summary: "A job's state and progress", tags: ['jobs'], params: idParams, response: { 200: JobViewSchema, ...errorResponses(404) } } },
    async (request) => jobs.get(request.params.id),
  );

  server.get<{ Params: { id: string } }>(
    `${JOBS_PATH}/:id/result`,
    {
      schema: {
        summary: "A completed job's result: the ZIP, NDJSON or CSV the synchronous route would have answered",
        tags: ['jobs'],
        params: idParams,
        response: { 200: { description: 'the result file' }, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const result = await jobs.result(request.params.id);
      const extension = result.contentType === 'application/zip' ? 'zip' : result.contentType === 'text/csv' ? 'csv' : 'ndjson';
      return reply
        .type(result.contentType)
        .header('content-length', result.bytes)
        .header('content-disposition', `attachment; filename="${result.spec.type}-${result.spec.id}.${extension}"`)
        .send(result.stream);
    },
  );

  server.delete<{ Params: { id: string } }>(
    `${JOBS_PATH}/:id`,
    {
      schema: {
        summary: 'Cancel a queued or running job (its files are deleted); a finished job is removed with its result',
        tags: ['jobs'],
        params: idParams,
        response: { 200: JobViewSchema, ...errorResponses(404) },
      },
    },
    async (request) => jobs.cancel(request.params.id),
  );
}
