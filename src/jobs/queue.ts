/**
 * The job queue every transport uses: submit, look up, cancel. Two engines behind it: BullMQ on Redis
 * (jobs survive restarts and run on any worker process) and an in-process one for a single process
 * without Redis (documented: lost on restart). Both run a job the same way (runJob below).
 */
import { QrwError } from '../errors.js';
import type { BatchControl, BatchSummary } from '../app/batch.js';
import { emptyWork, withWorkCounts, type WorkCounts } from '../app/work-counts.js';
import type { JobRecord, JobSpec, JobState } from './job.js';
import type { JobKinds } from './kinds.js';
import type { JobStorage } from './storage.js';

export interface JobQueue {
  /** Queues a job whose input is already in storage; SATURATED beyond JOB_MAX_QUEUED waiting. */
  submit(spec: JobSpec): Promise<JobRecord>;
  /** Undefined when no such job exists (never did, or expired). */
  get(id: string): Promise<JobRecord | undefined>;
  /** Queued or running -> cancelled (its files deleted); finished -> removed with its result. Undefined when unknown. */
  cancel(id: string): Promise<JobRecord | undefined>;
  /** Jobs by state, for the metrics. */
  counts(): Promise<Record<JobState, number>>;
  /** Deletes finished jobs past JOB_RESULT_TTL and their files. */
  sweep(): Promise<number>;
  /** Whether the queue knows the job (in any state, cancelled included). */
  has(id: string): Promise<boolean>;
  /** Stops taking jobs; running ones finish within `graceMs` or are left to be run again (Redis) or failed (in-process). */
  close(graceMs?: number): Promise<void>;
}

/** What a queue reports as jobs run, for metrics and logs. */
export interface JobEvents {
  /** Items finished since the last call, by the process that runs the job. */
  readonly onItems?: (type: string, done: number, failed: number) => void;
  /** An attempt ended (completed, failed or cancelled), in the process that ran it; `seconds` it took. */
  readonly onFinished?: (record: JobRecord, seconds: number) => void;
  /** The work an attempt did, when it ends however it ends; a killed attempt reports nothing and its rerun reports all. */
  readonly onWork?: (spec: JobSpec, work: WorkCounts) => void;
}

export const CANCELLED_MESSAGE = 'The job was cancelled.';

/** Runs one attempt of a job: input from storage -> its kind's use case -> a part file, published when whole. */
export async function runJob(spec: JobSpec, attempt: string, kinds: JobKinds, storage: JobStorage, control: BatchControl, events: JobEvents | undefined): Promise<BatchSummary> {
  const run = kinds[spec.type]?.run;
  if (!run) throw new QrwError('INVALID_OPTION', `This process cannot run jobs of type "${spec.type}".`, { option: 'type' });
  const result = await storage.openResult(spec.id, attempt);
  // The job's own scope: its work is never counted in the request that submitted it (the in-process queue starts it from there).
  const work = emptyWork();
  try {
    const summary = await withWorkCounts(work, () => run(spec, storage.dir(spec.id), result.out, control));
    result.out.end();
    await result.publish();
    return summary;
  } catch (err) {
    await result.discard();
    throw err;
  } finally {
    events?.onWork?.(spec, work);
  }
}
