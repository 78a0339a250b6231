/** The QR workload: generation and recognition, run in the QR pool's threads. */
import { isQrwError, type ErrorCode } from '../errors.js';
import type { Deflate } from '../qr/render/png.js';
import { generateQr, type GeneratedImage } from '../qr/generate.js';
import type { GenerateOptions } from '../qr/options.js';
import type { DecodeOptions, DecodeResult, NativeDecodeMode } from '../recognise/index.js';

/** Many codes in one task, so that a batch pays the cost of a task (messages, scheduling) once per chunk. */
export interface GenerateChunk {
  readonly data: readonly (string | Uint8Array)[];
  /** The distinct option sets of the chunk; `optionIndex[i]` picks item i's. */
  readonly options: readonly GenerateOptions[];
  readonly optionIndex: Uint8Array | Uint16Array;
}

export type ChunkItem = { readonly end: number; readonly version: number } | { readonly error: { readonly code: ErrorCode; readonly message: string } };

/** The images of a chunk packed end to end in `bodies` (one buffer crosses back instead of one per code); item i ends at `items[i].end`. */
export interface GeneratedChunk {
  readonly bodies: Uint8Array;
  readonly items: readonly ChunkItem[];
}

export type QrTasks = {
  generate: { input: { readonly data: string | Uint8Array; readonly options: GenerateOptions }; output: GeneratedImage };
  generateMany: { input: GenerateChunk; output: GeneratedChunk };
  decode: { input: { readonly bytes: Uint8Array; readonly options: DecodeOptions }; output: DecodeResult };
};

export interface QrWorkerData {
  /** zxing's reader, compiled once in the main thread: instantiating it in each thread is cheaper than compiling it again. */
  readonly wasm: WebAssembly.Module;
  readonly nativeDecode: NativeDecodeMode;
}

/** Generates a chunk item by item: an item that fails gets its error, the others go on. Shared by the pool's threads and the in-process engine. */
export function generateChunk(chunk: GenerateChunk, deflate: Deflate): GeneratedChunk {
  const images: Uint8Array[] = [];
  const items: ChunkItem[] = [];
  let end = 0;
  for (let i = 0; i < chunk.data.length; i++) {
    try {
      const image = generateQr(chunk.data[i]!, chunk.options[chunk.optionIndex[i]!]!, deflate);
      images.push(image.body);
      end += image.body.byteLength;
      items.push({ end, version: image.symbol.version });
    } catch (err) {
      items.push({ error: isQrwError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } });
    }
  }
  const bodies = new Uint8Array(end);
  let at = 0;
  for (const image of images) {
    bodies.set(image, at);
    at += image.byteLength;
  }
  return { bodies, items };
}
