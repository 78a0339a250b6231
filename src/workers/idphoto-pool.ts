import type { DecodeLimits } from '../idphoto/codec/decode.js';
import type { OnnxDevice } from '../idphoto/onnx-device.js';
import { WorkerPool } from './pool.js';
import type { IdPhotoTasks, IdPhotoWorkerData } from './idphoto-tasks.js';

export type IdPhotoPool = WorkerPool<IdPhotoTasks>;

/** The pool that makes ID photos: its own threads and queue, so photos never take the QR pool's cores. */
export function startIdPhotoPool(options: { name?: string; threads?: number; maxQueue?: number; limits: DecodeLimits; device?: OnnxDevice }): IdPhotoPool {
  const workerData: IdPhotoWorkerData = { limits: options.limits, device: options.device ?? 'cpu' };
  return WorkerPool.start<IdPhotoTasks, IdPhotoWorkerData>({
    name: options.name ?? 'idphoto',
    entry: new URL('./idphoto-worker.js', import.meta.url),
    threads: options.threads,
    maxQueue: options.maxQueue,
    workerData,
  });
}
