/**
 * The default matting engine: MediaPipe selfie segmentation (models/selfie, Apache-2.0), a 256x256
 * model whose sigmoid output is a coarse person matte, run by TensorFlow.js on its WebAssembly
 * backend (src/idphoto/tfjs-graph.ts).
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { modelDir } from '../model-dir.js';
import { loadGraphModelFiles } from '../tfjs-graph.js';
import type { Matte, MattingEngine, RgbImage } from './engine.js';
import { resizeToTensor } from './resize-input.js';

export type { Matte, MattingEngine, RgbImage } from './engine.js';

/** The model's input and output side (input_1:0 [1,256,256,3] RGB in 0..1; activation_10:0 [1,256,256,1]). */
export const SELFIE_SIZE = 256;

/** The folder holding the model files (models/selfie), wherever this module runs from. */
export function selfieModelDir(): URL {
  return modelDir('selfie', 'selfie.json');
}

/** Loads the model from models/selfie (read from disk, nothing fetched) onto the WebAssembly backend. */
export async function loadSelfieMatting(): Promise<MattingEngine> {
  const { tf, model } = await loadGraphModelFiles('selfie', 'selfie');
  const input = new Float32Array(SELFIE_SIZE * SELFIE_SIZE * 3);
  let released = false;

  const matte = async (rgb: RgbImage): Promise<Matte> => {
    if (released) throw new Error('The selfie matting engine was released.');
    // The input buffer is copied into the tensor at once, so overlapping calls cannot see each other's pixels.
    resizeToTensor(rgb, SELFIE_SIZE, SELFIE_SIZE, input);
    const output = tf.tidy(() => model.execute(tf.tensor4d(input, [1, SELFIE_SIZE, SELFIE_SIZE, 3])) as Tensor);
    try {
      const data = (await output.data()) as Float32Array;
      if (data.length !== SELFIE_SIZE * SELFIE_SIZE) throw new Error(`The selfie model gave ${data.length} values, expected ${SELFIE_SIZE * SELFIE_SIZE}.`);
      return { data: Float32Array.from(data), width: SELFIE_SIZE, height: SELFIE_SIZE, channels: 1 };
    } finally {
      output.dispose();
    }
  };

  const release = (): Promise<void> => {
    if (!released) model.dispose();
    released = true;
    return Promise.resolve();
  };

  return { name: 'selfie', matte, release };
}
