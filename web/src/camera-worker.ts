/// <reference lib="webworker" />
// Reads QR codes from camera frames off the page's main thread. The .wasm comes from the service's own
// origin (bundled as an asset), fetched only when the camera is first used.
import { prepareZXingModule, readBarcodes, type ReaderOptions } from 'zxing-wasm/reader';
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';
import type { FrameReply, FrameRequest } from './camera-protocol.js';

prepareZXingModule({ overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? wasmUrl : prefix + path) } });

const options: ReaderOptions = { formats: ['QRCode'], tryHarder: true, tryInvert: true, maxNumberOfSymbols: 8 };

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = async ({ data }: MessageEvent<FrameRequest>) => {
  let reply: FrameReply;
  try {
    const results = await readBarcodes(data.frame, options);
    reply = { id: data.id, codes: results.filter((r) => r.isValid).map((r) => ({ text: r.text, format: r.format, position: r.position })) };
  } catch (err) {
    reply = { id: data.id, error: String(err) };
  }
  scope.postMessage(reply);
};
