// The library: the pure core (encode, render), the decoder, and the service pieces for embedding.
export * from './core/index.js';
export { nodeDeflate } from './node-deflate.js';
export { decodeImage, type DecodeOptions, type DecodeResult, type DecodedCode, type MergedSequence } from './decode/pipeline.js';
export { BARCODE_FORMATS, DEFAULT_FORMATS, parseFormats, type BarcodeFormatName } from './decode/formats.js';
export { loadReader, compileReaderWasm } from './decode/zxing.js';
export { WorkerPool, type PoolOptions, type PoolStats } from './pool/pool.js';
export { buildApp, type App } from './service/app.js';
export { loadConfig, SETTINGS, type Config } from './config.js';
export { startServer, type RunningServer } from './server.js';
