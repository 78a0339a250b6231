/** What crosses between the main thread and a pool's threads. */
import type { ErrorCode } from '../errors.js';

/** A workload's tasks by kind: what each takes and what it gives back. */
export type TaskMap = Record<string, { readonly input: object; readonly output: unknown }>;

export type TaskOf<M extends TaskMap, K extends keyof M & string = keyof M & string> = { [P in K]: { readonly kind: P } & M[P]['input'] }[K];

export interface Envelope<T> {
  readonly task: T;
  /** Shared with the main thread: non-zero once the client has gone, so a task still queued is skipped. */
  readonly cancelled: Int32Array | undefined;
  /** Buffers moved in with the task, to be moved back with the reply. */
  readonly transferred: readonly ArrayBuffer[];
}

/** Errors cross the thread boundary as data: structured clone drops an Error's own fields such as `code`. */
export type TaskReply<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly details?: Record<string, unknown> };
