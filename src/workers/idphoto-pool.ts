import type { DecodeLimits } from '../idphoto/codec/decode.js';
import { MATTING_ENGINES, engineAvailability } from '../idphoto/matting/engines.js';
import type { IsnetProfile, OnnxDevice } from '../idphoto/onnx-device.js';
import type { Config } from '../platform/config.js';
import { WorkerPool } from './pool.js';
import type { IdPhotoTasks, IdPhotoWorkerData } from './idphoto-tasks.js';

export type IdPhotoPool = WorkerPool<IdPhotoTasks>;

/** The pool that makes ID photos: its own threads and queue, so photos never take the QR pool's cores. */
export function startIdPhotoPool(options: { name?: string; threads?: number; maxQueue?: number; limits: DecodeLimits; device?: OnnxDevice; isnetProfile?: IsnetProfile }): IdPhotoPool {
  const workerData: IdPhotoWorkerData = { limits: options.limits, device: options.device ?? 'cpu', isnetProfile: options.isnetProfile ?? 'lean' };
  return WorkerPool.start<IdPhotoTasks, IdPhotoWorkerData>({
    name: options.name ?? 'idphoto',
    entry: new URL('./idphoto-worker.js', import.meta.url),
    threads: options.threads,
    maxQueue: options.maxQueue,
    workerData,
  });
}

/**
 * The ID-photo pools: the main one, and one thread of its own for each installed engine that needs one
 * (ISNet: ~700 MB of model in one thread, with every core for its inference).
 */
export function startIdPhotoPools(config: Pick<Config, 'maxImagePixels' | 'idphotoMaxSide' | 'idphotoDevice' | 'idphotoIsnetProfile' | 'idphotoThreads' | 'idphotoMaxQueue'>): {
  main: IdPhotoPool;
  dedicated: Record<string, IdPhotoPool>;
} {
  const common = { limits: { maxPixels: config.maxImagePixels, maxSide: config.idphotoMaxSide }, device: config.idphotoDevice, isnetProfile: config.idphotoIsnetProfile };
  const main = startIdPhotoPool({ ...common, threads: config.idphotoThreads, maxQueue: config.idphotoMaxQueue });
  const dedicated: Record<string, IdPhotoPool> = {};
  for (const engine of MATTING_ENGINES) {
    if (engine.ownThread && engineAvailability(engine.name).available)
      dedicated[engine.name] = startIdPhotoPool({ ...common, name: `idphoto-${engine.name}`, threads: 1, maxQueue: config.idphotoMaxQueue });
  }
  return { main, dedicated };
}
