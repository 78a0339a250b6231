import type { DecodeLimits } from '../idphoto/codec/decode.js';
import { WorkerPool } from './pool.js';
import type { IdPhotoTasks, IdPhotoWorkerData } from './idphoto-tasks.js';

export type IdPhotoPool = WorkerPool<IdPhotoTasks>;

/** The pool that makes ID photos: its own threads and queue, so photos never take the QR pool's cores. */
export function startIdPhotoPool(options: { threads?: number; maxQueue?: number; photoLimits: DecodeLimits; cutoutLimits: DecodeLimits }): IdPhotoPool {
  const workerData: IdPhotoWorkerData = { photoLimits: options.photoLimits, cutoutLimits: options.cutoutLimits };
  return WorkerPool.start<IdPhotoTasks, IdPhotoWorkerData>({
    name: 'idphoto',
    entry: new URL('./idphoto-worker.js', import.meta.url),
    threads: options.threads,
    maxQueue: options.maxQueue,
    workerData,
  });
}
