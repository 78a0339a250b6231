/**
 * The original ID-photo service's API, served when this process is the ID-photo service alone
 * (TOOLS=idphoto), so that its clients work unchanged: `POST /api/v1/generate` (multipart field
 * `file`, `background_color`, `size_type`) answers at once with a job id and a result URL, and
 * `GET /result/<job_id>.jpg` answers the JPEG (waiting for it while the job runs).
 *
 * A job runs on the ID-photo service at once (in its pool). Its outcome is kept for
 * IDPHOTO_RESULT_TTL seconds, in Redis when the app has one (every replica can answer for it) and
 * otherwise in a map bounded in bytes, then forgotten: no image is kept after its time is up.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { IdPhotoService } from '../../app/idphoto.js';
import { QrwError, errorInfo, isQrwError, type ErrorInfo } from '../../errors.js';
import { parseIdPhotoOptions } from '../../idphoto/options.js';
import { viewOf } from '../plugins/uploads.js';
import { errorResponses } from '../schemas.js';

/** The original's colours: red 255,0,0; blue 67,142,219; white. */
export const COMPAT_BACKGROUNDS: Readonly<Record<string, string>> = { red: '#ff0000', blue: '#438edb', white: '#ffffff' };

/** The original's sizes at 300 dpi, as our specs: 1-inch 295x413 px (25x35 mm), 2-inch 413x626 px (35x53 mm, our large 2-inch). */
export const COMPAT_SIZES: Readonly<Record<string, string>> = { '1-inch': 'cn-1inch', '2-inch': 'cn-2inch-large' };

/** The original's defaults when a field is left out. */
const DEFAULT_BACKGROUND = 'blue';
const DEFAULT_SIZE = '1-inch';

/** How long GET /result waits for a job another replica runs before answering 503 (it waits on its own jobs without a bound). */
const FOREIGN_WAIT_MS = 20_000;
const FOREIGN_POLL_MS = 200;

/** A job's outcome: the JPEG, or the error its client is told. */
type Outcome = { readonly jpeg: Uint8Array } | { readonly error: ErrorInfo };

/** What the bounded map counts for an entry beyond its bytes. */
const ENTRY_OVERHEAD_BYTES = 512;
/** The map holds at least this much, even with the photo cache off (IDPHOTO_CACHE_BYTES=0): a job's result must outlive its request. */
const MIN_RESULT_BYTES = 8 * 1024 * 1024;

export interface CompatSettings {
  /** Seconds a result is kept (IDPHOTO_RESULT_TTL). */
  readonly ttlSeconds: number;
  /** Bytes of results the in-process map holds at most (IDPHOTO_CACHE_BYTES, at least 8 MiB). */
  readonly maxBytes: number;
  readonly redis?: { readonly redis: Redis; readonly prefix: string } | undefined;
  readonly shedWhenFull: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  readonly rateLimit?: { readonly max: number; readonly timeWindow: number } | undefined;
}

/** Jobs in flight in this process, and the outcomes of finished ones until they expire. */
export class CompatJobs {
  private readonly running = new Map<string, Promise<Outcome>>();
  private readonly local: LRUCache<string, Outcome>;

  constructor(private readonly settings: Pick<CompatSettings, 'ttlSeconds' | 'maxBytes' | 'redis'>) {
    this.local = new LRUCache<string, Outcome>({
      maxSize: Math.max(MIN_RESULT_BYTES, settings.maxBytes),
      sizeCalculation: (v) => ('jpeg' in v ? v.jpeg.byteLength : 256) + ENTRY_OVERHEAD_BYTES,
      ttl: settings.ttlSeconds * 1000,
      ttlAutopurge: true,
    });
  }

  private get redis(): { redis: Redis; prefix: string } | undefined {
    const shared = this.settings.redis;
    return shared && shared.redis.status === 'ready' ? shared : undefined;
  }

