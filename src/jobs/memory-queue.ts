/**
 * Jobs without Redis: kept in this process's memory and run here, JOB_CONCURRENCY (at least one) at a
 * time. The same API as with Redis; the jobs are lost when the process stops (their files are swept
 * at the next start once past JOB_RESULT_TTL).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { QrwError, errorInfo, isQrwError, type ErrorInfo } from '../errors.js';
import { JOB_STATES, isFinished, type JobRecord, type JobSpec, type JobState } from './job.js';
import type { JobKinds } from './kinds.js';
import { CANCELLED_MESSAGE, runJob, type JobEvents, type JobQueue } from './queue.js';
import type { JobStorage } from './storage.js';

interface Entry {
  spec: JobSpec;
  state: JobState;
  done: number;
  failed: number;
  startedAt?: number;
  finishedAt?: number;
  error?: ErrorInfo;
  controller?: AbortController;
  running?: Promise<void>;
}

export interface MemoryQueueOptions {
  readonly kinds: JobKinds;
  readonly storage: JobStorage;
  readonly concurrency: number;
  readonly maxQueued: number;
  readonly ttlSeconds: number;
  readonly logger: Logger;
  readonly events?: JobEvents;
}

export class MemoryJobQueue implements JobQueue {
  private readonly jobs = new Map<string, Entry>();
  private readonly waiting: string[] = [];
  private active = 0;
  private closed = false;

  constructor(private readonly options: MemoryQueueOptions) {}

  async submit(spec: JobSpec): Promise<JobRecord> {
    if (this.closed) throw new QrwError('SHUTTING_DOWN', 'The instance is shutting down; submit the job again on another.');
    if (this.waiting.length >= this.options.maxQueued) throw new QrwError('SATURATED', `${this.waiting.length} jobs are already waiting; retry later.`);
    const entry: Entry = { spec, state: 'queued', done: 0, failed: 0 };
    this.jobs.set(spec.id, entry);
    this.waiting.push(spec.id);
    const submitted = record(entry);
    this.pump();
    return submitted;
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const entry = this.jobs.get(id);
    return entry && record(entry);
  }

  async cancel(id: string): Promise<JobRecord | undefined> {
    const entry = this.jobs.get(id);
    if (!entry) return undefined;
    if (isFinished(entry.state)) {
      this.jobs.delete(id);
      await this.options.storage.remove(id);
      return record(entry);
    }
    const index = this.waiting.indexOf(id);
    if (index >= 0) this.waiting.splice(index, 1);
    const controller = entry.controller;
    this.finish(entry, 'cancelled');
    controller?.abort(new QrwError('CLIENT_CLOSED', CANCELLED_MESSAGE));
    await entry.running;
    await this.options.storage.remove(id);
    return record(entry);
  }

  async counts(): Promise<Record<JobState, number>> {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const entry of this.jobs.values()) counts[entry.state]++;
    return counts;
  }

  async sweep(): Promise<number> {
    const cutoff = Date.now() - this.options.ttlSeconds * 1000;
    let removed = 0;
    for (const [id, entry] of this.jobs) {
      if (entry.finishedAt !== undefined && entry.finishedAt < cutoff) {
        this.jobs.delete(id);
        await this.options.storage.remove(id);
        removed++;
      }
    }
    return removed;
  }

  async has(id: string): Promise<boolean> {
    return this.jobs.has(id);
  }

  async close(graceMs = 0): Promise<void> {
    this.closed = true;
    for (const id of this.waiting.splice(0)) this.finish(this.jobs.get(id)!, 'failed', shutdownError().toJSON());
    const running = [...this.jobs.values()].filter((e) => e.running);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(running.map((e) => e.running)), timer]);
    for (const entry of running) entry.controller?.abort(shutdownError());
    await Promise.all(running.map((e) => e.running));
  }

  private pump(): void {
    while (!this.closed && this.active < Math.max(1, this.options.concurrency) && this.waiting.length > 0) {
      const entry = this.jobs.get(this.waiting.shift()!)!;
      this.active++;
      entry.running = this.run(entry).finally(() => {
        this.active--;
        delete entry.running;
        this.pump();
      });
    }
  }

  private async run(entry: Entry): Promise<void> {
    const { spec } = entry;
    const controller = new AbortController();
    entry.controller = controller;
    entry.state = 'running';
    entry.startedAt = Date.now();
    const { onItems } = this.options.events ?? {};
    try {
      await runJob(
        spec,
        randomUUID(),
        this.options.kinds,
        this.options.storage,
        {
          signal: controller.signal,
          onProgress: (p) => {
            onItems?.(spec.type, p.done - entry.done, p.failed - entry.failed);
            entry.done = p.done;
            entry.failed = p.failed;
          },
        },
        this.options.events,
      );
      this.finish(entry, 'completed');
    } catch (err) {
      if (entry.state !== 'running') return; // cancelled meanwhile
      if (!isQrwError(err)) this.options.logger.error({ err, job: spec.id }, 'job failed');
      this.finish(entry, 'failed', errorInfo(err));
    }
  }

  private finish(entry: Entry, state: JobState, error?: ErrorInfo): void {
    if (isFinished(entry.state)) return;
    entry.state = state;
    entry.finishedAt = Date.now();
    if (error) entry.error = error;
    delete entry.controller;
    this.options.events?.onFinished?.(record(entry), (entry.finishedAt - (entry.startedAt ?? entry.finishedAt)) / 1000);
  }
}

function shutdownError(): QrwError {
  return new QrwError('SHUTTING_DOWN', 'The process running the job stopped before it finished (jobs without Redis do not survive a restart); submit it again.');
}

function record(entry: Entry): JobRecord {
  return {
    spec: entry.spec,
    state: entry.state,
    progress: { done: entry.done, failed: entry.failed },
    startedAt: entry.startedAt,
    finishedAt: entry.finishedAt,
    error: entry.error,
  };
}
