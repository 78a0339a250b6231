import { encodeQr, type QrMatrix } from './encode/encode.js';
import { OUTPUT_FORMAT_SPECS } from './formats.js';
import type { GenerateOptions } from './options.js';
import { layoutFor } from './render/layout.js';
import { renderPng, type Deflate } from './render/png.js';
import { renderSvg } from './render/svg.js';
import { renderText } from './render/text.js';

export interface SymbolInfo {
  readonly version: number;
  readonly ec: string;
  readonly mask: number;
  /** Modules per side, without the quiet zone. */
  readonly modules: number;
  /** Output width and height in pixels (for txt: characters per line). */
  readonly pixels: number;
  readonly dataBytes: number;
  readonly usedBits: number;
  readonly capacityBits: number;
}

/** A finished image: what the generator returns, the pool hands back and the cache keeps. */
export interface GeneratedImage {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly symbol: SymbolInfo;
}

const utf8 = new TextEncoder();

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function renderBody(matrix: QrMatrix, options: GenerateOptions, deflate: Deflate): { body: Uint8Array; pixels: number } {
  if (options.format === 'txt') {
    return { body: utf8.encode(renderText(matrix, options.margin)), pixels: matrix.size + 2 * options.margin };
  }
  const layout = layoutFor(matrix, options.margin, options.scale, options.size);
  if (options.format === 'svg') return { body: utf8.encode(renderSvg(matrix, layout, options.dark, options.light)), pixels: layout.pixels };
  // png, and json (which wraps the png in a data URI)
  return { body: renderPng(matrix, layout, options.dark, options.light, deflate), pixels: layout.pixels };
}

/** Text or bytes + validated options -> the finished image and what symbol it holds. */
export function generateQr(data: string | Uint8Array, options: GenerateOptions, deflate: Deflate): GeneratedImage {
  const matrix = encodeQr(data, options);
  const { body, pixels } = renderBody(matrix, options, deflate);
  const symbol: SymbolInfo = {
    version: matrix.version,
    ec: matrix.ec,
    mask: matrix.mask,
    modules: matrix.size,
    pixels,
    dataBytes: matrix.dataBytes,
    usedBits: matrix.usedBits,
    capacityBits: matrix.capacityBits,
  };
  if (options.format !== 'json') return { body, contentType: OUTPUT_FORMAT_SPECS[options.format].contentType, symbol };
  const json = JSON.stringify({ ...symbol, dataUri: `data:image/png;base64,${toBase64(body)}` });
  return { body: utf8.encode(json), contentType: OUTPUT_FORMAT_SPECS.json.contentType, symbol };
}
