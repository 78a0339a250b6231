/**
 * Jobs on Redis with BullMQ: state survives any process, every process with JOB_CONCURRENCY > 0 (and
 * each `qrw worker`) takes jobs, and a worker that dies mid-job loses its lock after JOB_LOCK_TIMEOUT,
 * so another starts the job again from its stored input. An attempt writes a part file of its own and
 * publishes it only when whole: the result holds every item exactly once, however many attempts ran.
 * Cancelling reaches the process that runs the job over Redis pub/sub.
 */
import type { Redis } from 'ioredis';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { QrwError, errorInfo, isQrwError, type ErrorInfo } from '../errors.js';
import type { Tool } from '../platform/config.js';
import { connectRedis } from '../platform/redis.js';
import { JOB_STATES, isFinished, type JobRecord, type JobSpec, type JobState } from './job.js';
import type { JobKinds } from './kinds.js';
import { CANCELLED_MESSAGE, runJob, type JobEvents, type JobQueue } from './queue.js';
import type { JobStorage } from './storage.js';

/** One queue per tool, so each tool's workers (sized for its work) take only its jobs and scale on its own wait list. */
export const QUEUE_NAMES: Readonly<Record<Tool, string>> = { qr: 'jobs', idphoto: 'idphoto-jobs' };

/** A job that stalls (its worker died) this many times is failed instead of being run again. */
const MAX_STALLS = 5;
/** How long closing may wait for Redis beyond the jobs' grace. */
const CLOSE_WAIT_MS = 2000;
/** How long cancel() waits for the running attempt to stop before answering. */
const CANCEL_WAIT_MS = 5000;
/** Jobs the sweep deletes per call and per state; the next sweep takes the rest. */
const SWEEP_BATCH = 1000;

export interface BullQueueOptions {
  readonly redisUrl: string;
  /** REDIS_KEY_PREFIX: BullMQ's keys go under `<prefix>bull:<queue>:...`. */
  readonly keyPrefix: string;
  /** One of QUEUE_NAMES. */
  readonly queueName: string;
  readonly kinds: JobKinds;
  readonly storage: JobStorage;
  /** Jobs this process runs at once; 0: it only queues and reads them. */
  readonly concurrency: number;
  readonly maxQueued: number;
  readonly lockMs: number;
  readonly ttlSeconds: number;
  readonly logger: Logger;
  readonly events?: JobEvents;
}

type BullJob = Job<JobSpec, unknown, string>;

/** Cancelled jobs, kept as records (a waiting one is removed from the queue, a running one once it has stopped). */
interface CancelledRecord {
  readonly spec: JobSpec;
  readonly done: number;
  readonly failed: number;
  readonly startedAt?: number | undefined;
  readonly finishedAt: number;
}

export class BullJobQueue implements JobQueue {
  private constructor(
    private readonly options: BullQueueOptions,
    private readonly redis: Redis,
    private readonly queue: Queue<JobSpec, unknown, string>,
    private readonly worker: Worker<JobSpec, unknown, string> | undefined,
    private readonly subscriber: Redis | undefined,
  ) {}

