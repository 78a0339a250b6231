// node-qrcode's pure encoder, imported without its Node-only entry (which pulls in pngjs and fs).
declare module 'qrcode/lib/core/qrcode.js' {
  export interface QrSegmentInput {
    data: string | Uint8Array;
    mode: 'byte' | 'alphanumeric' | 'numeric' | 'kanji';
  }
  export interface QrSymbol {
    modules: { size: number; data: Uint8Array };
    version: number;
    errorCorrectionLevel: { bit: number };
    maskPattern: number;
    segments: unknown[];
  }
  export function create(
    data: string | QrSegmentInput[],
    options?: { errorCorrectionLevel?: string; version?: number; maskPattern?: number },
  ): QrSymbol;
}
