/**
 * A bounded pool of worker threads for any workload: a fixed number of threads, a bounded queue
 * (SATURATED beyond it, at once), tasks skipped when their client left before a thread took them,
 * buffers moved rather than copied, and statistics for the metrics. A workload is a worker entry
 * (see thread.ts) and the task map it serves.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { QrwError } from '../errors.js';
import type { PoolStats } from '../platform/metrics.js';
import type { Envelope, TaskMap, TaskOf, TaskReply } from './protocol.js';

export type { PoolStats } from '../platform/metrics.js';

export interface PoolOptions<D> {
  /** Labels the pool's metrics and logs. */
  readonly name: string;
  /** The worker entry's compiled file (a sibling `.ts` is used when the sources are run directly, as the tests do). */
  readonly entry: URL;
  /** Worker threads; default: the number of cores. */
  readonly threads?: number;
  /** Tasks allowed to wait beyond the running ones; more are refused at once (SATURATED). */
  readonly maxQueue?: number;
  /** Handed to every thread once, at its start (e.g. a compiled WebAssembly module). */
  readonly workerData: D;
}

export interface RunOptions {
  /** Aborting it before a thread picks the task up skips the task (CLIENT_CLOSED). */
  readonly signal?: AbortSignal | undefined;
  /** Buffers moved to the thread with the task and moved back with its reply (no copy either way). */
  readonly transfer?: readonly ArrayBuffer[];
}

/** Tasks handed to a thread ahead of time; it runs them one at a time (thread.ts): see docs/design/concurrency.md. */
export const TASKS_PER_THREAD = 8;

/**
 * Piscina loads a worker entry with require() first, which on Node 20.19+ is require(esm) and can abort
 * the process with a V8 fatal error (docs/design/concurrency.md): threads load entries with import().
 */
const THREAD_EXEC_ARGV = ['--no-experimental-require-module'];

/** The entry to start threads with: the compiled file, or its TypeScript source run through tsx. */
function resolveEntry(entry: URL): { filename: string; execArgv: string[] } {
  if (existsSync(entry)) return { filename: entry.href, execArgv: THREAD_EXEC_ARGV };
  const source = new URL(entry.href.replace(/\.js$/, '.ts'));
  if (!existsSync(source)) throw new Error(`worker entry ${fileURLToPath(entry)} does not exist (npm run build)`);
  return { filename: source.href, execArgv: ['--import', 'tsx', ...THREAD_EXEC_ARGV] };
}

export class WorkerPool<M extends TaskMap> {
  private submitted = 0;

  private constructor(
    private readonly piscina: Piscina,
    readonly name: string,
    readonly threads: number,
    readonly maxQueue: number,
  ) {}

  static start<M extends TaskMap, D>(options: PoolOptions<D>): WorkerPool<M> {
    const threads = Math.max(1, options.threads ?? availableParallelism());
    const maxQueue = Math.max(0, options.maxQueue ?? threads * 16);
    const piscina = new Piscina({
      ...resolveEntry(options.entry),
      minThreads: threads,
      maxThreads: threads,
      maxQueue,
      // A thread is handed its next tasks while it still runs one, so under load it goes from task to task
      // instead of waiting for the main thread, busy with HTTP, to see its result and send the next.
      concurrentTasksPerWorker: TASKS_PER_THREAD,
      // Without it a task that could not be handed to a thread goes back to the tail of the queue (piscinajs/piscina#1031).
      stricterFIFO: true,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      workerData: options.workerData,
    });
    return new WorkerPool<M>(piscina, options.name, threads, maxQueue);
  }

  /** Resolves with the task's output, or rejects with a QrwError (SATURATED when the queue is full). */
  async run<K extends keyof M & string>(task: TaskOf<M, K>, options: RunOptions = {}): Promise<M[K]['output']> {
    const { signal, transfer = [] } = options;
    // Piscina's own abort would terminate a thread already running the task: a shared flag lets the thread skip it instead.
    const cancelled = signal ? new Int32Array(new SharedArrayBuffer(4)) : undefined;
    const onAbort = (): void => void Atomics.store(cancelled!, 0, 1);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const envelope: Envelope<TaskOf<M, K>> = { task, cancelled, transferred: [...transfer] };
    let reply: TaskReply<M[K]['output']>;
    try {
      this.submitted++;
      reply = (await this.piscina.run(envelope, transfer.length > 0 ? { transferList: [...transfer] } : {})) as TaskReply<M[K]['output']>;
    } catch (err) {
      if (err instanceof Error && /queue is at limit|no task queue available/i.test(err.message)) {
        this.submitted--; // refused, not accepted (piscina refuses by rejecting, before any await returns)
        throw new QrwError('SATURATED', 'The server is at capacity; retry in a moment.');
      }
      throw err;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (!reply.ok) throw new QrwError(reply.code, reply.message, reply.details);
    return reply.value;
  }

  /** No task could wait now: one more would be refused. */
  get full(): boolean {
    return this.piscina.queueSize >= this.maxQueue;
  }

  stats(): PoolStats {
    const p = this.piscina;
    return {
      name: this.name,
      threads: this.threads,
      queued: p.queueSize,
      maxQueue: this.maxQueue,
      utilization: p.utilization,
      submitted: this.submitted,
      completed: p.completed,
      waitMeanMs: p.histogram.waitTime.mean,
      waitP99Ms: (p.histogram.waitTime as { p99?: number }).p99 ?? 0,
      runMeanMs: p.histogram.runTime.mean,
    };
  }

  /** Finishes queued and running tasks, then stops the threads. */
  async close(): Promise<void> {
    await this.piscina.close();
  }
}

/** The view's ArrayBuffer when the view covers all of it (and it is not shared), so that it can be moved whole; else undefined. */
export function wholeBuffer(bytes: Uint8Array): ArrayBuffer | undefined {
  const buffer = bytes.buffer;
  if (buffer instanceof SharedArrayBuffer || bytes.byteLength === 0 || bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength) return undefined;
  return buffer as ArrayBuffer;
}

/** Run options that move an upload to the thread and back instead of copying it. */
export function moving(bytes: Uint8Array, signal?: AbortSignal): RunOptions {
  const buffer = wholeBuffer(bytes);
  return { signal, transfer: buffer ? [buffer] : [] };
}