  static async open(options: BullQueueOptions): Promise<BullJobQueue> {
    const { redisUrl, keyPrefix, queueName, logger } = options;
    const redis = await connectRedis(redisUrl, 'queue', logger);
    await untilReady(redis);
    const prefix = `${keyPrefix}bull`;
    const queue = new Queue<JobSpec, unknown, string>(queueName, { connection: redis, prefix });
    queue.on('error', (err) => logger.warn({ err: err.message }, 'job queue: redis error'));
    if (options.concurrency === 0) return new BullJobQueue(options, redis, queue, undefined, undefined);
    const holder: { self?: BullJobQueue } = {};
    const worker = new Worker<JobSpec, unknown, string>(queueName, (job, token, signal) => holder.self!.process(job, token, signal), {
      connection: await connectRedis(redisUrl, 'queue', logger),
      prefix,
      concurrency: options.concurrency,
      lockDuration: options.lockMs,
      stalledInterval: options.lockMs,
      maxStalledCount: MAX_STALLS,
    });
    worker.on('error', (err) => logger.warn({ err: err.message }, 'job worker: redis error'));
    const subscriber = redis.duplicate();
    subscriber.on('error', (err: Error) => logger.debug({ err: err.message }, 'job cancel channel: redis error'));
    // Not awaited: with Redis away it would wait for it, and the process must start anyway (ioredis subscribes once connected, and again after a reconnect).
    subscriber.subscribe(cancelChannel(keyPrefix)).catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'job cancel channel: not subscribed'));
    subscriber.on('message', (_channel, id: string) => void worker.cancelJob(id, CANCELLED_MESSAGE));
    const self = new BullJobQueue(options, redis, queue, worker, subscriber);
    holder.self = self;
    worker.on('failed', (job) => {
      // A cancelled job has its record; the queue need not keep its failure too.
      if (job?.id) void self.cancelledRecord(job.id).then((r) => r && job.remove().catch(() => undefined));
    });
    return self;
  }

  private get cancelledKey(): string {
    return `${this.options.keyPrefix}jobs:cancelled`;
  }

  /** Commands would wait for Redis to come back (the queue profile): a request is answered at once instead. */
  private reachable(): void {
    if (this.redis.status !== 'ready') throw new QrwError('QUEUE_UNAVAILABLE', 'The job queue cannot be reached right now; retry in a moment.');
  }

  async submit(spec: JobSpec): Promise<JobRecord> {
    this.reachable();
    const waiting = await this.queue.getWaitingCount();
    if (waiting >= this.options.maxQueued) throw new QrwError('SATURATED', `${waiting} jobs are already waiting; retry later.`);
    await this.queue.add(spec.type, spec, { jobId: spec.id, attempts: 1, removeOnComplete: false, removeOnFail: false });
    return { spec, state: 'queued', progress: { done: 0, failed: 0 } };
  }

  async get(id: string): Promise<JobRecord | undefined> {
    this.reachable();
    const cancelled = await this.cancelledRecord(id);
    if (cancelled) return { spec: cancelled.spec, state: 'cancelled', progress: cancelled, startedAt: cancelled.startedAt, finishedAt: cancelled.finishedAt };
    const [state, job] = await this.stateThenJob(id);
    return job && recordOf(job, state);
  }

  /**
   * The state before the job's data: BullMQ finishes a job in one script (finishedOn set, the job moved to its set),
   * so data read after a finished state has its finish, where data read first could predate a state read after it.
   */
  private async stateThenJob(id: string): Promise<[string, BullJob | undefined]> {
    const state = await this.queue.getJobState(id);
    const job = (await this.queue.getJob(id)) as BullJob | undefined;
    // Added between the two reads: its state now.
    return [job && state === 'unknown' ? await job.getState() : state, job];
  }

  async cancel(id: string): Promise<JobRecord | undefined> {
    this.reachable();
    const [state, job] = await this.stateThenJob(id);
    if (!job) return this.get(id);
    const record = recordOf(job, state);
    if (isFinished(record.state)) {
      await job.remove().catch(() => undefined);
      await this.options.storage.remove(id);
      return record;
    }
    const cancelled: CancelledRecord = { spec: job.data, ...record.progress, startedAt: record.startedAt, finishedAt: Date.now() };
    await this.redis.hset(this.cancelledKey, id, JSON.stringify(cancelled));
    if (
      record.state === 'queued' &&
      (await job.remove().then(
        () => true,
        () => false,
      ))
    ) {
      await this.options.storage.remove(id);
    } else {
      // Running (or taken just now): the process that runs it aborts it; its files go once it has stopped.
      await this.redis.publish(cancelChannel(this.options.keyPrefix), id);
      await this.waitUntilStopped(job);
      await this.options.storage.remove(id);
    }
    return { spec: job.data, state: 'cancelled', progress: record.progress, startedAt: record.startedAt, finishedAt: cancelled.finishedAt };
  }

  async counts(): Promise<Record<JobState, number>> {
    this.reachable();
    const c = await this.queue.getJobCounts('waiting', 'delayed', 'prioritized', 'active', 'completed', 'failed');
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    counts.queued = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
    counts.running = c.active ?? 0;
    counts.completed = c.completed ?? 0;
    counts.failed = c.failed ?? 0;
    counts.cancelled = await this.redis.hlen(this.cancelledKey);
    return counts;
  }

  async sweep(): Promise<number> {
    this.reachable();
    const { ttlSeconds, storage } = this.options;
    const graceMs = ttlSeconds * 1000;
    const expired = [...(await this.queue.clean(graceMs, SWEEP_BATCH, 'completed')), ...(await this.queue.clean(graceMs, SWEEP_BATCH, 'failed'))];
    const cutoff = Date.now() - graceMs;
    for (const [id, json] of Object.entries(await this.redis.hgetall(this.cancelledKey))) {
      if ((JSON.parse(json) as CancelledRecord).finishedAt < cutoff) {
        await this.redis.hdel(this.cancelledKey, id);
        expired.push(id);
      }
    }
    for (const id of expired) await storage.remove(id);
    return expired.length;
  }

  async has(id: string): Promise<boolean> {
    this.reachable();
    return (await this.queue.getJob(id)) !== undefined || (await this.redis.hexists(this.cancelledKey, id)) === 1;
  }

  async close(graceMs = 0): Promise<void> {
    const closing = (async () => {
      if (this.worker) {
        // Past the grace the running attempts are dropped: their locks lapse and another worker runs them again.
        const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
        if ((await Promise.race([this.worker.close(), timer])) === 'timeout') await this.worker.close(true);
      }
      await this.subscriber?.quit().catch(() => undefined);
      await this.queue.close();
      await this.redis.quit().catch(() => undefined);
    })();
    // With Redis away the closing commands would wait for it forever: past the grace the connections are dropped.
    const bound = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs + CLOSE_WAIT_MS).unref());
    if ((await Promise.race([closing, bound])) === 'timeout') {
      this.subscriber?.disconnect();
      this.redis.disconnect();
      await this.queue.disconnect().catch(() => undefined);
      await this.worker?.disconnect().catch(() => undefined);
    }
  }

  private async cancelledRecord(id: string): Promise<CancelledRecord | undefined> {
    const json = await this.redis.hget(this.cancelledKey, id);
    return json ? (JSON.parse(json) as CancelledRecord) : undefined;
  }

  private async waitUntilStopped(job: BullJob): Promise<void> {
    const deadline = Date.now() + CANCEL_WAIT_MS;
    while (Date.now() < deadline) {
      const state = await job.getState();
      if (state !== 'active') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** BullMQ's processor: one attempt at the job; a failure is final (attempts: 1), a stall is run again. */
  private async process(job: BullJob, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const spec = job.data;
    const { kinds, storage, events, logger } = this.options;
    if (await this.cancelledRecord(spec.id)) throw new UnrecoverableError(JSON.stringify({ code: 'CLIENT_CLOSED', message: CANCELLED_MESSAGE }));
    if (job.stalledCounter > 0) logger.warn({ job: spec.id, stalls: job.stalledCounter }, 'job: running again after its worker stopped');
    const started = Date.now();
    let reported = { done: 0, failed: 0 };
    try {
      const summary = await runJob(
        spec,
        token ?? String(job.attemptsStarted),
        kinds,
        storage,
        {
          signal,
          onProgress: (p) => {
            events?.onItems?.(spec.type, p.done - reported.done, p.failed - reported.failed);
            reported = { done: p.done, failed: p.failed };
            void job.updateProgress(reported).catch(() => undefined);
          },
        },
        events,
      );
      await job.updateProgress({ done: summary.done, failed: summary.failed });
      const finishedAt = Date.now();
      events?.onFinished?.({ spec, state: 'completed', progress: summary, startedAt: started, finishedAt }, (finishedAt - started) / 1000);
      return summary;
    } catch (err) {
      const cancelled = signal?.aborted === true;
      if (!cancelled && !isQrwError(err)) logger.error({ err, job: spec.id }, 'job failed');
      const error = errorInfo(err);
      const finishedAt = Date.now();
      events?.onFinished?.({ spec, state: cancelled ? 'cancelled' : 'failed', progress: reported, startedAt: started, finishedAt, ...(!cancelled && { error }) }, (finishedAt - started) / 1000);
      throw new UnrecoverableError(JSON.stringify(error));
    }
  }
}

/** How long opening waits for the connection; past it the process starts anyway and jobs answer 503 until Redis is there. */
const READY_WAIT_MS = 5000;

async function untilReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, READY_WAIT_MS);
    redis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function cancelChannel(keyPrefix: string): string {
  return `${keyPrefix}jobs:cancel`;
}

