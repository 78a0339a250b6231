/**
 * The kinds of job: for each, the bodies it takes, the options it validates at submit, how many items
 * its input holds, and the use case that turns the input into the result, the same one the
 * synchronous route runs.
 */
import type { Writable } from 'node:stream';
import type { BatchControl, BatchSummary } from '../app/batch.js';
import type { Tool } from '../platform/config.js';
import type { JobSpec } from './job.js';

export interface JobKind {
  /** The tool whose workers run it: each tool has its own queue, so ID-photo workers (sized for the models) scale apart from QR ones. */
  readonly tool: Tool;
  /** Media types of the bodies it takes (multipart/form-data: files saved one by one under `files/`). */
  readonly accepts: readonly string[];
  /** The result's media type for the submit's Accept header and options. */
  resultType(accept: string | undefined, options: Readonly<Record<string, string>>): string;
  /** Throws INVALID_OPTION for an option the job would fail on, before anything is queued. */
  checkOptions(options: Readonly<Record<string, string>>): void;
  /** Items in the stored input; throws the batch's errors (INVALID_ROWS, INVALID_ARCHIVE, BATCH_TOO_LARGE) for an input it cannot run. */
  count(spec: Pick<JobSpec, 'contentType'>, dir: string, maxItems: number): Promise<number>;
  /**
   * The stored input -> the result written to `out` (not ended), as the synchronous route would have
   * answered. Absent where this process does not serve the tool: with Redis it still takes and
   * answers for such jobs, and the processes that serve the tool run them.
   */
  readonly run?: ((spec: JobSpec, dir: string, out: Writable, control: BatchControl) => Promise<BatchSummary>) | undefined;
}

export type JobKinds = Readonly<Record<string, JobKind>>;

/** Where a multipart submit's files are kept, one file per part, named in order. */
export const FILES_DIR = 'files';
/** Where a raw body (rows, a ZIP) is kept. */
export const INPUT_FILE = 'input';
