/** Matting engines by name for the places that load one (worker threads, the CLI): an engine that is not installed is a 422 with the reason, not a crash. */
import { QrwError } from '../errors.js';
import { engineAvailability, isMattingEngineName, loadMattingEngine, MATTING_ENGINES, type MattingEngineOptions } from './matting/engines.js';
import type { MattingEngine } from './matting/engine.js';

/** What every engine a process loads is run with: the device (the CPU unless asked; only engines that list CUDA use it) and ISNet's profile. */
export type EngineRuntime = Pick<MattingEngineOptions, 'device' | 'isnetProfile'>;

/** A loader for createModels(). */
export function engineLoader(runtime: EngineRuntime = {}): (name: string) => Promise<MattingEngine> {
  return async (name) => {
    if (!isMattingEngineName(name)) throw new QrwError('INVALID_OPTION', `Unknown matting engine ${name}; one of ${MATTING_ENGINES.map((e) => e.name).join(', ')}.`, { option: 'engine' });
    const availability = engineAvailability(name);
    if (!availability.available) throw new QrwError('ENGINE_UNAVAILABLE', `The matting engine ${name} is not installed here.`, { engine: name, reason: availability.reason ?? 'not installed' });
    return loadMattingEngine(name, runtime);
  };
}

/** Engines on the CPU. */
export const loadIdPhotoEngine = engineLoader();
