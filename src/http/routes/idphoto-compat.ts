/**
 * The original ID-photo service's API, served when this process is the ID-photo service alone
 * (TOOLS=idphoto), so that its clients work unchanged: `POST /api/v1/generate` (multipart field
 * `file`, `background_color`, `size_type`) answers at once with a job id and a result URL, and
 * `GET /result/<job_id>.jpg` answers the JPEG (waiting for it while the job runs).
 *
 * Each photo is a job of type `idphoto-photo` on the ID-photo tool's queue, as the original ran
 * every photo through its Redis queue: with REDIS_URL any replica (or ID-photo worker) makes it and
 * any replica answers for it; without, this process does. Results are kept JOB_RESULT_TTL seconds.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QrwError } from '../../errors.js';
import { INPUT_FILE } from '../../jobs/kinds.js';
import type { JobService } from '../../jobs/service.js';
import { viewOf } from '../plugins/uploads.js';
import { errorResponses } from '../schemas.js';

/** The original's colours: red 255,0,0; blue 67,142,219; white. */
export const COMPAT_BACKGROUNDS: Readonly<Record<string, string>> = { red: '#ff0000', blue: '#438edb', white: '#ffffff' };

/** The original's sizes at 300 dpi, as our specs: 1-inch 295x413 px (25x35 mm), 2-inch 413x626 px (35x53 mm, our large 2-inch). */
export const COMPAT_SIZES: Readonly<Record<string, string>> = { '1-inch': 'cn-1inch', '2-inch': 'cn-2inch-large' };

/** The original's defaults when a field is left out. */
const DEFAULT_BACKGROUND = 'blue';
const DEFAULT_SIZE = '1-inch';

/** How long GET /result waits for a job still queued or running before answering 503 (the client asks again). */
const RESULT_WAIT_MS = 60_000;
const RESULT_POLL_MS = 100;

export const COMPAT_JOB_TYPE = 'idphoto-photo';

export interface CompatSettings {
  /** MAX_BODY_BYTES: the portrait. */
  readonly maxBodyBytes: number;
  readonly shedWhenFull: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  readonly rateLimit?: { readonly max: number; readonly timeWindow: number } | undefined;
}

const JOB_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jpg$/;

const JobAnswerSchema = {
  type: 'object',
  properties: {
    job_id: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['queued'] },
    result_url: { type: 'string', description: 'GET it for the JPEG: /result/<job_id>.jpg' },
  },
  required: ['job_id', 'status', 'result_url'],
  additionalProperties: false,
} as const;

/** Multipart (`file` and the fields) or, as a convenience, a raw image body with the fields in the query string. */
async function readJob(request: FastifyRequest<{ Querystring: Record<string, string> }>): Promise<{ bytes: Uint8Array; fields: Record<string, string> }> {
  const fields: Record<string, string> = { ...request.query };
  if (request.isMultipart()) {
    let bytes: Uint8Array | undefined;
    try {
      for await (const part of request.parts({ limits: { files: 1, fields: 8, parts: 9 } })) {
        if (part.type === 'file') {
          if (part.fieldname === 'file' && !bytes) bytes = viewOf(await part.toBuffer());
          else part.file.resume();
        } else if (typeof part.value === 'string') {
          fields[part.fieldname] = part.value;
        }
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT')
        throw new QrwError('TOO_MANY_FILES', 'One file (field "file") and the fields background_color and size_type.', { limit: 1 });
      throw err;
    }
    if (!bytes) throw new QrwError('MISSING_IMAGE', 'The multipart form has no file in the field "file".');
    return { bytes, fields };
  }
  if (Buffer.isBuffer(request.body)) return { bytes: viewOf(request.body), fields };
  throw new QrwError('UNSUPPORTED_MEDIA_TYPE', 'Send the portrait as multipart/form-data in the field "file", with background_color and size_type.');
}

function choose(table: Readonly<Record<string, string>>, field: string, raw: string | undefined, fallback: string): string {
  const value = (raw ?? '').trim().toLowerCase() || fallback;
  const chosen = table[value];
  if (chosen === undefined) throw new QrwError('INVALID_OPTION', `${field} must be one of: ${Object.keys(table).join(', ')}.`, { option: field });
  return chosen;
}

export function registerIdPhotoCompatRoutes(app: FastifyInstance, jobs: JobService, settings: CompatSettings): void {
  const errors = errorResponses(400, 413, 415, 422, 429, 503);

  app.post<{ Querystring: Record<string, string> }>(
    '/api/v1/generate',
    {
      onRequest: settings.shedWhenFull,
      ...(settings.rateLimit && { config: { rateLimit: settings.rateLimit } }),
      schema: {
        summary: 'Compatibility with the original ID-photo service: a portrait in, a job id out; GET the result_url for the JPEG (only while TOOLS=idphoto: otherwise this path is the QR route)',
        description: `multipart/form-data: the portrait in "file", background_color (${Object.keys(COMPAT_BACKGROUNDS).join(', ')}; default ${DEFAULT_BACKGROUND}), size_type (${Object.keys(COMPAT_SIZES).join(', ')}; default ${DEFAULT_SIZE}).`,
        tags: ['compat'],
        consumes: ['multipart/form-data'],
        response: { 200: JobAnswerSchema, ...errors },
      },
    },
    async (request) => {
      const { bytes, fields } = await readJob(request);
      const spec = choose(COMPAT_SIZES, 'size_type', fields.size_type, DEFAULT_SIZE);
      const background = choose(COMPAT_BACKGROUNDS, 'background_color', fields.background_color, DEFAULT_BACKGROUND);
      const view = await jobs.submit({
        type: COMPAT_JOB_TYPE,
        contentType: 'application/octet-stream',
        options: { spec, background, format: 'jpeg' },
        key: request.account?.name,
        store: (storage, id) =>
          storage.receive(id, Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]), INPUT_FILE, settings.maxBodyBytes, 0, 'MAX_BODY_BYTES').then(() => undefined),
      });
      return { job_id: view.id, status: 'queued' as const, result_url: `/result/${view.id}.jpg` };
    },
  );

  app.get<{ Params: { file: string } }>(
    '/result/:file',
    {
      schema: {
        summary: "Compatibility with the original ID-photo service: a job's JPEG (waits while the job runs; 404 once unknown or expired; the job's own error if it failed)",
        tags: ['compat'],
        produces: ['image/jpeg'],
        response: errorResponses(404, 422, 503),
      },
    },
    async (request, reply) => {
      const id = JOB_ID.exec(request.params.file)?.[1];
      const notFound = new QrwError('NOT_FOUND', `No result ${request.params.file}: unknown, or expired.`);
      if (id === undefined) throw notFound;
      const deadline = Date.now() + RESULT_WAIT_MS;
      for (;;) {
        const view = await jobs.get(id).catch((err: unknown) => {
          throw (err as { code?: string }).code === 'JOB_NOT_FOUND' ? notFound : err;
        });
        if (view.type !== COMPAT_JOB_TYPE || view.state === 'cancelled') throw notFound;
        if (view.state === 'failed') throw new QrwError(view.error!.code as QrwError['code'], view.error!.message, view.error!.details);
        if (view.state === 'completed') break;
        if (Date.now() >= deadline || request.raw.destroyed) throw new QrwError('SATURATED', 'The photo is still being made; ask again in a moment.');
        await new Promise((resolve) => setTimeout(resolve, RESULT_POLL_MS));
      }
      const result = await jobs.result(id);
      return reply.header('Content-Type', 'image/jpeg').header('Content-Length', result.bytes).header('Cache-Control', 'no-store').send(result.stream);
    },
  );
}
