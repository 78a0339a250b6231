export * from '../errors.js';
export * from './options.js';
export * from './encode/encode.js';
export * from './generate.js';
export { layoutFor, type Layout } from './render/layout.js';
export { renderPng, type Deflate } from './render/png.js';
export { renderSvg } from './render/svg.js';
export { renderText } from './render/text.js';
