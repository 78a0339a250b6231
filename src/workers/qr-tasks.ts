import type { ErrorCode } from '../errors.js';
import type { GenerateOptions } from '../qr/options.js';
import type { SymbolInfo } from '../qr/generate.js';
import type { DecodeOptions, DecodeResult } from '../recognise/cascade.js';
import type { NativeDecodeMode } from '../recognise/input/native.js';

export interface DecodeTask {
  readonly kind: 'decode';
  readonly bytes: Uint8Array;
  readonly options: DecodeOptions;
  /** Shared with the main thread: non-zero once the client has gone, so a task still queued is skipped. */
  readonly cancelled?: Int32Array;
}

export interface GenerateTask {
  readonly kind: 'generate';
  readonly data: string | Uint8Array;
  readonly options: GenerateOptions;
}

export type Task = DecodeTask | GenerateTask;

export interface GenerateOutput {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly symbol: SymbolInfo;
}

export type TaskOutput<T extends Task> = T extends DecodeTask ? DecodeResult : GenerateOutput;

/** Errors cross the thread boundary as data: structured clone drops an Error's own fields such as `code`. */
export type TaskReply<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly details?: Record<string, unknown> };

export interface WorkerData {
  readonly wasm: WebAssembly.Module;
  readonly nativeDecode: NativeDecodeMode;
}

/** The view's ArrayBuffer when the view covers all of it (and it is not shared), so that it can be transferred whole; else undefined. */
export function wholeBuffer(bytes: Uint8Array): ArrayBuffer | undefined {
  const buffer = bytes.buffer;
  if (buffer instanceof SharedArrayBuffer || bytes.byteLength === 0 || bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength) return undefined;
  return buffer as ArrayBuffer;
}
