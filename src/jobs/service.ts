/**
 * The jobs use case for every transport (the HTTP API, `qrw worker`, the CLI against a server):
 * submit (store the input, count and check it, queue it), look up, cancel, read the result; the
 * periodic sweep of expired jobs; the callback when a job ends.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { QrwError } from '../errors.js';
import type { WorkCounts } from '../app/work-counts.js';
import type { Config, Tool } from '../platform/config.js';
import { BullJobQueue, QUEUE_NAMES } from './bullmq-queue.js';
import { callBack, checkCallbackUrl } from './callback.js';
import { JOB_STATES, jobView, type JobRecord, type JobSpec, type JobState, type JobView } from './job.js';
import type { JobKinds } from './kinds.js';
import { MemoryJobQueue } from './memory-queue.js';
import type { JobEvents, JobQueue } from './queue.js';
import { JobStorage, isJobId } from './storage.js';

/** What the metrics learn from jobs. */
export interface JobMetricsSink {
  items(type: string, outcome: 'ok' | 'error', count: number): void;
  finished(type: string, state: JobState, seconds: number): void;
}

export type JobSettings = Pick<
  Config,
  'redisUrl' | 'redisKeyPrefix' | 'jobsDir' | 'jobMaxBytes' | 'jobMaxRows' | 'jobMaxQueued' | 'jobResultTtlSeconds' | 'jobConcurrency' | 'jobLockMs' | 'jobCallbackPrivate'
>;

export interface SubmitRequest {
  readonly type: string;
  readonly contentType: string;
  readonly options: Readonly<Record<string, string>>;
  readonly accept?: string | undefined;
  readonly callbackUrl?: string | undefined;
  /** The submitting API key's name, where it came with one: the job's work is counted for it. */
  readonly key?: string | undefined;
  /** Stores the body under the job's directory (the transport knows how its body is framed); rejects with the body's error. */
  readonly store: (storage: JobStorage, id: string) => Promise<void>;
}

/** The sweep runs this often, or more often with a short TTL. */
const SWEEP_EVERY_MS = 60_000;

export class JobService {
  private sweeper: NodeJS.Timeout | undefined;

  private constructor(
    /** The queue of each tool that has job kinds here (without Redis, one queue for all). */
    private readonly queues: ReadonlyMap<Tool, JobQueue>,
    readonly storage: JobStorage,
    readonly kinds: JobKinds,
    private readonly settings: JobSettings,
  ) {}

  /**
   * BullMQ when REDIS_URL is set, else in this process. `runJobs`: jobs this process runs at once
   * (JOB_CONCURRENCY for the API, at least one for `qrw worker` and without Redis). `recordUsage`: where
   * the work of a keyed job is counted, in the process that runs it (absent with AUTH_MODE off).
   */
  static async start(
    settings: JobSettings,
    kinds: JobKinds,
    logger: Logger,
    metrics: JobMetricsSink | undefined,
    runJobs: number,
    recordUsage?: (key: string, work: WorkCounts) => void,
  ): Promise<JobService> {
    const storage = new JobStorage(settings.jobsDir);
    const holder: { service?: JobService } = {};
    const events: JobEvents = {
      onItems: (type, done, failed) => {
        metrics?.items(type, 'ok', done - failed);
        metrics?.items(type, 'error', failed);
      },
      onFinished: (record, seconds) => {
        metrics?.finished(record.spec.type, record.state, seconds);
        logger.info({ job: record.spec.id, type: record.spec.type, state: record.state, items: record.progress, seconds }, 'job finished');
        if (record.spec.callbackUrl) void callBack(record.spec.callbackUrl, holder.service!.view(record), settings.jobCallbackPrivate, logger);
      },
      onWork: (spec, work) => {
        if (spec.key !== undefined) recordUsage?.(spec.key, work);
      },
    };
    const common = { storage, maxQueued: settings.jobMaxQueued, ttlSeconds: settings.jobResultTtlSeconds, logger, events };
    const queues = new Map<Tool, JobQueue>();
    let known = kinds;
    if (settings.redisUrl) {
      // Every tool's queue takes and answers for its jobs; this process runs those of the tools it serves.
      // Opened together: each waits for Redis at most a few seconds, and a start with Redis away should wait once.
      const redisUrl = settings.redisUrl;
      const tools = [...new Set(Object.values(kinds).map((kind) => kind.tool))];
      const opened = await Promise.all(
        tools.map((tool) => {
          const own = Object.fromEntries(Object.entries(kinds).filter(([, kind]) => kind.tool === tool));
          const runs = Object.values(own).some((kind) => kind.run);
          const options = { ...common, kinds: own, redisUrl, keyPrefix: settings.redisKeyPrefix, queueName: QUEUE_NAMES[tool], concurrency: runs ? runJobs : 0, lockMs: settings.jobLockMs };
          return BullJobQueue.open(options);
        }),
      );
      tools.forEach((tool, i) => queues.set(tool, opened[i]!));
    } else {
      // Without Redis no other process could run a job: only the kinds this one runs are taken.
      known = Object.fromEntries(Object.entries(kinds).filter(([, kind]) => kind.run));
      const queue = new MemoryJobQueue({ ...common, kinds: known, concurrency: Math.max(1, runJobs) });
      for (const kind of Object.values(known)) queues.set(kind.tool, queue);
    }
    const service = new JobService(queues, storage, known, settings);
    holder.service = service;
    const every = Math.min(SWEEP_EVERY_MS, Math.max(1000, (settings.jobResultTtlSeconds * 1000) / 4));
    service.sweeper = setInterval(() => void service.sweep().catch((err: unknown) => logger.warn({ err }, 'job sweep failed')), every);
    service.sweeper.unref();
    return service;
  }

