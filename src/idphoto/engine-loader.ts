/** Matting engines by name, for the places that load one (worker threads, the CLI). */
import { QrwError } from '../errors.js';
import type { MattingEngine } from './matting/engine.js';
import { loadSelfieMatting } from './matting/selfie.js';

export async function loadIdPhotoEngine(name: string): Promise<MattingEngine> {
  if (name === 'selfie') return loadSelfieMatting();
  throw new QrwError('ENGINE_UNAVAILABLE', `The matting engine ${name} is not installed here.`, { engine: name, reason: 'not installed' });
}
