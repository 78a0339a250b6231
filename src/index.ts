// The library: the pure core (encode, render), the decoder, and the service pieces for embedding.
export * from './qr/index.js';
export { nodeDeflate } from './platform/deflate.js';
export { decodeImage, type DecodeOptions, type DecodeResult, type DecodedCode, type MergedSequence } from './recognise/cascade.js';
export { BARCODE_FORMATS, DEFAULT_FORMATS, parseFormats, type BarcodeFormatName } from './recognise/formats.js';
export { loadReader, compileReaderWasm } from './recognise/reader/zxing.js';
export { WorkerPool, type PoolOptions, type PoolStats } from './workers/pool.js';
export { buildApp, type App } from './http/app.js';
export { loadConfig, SETTINGS, type Config } from './platform/config.js';
export { startServer, type RunningServer } from './server.js';
