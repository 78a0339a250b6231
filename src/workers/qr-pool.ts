import { compileReaderWasm, type NativeDecodeMode } from '../recognise/index.js';
import { WorkerPool } from './pool.js';
import type { QrTasks, QrWorkerData } from './qr-tasks.js';

export type QrPool = WorkerPool<QrTasks>;

/** The pool that generates and reads QR codes; the reader's wasm is compiled here once for every thread. */
export async function startQrPool(options: { threads?: number; maxQueue?: number; nativeDecode?: NativeDecodeMode } = {}): Promise<QrPool> {
  const workerData: QrWorkerData = { wasm: await compileReaderWasm(), nativeDecode: options.nativeDecode ?? 'auto' };
  return WorkerPool.start<QrTasks, QrWorkerData>({ name: 'qr', entry: new URL('./qr-worker.js', import.meta.url), threads: options.threads, maxQueue: options.maxQueue, workerData });
}
