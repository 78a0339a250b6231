/** QR generation: text or bytes and options in, an image out. Pure: no Node built-ins, runs in browsers too. */
export * from '../errors.js';
export * from './options.js';
export * from './formats.js';
export { EC_RECOVERY } from './spec/index.js';
export { encodeQr, type EncodeOptions, type QrMatrix } from './encode/encode.js';
export { generateQr, type GeneratedImage, type SymbolInfo } from './generate.js';
export { layoutFor, type Layout } from './render/layout.js';
export { renderPng, type Deflate } from './render/png.js';
export { renderSvg } from './render/svg.js';
export { renderText } from './render/text.js';
