import { workerData } from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { generateQr } from '../qr/generate.js';
import { QrwError, isQrwError } from '../errors.js';
import { decodeImage } from '../recognise/cascade.js';
import { loadReader } from '../recognise/reader/zxing.js';
import { setLibvipsThreads } from '../recognise/input/image.js';
import { setNativeDecode } from '../recognise/input/native.js';
import { nodeDeflate } from '../platform/deflate.js';
import { wholeBuffer, type Task, type TaskReply, type WorkerData } from './qr-tasks.js';

// One pool thread per core already: libvips' own threads would only contend and hold memory.
setLibvipsThreads(1);

const { wasm, nativeDecode } = workerData as WorkerData;
setNativeDecode(nativeDecode);
const readerReady = loadReader(wasm);

async function run(task: Task): Promise<unknown> {
  if (task.kind === 'decode') {
    if (task.cancelled && Atomics.load(task.cancelled, 0) !== 0) throw new QrwError('CLIENT_CLOSED', 'The client closed the connection before its image was decoded.');
    return decodeImage(await readerReady, task.bytes, task.options);
  }
  const image = generateQr(task.data, task.options, nodeDeflate);
  return { body: image.body, contentType: image.contentType, symbol: image.symbol };
}

async function reply(task: Task): Promise<TaskReply<unknown>> {
  try {
    return { ok: true, value: await run(task) };
  } catch (err) {
    if (isQrwError(err)) return { ok: false, code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
    return { ok: false, code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
  }
}

let previous: Promise<unknown> = Promise.resolve();

/**
 * The pool hands this thread several tasks ahead (TASKS_PER_THREAD); they run one after the other,
 * never side by side: a thread is one core, and a decode's working memory (pixels, up to the pixel
 * limit) is held by one task at a time while the others wait with their uploads only.
 */
export default function handle(task: Task): Promise<TaskReply<unknown> | MovedReply> {
  const result = previous.then(() => reply(task));
  previous = result;
  return task.kind === 'decode' ? result.then((r) => handBack(r, task.bytes)) : result;
}

/** A reply wrapped by piscina's move(), so that the buffers it names are transferred with it. */
type MovedReply = ReturnType<typeof move>;

/**
 * The reply, with the upload's memory handed back to the main thread (transferred, not copied).
 * Left here, an upload is garbage in a heap that allocates little, which V8 collects rarely: under
 * the decode load 50-110 MiB of finished uploads stayed allocated in the pool threads. The main
 * thread collects its young objects every few milliseconds and frees it at once.
 */
function handBack(reply: TaskReply<unknown>, bytes: Uint8Array): TaskReply<unknown> | MovedReply {
  const buffer = wholeBuffer(bytes);
  return buffer ? move({ [transferableSymbol]: [buffer], [valueSymbol]: reply }) : reply;
}
