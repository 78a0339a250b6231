/**
 * Where QR work runs: in the worker pool (the service) or in this thread (the CLI, a script).
 * The use cases take either, so every client goes through the same code.
 */
import { nodeDeflate } from '../platform/deflate.js';
import { generateQr, type GeneratedImage } from '../qr/generate.js';
import type { GenerateOptions } from '../qr/options.js';
import { decodeImage, loadReader, type DecodeOptions, type DecodeResult } from '../recognise/index.js';
import { moving } from '../workers/pool.js';
import type { QrPool } from '../workers/qr-pool.js';
import { generateChunk, type GenerateChunk, type GeneratedChunk } from '../workers/qr-tasks.js';

export type { GenerateChunk, GeneratedChunk } from '../workers/qr-tasks.js';

export interface QrEngine {
  generate(data: string | Uint8Array, options: GenerateOptions): Promise<GeneratedImage>;
  /** A batch's chunk in one task; an item that fails carries its error. A chunk whose `signal` aborts before it starts is skipped (CLIENT_CLOSED). */
  generateMany(chunk: GenerateChunk, signal?: AbortSignal): Promise<GeneratedChunk>;
  /** A decode whose `signal` aborts before it starts is skipped (CLIENT_CLOSED). */
  decode(bytes: Uint8Array, options: DecodeOptions, signal?: AbortSignal): Promise<DecodeResult>;
  /** True while more work would be refused (SATURATED). */
  readonly saturated: boolean;
}

export function poolEngine(pool: QrPool): QrEngine {
  return {
    generate: (data, options) => pool.run({ kind: 'generate', data, options }),
    generateMany: (chunk, signal) => pool.run({ kind: 'generateMany', ...chunk }, { signal }),
    decode: (bytes, options, signal) => pool.run({ kind: 'decode', bytes, options }, moving(bytes, signal)),
    get saturated() {
      return pool.full;
    },
  };
}

/** Runs everything in the calling thread: the reader's wasm is compiled on first use. */
export function inProcessEngine(): QrEngine {
  return {
    generate: async (data, options) => generateQr(data, options, nodeDeflate),
    generateMany: async (chunk) => generateChunk(chunk, nodeDeflate),
    decode: async (bytes, options) => decodeImage(await loadReader(), bytes, options),
    saturated: false,
  };
}
