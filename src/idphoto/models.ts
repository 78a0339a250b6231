/** The models one thread keeps: the face detector, the face mesh and each matting engine, loaded on first use and shared by every task after. */
import { loadFaceDetector, type FaceDetector } from './face/blazeface.js';
import { loadFaceMesh, type FaceMesh } from './face/mesh.js';
import type { IdPhotoModels } from './make.js';
import type { MattingEngine } from './matting/engine.js';
import type { OnnxDevice } from './onnx-device.js';

export interface LoadedModels extends IdPhotoModels {
  /** Frees every model loaded so far. */
  release(): Promise<void>;
}

/**
 * `loadEngine` loads a matting engine by name (or throws ENGINE_UNAVAILABLE); the face detector runs on
 * `device`. A failed load is tried again on the next call.
 */
export function createModels(loadEngine: (name: string) => Promise<MattingEngine>, device: OnnxDevice = 'cpu'): LoadedModels {
  let detector: Promise<FaceDetector> | undefined;
  let mesh: Promise<FaceMesh> | undefined;
  const engines = new Map<string, Promise<MattingEngine>>();
  const remember = <T>(promise: Promise<T>, forget: () => void): Promise<T> => {
    promise.catch(forget);
    return promise;
  };
  return {
    detector: () => (detector ??= remember(loadFaceDetector({ device }), () => (detector = undefined))),
    mesh: () => (mesh ??= remember(loadFaceMesh(), () => (mesh = undefined))),
    engine: (name) => {
      let engine = engines.get(name);
      if (!engine) {
        engine = remember(loadEngine(name), () => engines.delete(name));
        engines.set(name, engine);
      }
      return engine;
    },
    release: async () => {
      const loaded = await Promise.allSettled([...(detector ? [detector] : []), ...(mesh ? [mesh] : []), ...engines.values()]);
      detector = undefined;
      mesh = undefined;
      engines.clear();
      await Promise.all(loaded.flatMap((r) => (r.status === 'fulfilled' ? [r.value.release()] : [])));
    },
  };
}