  view(record: JobRecord): JobView {
    return jobView(record, this.settings.jobResultTtlSeconds);
  }

  /** Stores the input, checks it (options, item count, callback) and queues it; nothing is kept of a refused job. */
  async submit(request: SubmitRequest): Promise<JobView> {
    const kind = this.kinds[request.type];
    if (!kind) throw new QrwError('INVALID_OPTION', `"type" must be one of ${Object.keys(this.kinds).join(', ')}.`, { option: 'type' });
    const contentType = mediaType(request.contentType);
    if (!kind.accepts.includes(contentType)) throw new QrwError('UNSUPPORTED_MEDIA_TYPE', `A ${request.type} job takes ${kind.accepts.join(', ')}; got ${contentType || 'no Content-Type'}.`);
    kind.checkOptions(request.options);
    const callbackUrl = request.callbackUrl && (await checkCallbackUrl(request.callbackUrl, this.settings.jobCallbackPrivate)).href;
    const id = randomUUID();
    await this.storage.create(id);
    try {
      await request.store(this.storage, id);
      const total = await kind.count({ contentType }, this.storage.dir(id), this.settings.jobMaxRows);
      const spec: JobSpec = {
        id,
        type: request.type,
        contentType,
        options: request.options,
        resultType: kind.resultType(request.accept, request.options),
        total,
        callbackUrl,
        key: request.key,
        createdAt: Date.now(),
      };
      return this.view(await this.queues.get(kind.tool)!.submit(spec));
    } catch (err) {
      await this.storage.remove(id);
      throw err;
    }
  }

  async get(id: string): Promise<JobView> {
    return this.view(await this.record(id));
  }

  async cancel(id: string): Promise<JobView> {
    const queue = await this.queueOf(id);
    const record = await queue?.cancel(id);
    if (!record) throw notFound();
    return this.view(record);
  }

  /** Jobs by state over every queue, for the metrics. */
  async counts(): Promise<Record<JobState, number>> {
    const all = await Promise.all(this.distinctQueues().map((q) => q.counts()));
    return Object.fromEntries(JOB_STATES.map((state) => [state, all.reduce((sum, c) => sum + c[state], 0)])) as Record<JobState, number>;
  }

  /** The finished result as a stream, with its media type and size; JOB_NOT_FINISHED while there is none. */
  async result(id: string): Promise<{ stream: Readable; bytes: number; contentType: string; spec: JobSpec }> {
    const record = await this.record(id);
    if (record.state !== 'completed') throw new QrwError('JOB_NOT_FINISHED', `The job is ${record.state}; its result is there once it has completed.`, { state: record.state });
    const result = await this.storage.readResult(id);
    if (!result) throw notFound();
    return { ...result, contentType: record.spec.resultType, spec: record.spec };
  }

  /** Expired jobs in every queue, then directories no queue knows (older than the TTL: a submit that died midway). */
  async sweep(): Promise<number> {
    let removed = 0;
    for (const queue of this.distinctQueues()) removed += await queue.sweep();
    const cutoff = Date.now() - this.settings.jobResultTtlSeconds * 1000;
    for (const dir of await this.storage.list()) {
      if (dir.changedAt < cutoff && !(await this.queueOf(dir.id))) {
        await this.storage.remove(dir.id);
        removed++;
      }
    }
    return removed;
  }

  async close(graceMs = 0): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all(this.distinctQueues().map((q) => q.close(graceMs)));
  }

  private distinctQueues(): JobQueue[] {
    return [...new Set(this.queues.values())];
  }

  /** The queue that knows the job, if any. */
  private async queueOf(id: string): Promise<JobQueue | undefined> {
    if (!isJobId(id)) return undefined;
    for (const queue of this.distinctQueues()) if (await queue.has(id)) return queue;
    return undefined;
  }

  private async record(id: string): Promise<JobRecord> {
    const record = await (await this.queueOf(id))?.get(id);
    if (!record) throw notFound();
    return record;
  }
}

function notFound(): QrwError {
  return new QrwError('JOB_NOT_FOUND', 'No such job (or its result has expired).');
}

/** `text/csv; charset=utf-8` -> `text/csv`. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}