const QUEUED_STATES = new Set(['waiting', 'delayed', 'prioritized', 'paused', 'waiting-children']);

function recordOf(job: BullJob, bullState: string): JobRecord {
  const state: JobState = QUEUED_STATES.has(bullState) ? 'queued' : bullState === 'active' ? 'running' : bullState === 'completed' ? 'completed' : 'failed';
  const progress = (typeof job.progress === 'object' && job.progress) as { done?: number; failed?: number } | false;
  return {
    spec: job.data,
    state,
    progress: { done: (progress && progress.done) || 0, failed: (progress && progress.failed) || 0 },
    startedAt: job.processedOn,
    finishedAt: state === 'completed' || state === 'failed' ? job.finishedOn : undefined,
    error: state === 'failed' ? failureOf(job.failedReason) : undefined,
  };
}

/** The failure as the processor recorded it (an ErrorInfo in JSON), or BullMQ's own reason (a stall limit) as INTERNAL. */
function failureOf(reason: string | undefined): ErrorInfo {
  try {
    const info = JSON.parse(reason ?? '') as ErrorInfo;
    if (typeof info.code === 'string' && typeof info.message === 'string') return info;
  } catch {
    // not ours: below
  }
  return { code: 'INTERNAL', message: `The job could not be run: ${reason ?? 'unknown reason'}.` };
}
