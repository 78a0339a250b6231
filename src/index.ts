/**
 * The library: the pure generator and the reader. The service is a separate entry point
 * (`qr-workshop/server`), so importing this loads neither Fastify nor the worker pool.
 */
export * from './qr/index.js';
export * from './recognise/index.js';
export { nodeDeflate } from './platform/deflate.js';
