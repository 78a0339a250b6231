/** The QR workload: generation and recognition, run in the QR pool's threads. */
import type { GeneratedImage } from '../qr/generate.js';
import type { GenerateOptions } from '../qr/options.js';
import type { DecodeOptions, DecodeResult, NativeDecodeMode } from '../recognise/index.js';

export type QrTasks = {
  generate: { input: { readonly data: string | Uint8Array; readonly options: GenerateOptions }; output: GeneratedImage };
  decode: { input: { readonly bytes: Uint8Array; readonly options: DecodeOptions }; output: DecodeResult };
};

export interface QrWorkerData {
  /** zxing's reader, compiled once in the main thread: instantiating it in each thread is cheaper than compiling it again. */
  readonly wasm: WebAssembly.Module;
  readonly nativeDecode: NativeDecodeMode;
}
