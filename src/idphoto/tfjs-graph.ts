/**
 * TensorFlow.js graph models (the selfie matte, the face mesh) on the WebAssembly backend (tfjs-node
 * would download libtensorflow at install), read from models/ with nothing fetched. TensorFlow.js is
 * imported when the first model is loaded, not when this module is.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { io } from '@tensorflow/tfjs-core';
import { modelDir } from './model-dir.js';

/** TensorFlow.js's core and graph-model loader only: the full @tensorflow/tfjs bundle would add layers, data and WebGL. */
export type Tf = typeof import('@tensorflow/tfjs-core') & { readonly loadGraphModel: typeof import('@tensorflow/tfjs-converter').loadGraphModel };

/** The backend is process-wide (per worker thread) state: set up once, by the first model loaded. */
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

/** A graph model whose topology is models/<folder>/<name>.json and whose weights are <name>.bin beside it. */
export async function loadGraphModelFiles(folder: string, name: string): Promise<{ tf: Tf; model: GraphModel }> {
  const dir = modelDir(folder, `${name}.json`);
  const [tf, json, bin] = await Promise.all([wasmBackend(), readFile(new URL(`${name}.json`, dir), 'utf8'), readFile(new URL(`${name}.bin`, dir))]);
  const manifest = JSON.parse(json) as ModelJson;
  const weightSpecs = manifest.weightsManifest.flatMap((group) => group.weights);
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  return { tf, model: await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: manifest.modelTopology, weightSpecs, weightData })) };
}
