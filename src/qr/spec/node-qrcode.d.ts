// node-qrcode's pure encoder, imported without its Node-only entry (which pulls in pngjs and fs).
declare module 'qrcode/lib/core/qrcode.js' {
  export interface QrSegmentInput {
    data: string | Uint8Array;
    mode: 'byte' | 'alphanumeric' | 'numeric' | 'kanji';
  }
  export interface QrSymbol {
    modules: { size: number; data: Uint8Array; reservedBit: Uint8Array };
    version: number;
    errorCorrectionLevel: { bit: number };
    maskPattern: number;
    segments: QrSegment[];
  }
  export interface QrMode {
    ccBits: number[];
  }
  export interface QrSegment {
    mode: QrMode;
    getBitsLength(): number;
  }
  export function create(data: string | QrSegmentInput[], options?: { errorCorrectionLevel?: string; version?: number; maskPattern?: number }): QrSymbol;
}

declare module 'qrcode/lib/core/mode.js' {
  import type { QrMode } from 'qrcode/lib/core/qrcode.js';
  export function getCharCountIndicator(mode: QrMode, version: number): number;
}
declare module 'qrcode/lib/core/utils.js' {
  export function getSymbolTotalCodewords(version: number): number;
}
declare module 'qrcode/lib/core/error-correction-code.js' {
  /** Both take the level objects of error-correction-level.js (compared by identity). */
  export function getTotalCodewordsCount(version: number, errorCorrectionLevel: { bit: number }): number;
  export function getBlocksCount(version: number, errorCorrectionLevel: { bit: number }): number;
}
declare module 'qrcode/lib/core/galois-field.js' {
  /** GF(256) of the QR code: log (n >= 1), antilog (0 <= n < 512) and product. */
  export function log(n: number): number;
  export function exp(n: number): number;
  export function mul(x: number, y: number): number;
}
declare module 'qrcode/lib/core/reed-solomon-encoder.js' {
  export default class ReedSolomonEncoder {
    constructor(degree: number);
    /** The error correction codewords of one block's data. */
    encode(data: Uint8Array): Uint8Array;
  }
}

declare module 'qrcode/lib/core/error-correction-level.js' {
  export const L: { bit: number };
  export const M: { bit: number };
  export const Q: { bit: number };
  export const H: { bit: number };
}

declare module 'qrcode/lib/core/format-info.js' {
  export function getEncodedBits(errorCorrectionLevel: { bit: number }, mask: number): number;
}

declare module 'qrcode/lib/core/mask-pattern.js' {
  /** The penalty rules of ISO/IEC 18004 7.8.3, as node-qrcode scores a masked symbol. */
  type Modules = { size: number; data: Uint8Array };
  export function getPenaltyN1(modules: Modules): number;
  export function getPenaltyN2(modules: Modules): number;
  export function getPenaltyN3(modules: Modules): number;
  export function getPenaltyN4(modules: Modules): number;
}