  /** Starts the job now; its outcome is kept when it ends (never rejects). */
  async start(id: string, work: Promise<Uint8Array>): Promise<void> {
    const outcome = work.then(
      (jpeg): Outcome => ({ jpeg }),
      (err: unknown): Outcome => ({ error: errorInfo(err) }),
    );
    this.running.set(id, outcome);
    const shared = this.redis;
    // Another replica asked for this id waits for it rather than answering 404; the outcome is written after this mark.
    if (shared) await shared.redis.set(shared.prefix + id, 'P', 'EX', this.settings.ttlSeconds).catch(() => undefined);
    void outcome.then(async (done) => {
      await this.keep(id, done);
      this.running.delete(id);
    });
  }

  private async keep(id: string, outcome: Outcome): Promise<void> {
    const shared = this.redis;
    if (shared) {
      const stored = 'jpeg' in outcome ? Buffer.concat([Buffer.from('J'), outcome.jpeg]) : Buffer.from(`E${JSON.stringify(outcome.error)}`);
      const ok = await shared.redis.set(shared.prefix + id, stored, 'EX', this.settings.ttlSeconds).then(
        () => true,
        () => false,
      );
      if (ok) return;
    }
    this.local.set(id, outcome);
  }

  /** The outcome, waiting while the job runs; undefined when unknown or expired. */
  async outcome(id: string): Promise<Outcome | undefined> {
    const running = this.running.get(id);
    if (running) return running;
    const local = this.local.get(id);
    if (local) return local;
    const deadline = Date.now() + FOREIGN_WAIT_MS;
    for (;;) {
      const shared = this.redis;
      if (!shared) return undefined;
      const stored = await shared.redis.getBuffer(shared.prefix + id).catch(() => null);
      if (!stored || stored.length === 0) return undefined;
      const tag = String.fromCharCode(stored[0]!);
      if (tag === 'J') return { jpeg: viewOf(stored.subarray(1)) };
      if (tag === 'E') {
        try {
          return { error: JSON.parse(stored.subarray(1).toString()) as ErrorInfo };
        } catch {
          return undefined;
        }
      }
      if (tag !== 'P') return undefined;
      // Pending on another replica.
      if (this.running.has(id)) return this.running.get(id);
      if (Date.now() >= deadline) throw new QrwError('SATURATED', 'The photo is still being made; retry in a moment.');
      await new Promise((resolve) => setTimeout(resolve, FOREIGN_POLL_MS));
    }
  }

  /** Bytes held in this process (for tests and metrics). */
  get bytes(): number {
    return this.local.calculatedSize;
  }
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

export function registerIdPhotoCompatRoutes(app: FastifyInstance, service: IdPhotoService, settings: CompatSettings): CompatJobs {
  const jobs = new CompatJobs(settings);
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
      const options = parseIdPhotoOptions({ spec, background, format: 'jpeg' });
      const id = randomUUID();
      const log = request.log;
      // Not tied to this request: the client leaves with its job id and comes back for the result.
      const work = service.photo(bytes, options, 'photo').then(
        (result) => result.photo.data,
        (err: unknown) => {
          if (!isQrwError(err)) log.error({ err, jobId: id }, 'ID-photo job failed');
          throw err;
        },
      );
      await jobs.start(id, work);
      return { job_id: id, status: 'queued' as const, result_url: `/result/${id}.jpg` };
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
      const outcome = id === undefined ? undefined : await jobs.outcome(id);
      if (!outcome) throw new QrwError('NOT_FOUND', `No result ${request.params.file}: unknown, or expired (results are kept ${settings.ttlSeconds} s).`);
      if ('error' in outcome) throw new QrwError(outcome.error.code, outcome.error.message, outcome.error.details);
      return reply
        .header('Content-Type', 'image/jpeg')
        .header('Cache-Control', 'no-store')
        .send(Buffer.from(outcome.jpeg.buffer, outcome.jpeg.byteOffset, outcome.jpeg.byteLength));
    },
  );
  return jobs;
}
