/** Worker entry of the QR pool. */
import { workerData } from 'node:worker_threads';
import { nodeDeflate } from '../platform/deflate.js';
import { generateQr } from '../qr/generate.js';
import { decodeImage, loadReader, setNativeDecode } from '../recognise/index.js';
import { setLibvipsThreads } from '../recognise/input/image.js';
import { generateChunk, type QrTasks, type QrWorkerData } from './qr-tasks.js';
import { serveTasks } from './thread.js';

// One pool thread per core already: libvips' own threads would only contend and hold memory.
setLibvipsThreads(1);

const { wasm, nativeDecode } = workerData as QrWorkerData;
setNativeDecode(nativeDecode);
const readerReady = loadReader(wasm);

export default serveTasks<QrTasks>({
  generate: (task) => generateQr(task.data, task.options, nodeDeflate),
  generateMany: (task) => generateChunk(task, nodeDeflate),
  decode: async (task) => decodeImage(await readerReady, task.bytes, task.options),
});
