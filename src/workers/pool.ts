import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { QrwError } from '../errors.js';
import { compileReaderWasm } from '../recognise/reader/zxing.js';
import type { NativeDecodeMode } from '../recognise/input/native.js';
import { wholeBuffer, type Task, type TaskOutput, type TaskReply, type WorkerData } from './qr-tasks.js';

export interface PoolOptions {
  /** Worker threads; default: the number of cores. */
  readonly threads?: number;
  /** Tasks allowed to wait beyond the running ones; more are refused at once (HTTP 503). */
  readonly maxQueue?: number;
  /** Whether the threads read plain PNGs and JPEGs with the native decoders (decode/native.ts); default 'auto'. */
  readonly nativeDecode?: NativeDecodeMode;
}

export interface PoolStats {
  readonly threads: number;
  readonly queued: number;
  readonly maxQueue: number;
  readonly utilization: number;
  /** Tasks the pool accepted since start (refused ones not counted); minus completed: queued or running. */
  readonly submitted: number;
  readonly completed: number;
  /** Milliseconds a task waited in the queue until a thread took it (mean and p99 since start). */
  readonly waitMeanMs: number;
  readonly waitP99Ms: number;
  readonly runMeanMs: number;
}

/** Tasks handed to a thread ahead of time; it runs them one at a time (worker.ts). */
export const TASKS_PER_THREAD = 8;

export class WorkerPool {
  private submitted = 0;

  private constructor(
    private readonly piscina: Piscina,
    readonly threads: number,
    readonly maxQueue: number,
  ) {}

  /** Compiles the reader's wasm once here and hands the compiled module to every worker. */
  static async start(options: PoolOptions = {}): Promise<WorkerPool> {
    const threads = Math.max(1, options.threads ?? availableParallelism());
    const maxQueue = Math.max(0, options.maxQueue ?? threads * 16);
    const workerData: WorkerData = { wasm: await compileReaderWasm(), nativeDecode: options.nativeDecode ?? 'auto' };
    const piscina = new Piscina({
      filename: new URL('./qr-worker.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      maxQueue,
      // A thread is handed its next tasks while it still runs one, so under load it goes from task to task
      // instead of sleeping in Atomics.wait until the main thread, busy with HTTP, has seen its result and
      // sent the next (two cross-thread wake-ups per task). Cache-miss generates: 2101-2559 req/s with two
      // tasks per thread against 1703-2175 with one (5 alternating 10 s wrk runs each); with eight, 2542-2701
      // against 1816-2270 with two (4 alternating runs), and under decodes the cores stay busier (179-184 %
      // against 173-175 %). README, How it works: Concurrency.
      concurrentTasksPerWorker: TASKS_PER_THREAD,
      // Without it a task that could not be handed to a thread goes back to the tail of the queue
      // (piscinajs/piscina#1031): with one thread, decodes waited up to 5 s while the median was 0.1 s.
      stricterFIFO: true,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      workerData,
    });
    return new WorkerPool(piscina, threads, maxQueue);
  }

  /**
   * Resolves with the task's output, or rejects with a QrwError (SATURATED when the queue is full).
   * A decode whose `signal` aborts before a thread picks it up is skipped (CLIENT_CLOSED): under
   * overload, clients that time out would otherwise leave work that delays everyone behind it.
   * (Piscina's own abort would terminate a thread that is already running the task.)
   */
  async run<T extends Task>(task: T, signal?: AbortSignal): Promise<TaskOutput<T>> {
    if (signal && task.kind === 'decode') {
      const cancelled = new Int32Array(new SharedArrayBuffer(4));
      const onAbort = (): void => void Atomics.store(cancelled, 0, 1);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await this.run({ ...task, cancelled }) as TaskOutput<T>;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    }
    const upload = task.kind === 'decode' ? wholeBuffer(task.bytes) : undefined;
    const transferList = upload ? [upload] : undefined;
    let reply: TaskReply<TaskOutput<T>>;
    try {
      this.submitted++;
      reply = (await this.piscina.run(task, transferList ? { transferList } : {})) as TaskReply<TaskOutput<T>>;
    } catch (err) {
      if (err instanceof Error && /queue is at limit|no task queue available/i.test(err.message)) {
        this.submitted--; // refused, not accepted (piscina refuses by rejecting, before any await returns)
        throw new QrwError('SATURATED', 'The server is at capacity; retry in a moment.');
      }
      throw err;
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
