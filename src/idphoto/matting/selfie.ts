/**
 * The default matting engine: MediaPipe selfie segmentation (models/selfie, Apache-2.0), a 256x256
 * model whose sigmoid output is a coarse person matte, run by TensorFlow.js on its WebAssembly
 * backend (tfjs-node would download libtensorflow at install). TensorFlow.js is imported when the
 * first engine is loaded, not when this module is.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { Tensor, io } from '@tensorflow/tfjs-core';
import type { Matte, MattingEngine, RgbImage } from './engine.js';
import { resizeToTensor } from './resize-input.js';

export type { Matte, MattingEngine, RgbImage } from './engine.js';

/** The model's input and output side (input_1:0 [1,256,256,3] RGB in 0..1; activation_10:0 [1,256,256,1]). */
export const SELFIE_SIZE = 256;

const MODEL_JSON = 'selfie.json';
const MODEL_BIN = 'selfie.bin';

/** models/ seen from src/idphoto/matting/ (the tests run the sources), then from dist/src/idphoto/matting/ (the build). */
const MODEL_DIRS = ['../../../models/selfie/', '../../../../models/selfie/'];

/** The folder holding the model files, wherever this module runs from. */
export function selfieModelDir(): URL {
  const found = MODEL_DIRS.map((dir) => new URL(dir, import.meta.url)).find((url) => existsSync(new URL(MODEL_JSON, url)));
  if (!found) throw new Error(`The selfie model models/selfie/${MODEL_JSON} is missing (looked beside ${new URL('.', import.meta.url).pathname}).`);
  return found;
}

/** TensorFlow.js's core and graph-model loader only: the full @tensorflow/tfjs bundle would add layers, data and WebGL. */
type Tf = typeof import('@tensorflow/tfjs-core') & { readonly loadGraphModel: typeof import('@tensorflow/tfjs-converter').loadGraphModel };

/** The backend is process-wide (per worker thread) state: set up once, by the first engine loaded. */
let backend: Promise<Tf> | undefined;

function wasmBackend(): Promise<Tf> {
  backend ??= (async () => {
    const [core, converter, wasm] = await Promise.all([import('@tensorflow/tfjs-core'), import('@tensorflow/tfjs-converter'), import('@tensorflow/tfjs-backend-wasm')]);
    const tf: Tf = { ...core, loadGraphModel: converter.loadGraphModel };
    // The .wasm files ship in the package's dist/ folder; Emscripten in Node reads them with fs, so a plain path with a trailing slash.
    const dist = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + '/';
    wasm.setWasmPaths(dist);
    // One thread: the tool runs one engine per worker thread (in Node the backend is single-threaded anyway).
    wasm.setThreadsCount(1);
    // PROD drops the debug checks and the console advice to install tfjs-node.
    tf.env().set('PROD', true);
    if (!(await tf.setBackend('wasm'))) throw new Error('The TensorFlow.js WebAssembly backend did not start.');
    await tf.ready();
    return tf;
  })();
  // A failed start is not cached: the next load tries again.
  backend.catch(() => (backend = undefined));
  return backend;
}

interface ModelJson {
  readonly modelTopology: object;
  readonly weightsManifest: readonly { readonly paths: readonly string[]; readonly weights: io.WeightsManifestEntry[] }[];
}

/** Loads the model from models/selfie (read from disk, nothing fetched) onto the WebAssembly backend. */
export async function loadSelfieMatting(): Promise<MattingEngine> {
  const dir = selfieModelDir();
  const [tf, json, bin] = await Promise.all([wasmBackend(), readFile(new URL(MODEL_JSON, dir), 'utf8'), readFile(new URL(MODEL_BIN, dir))]);
  const manifest = JSON.parse(json) as ModelJson;
  const weightSpecs = manifest.weightsManifest.flatMap((group) => group.weights);
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const model: GraphModel = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs, weightData }));
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
