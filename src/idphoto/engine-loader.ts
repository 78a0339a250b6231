/** Matting engines by name for the places that load one (worker threads, the CLI): an engine that is not installed is a 422 with the reason, not a crash. */
import { QrwError } from '../errors.js';
import { engineAvailability, isMattingEngineName, loadMattingEngine, MATTING_ENGINES } from './matting/engines.js';
import type { MattingEngine } from './matting/engine.js';
import type { OnnxDevice } from './onnx-device.js';

/** A loader for createModels(): engines on `device` (the CPU unless asked; only engines that list CUDA use it). */
export function engineLoader(device: OnnxDevice = 'cpu'): (name: string) => Promise<MattingEngine> {
  return async (name) => {
    if (!isMattingEngineName(name)) throw new QrwError('INVALID_OPTION', `Unknown matting engine ${name}; one of ${MATTING_ENGINES.map((e) => e.name).join(', ')}.`, { option: 'engine' });
    const availability = engineAvailability(name);
    if (!availability.available) throw new QrwError('ENGINE_UNAVAILABLE', `The matting engine ${name} is not installed here.`, { engine: name, reason: availability.reason ?? 'not installed' });
    return loadMattingEngine(name, { device });
  };
}

/** Engines on the CPU. */
export const loadIdPhotoEngine = engineLoader('cpu');
