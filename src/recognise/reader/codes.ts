import { contentTypes, type ZXingReadResult } from 'zxing-wasm/reader';
import { scaleQuad } from '../geometry.js';
import type { DecodedCode } from '../result.js';

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** A reader result as the API reports it, its corners scaled back to the uploaded image's size. */
export function toCode(r: ZXingReadResult, scale: number): DecodedCode {
  const contentType: string = contentTypes[r.contentType] ?? 'Text';
  const binary = contentType === 'Binary' || contentType === 'Mixed';
  return {
    text: r.text,
    format: r.format,
    position: scaleQuad(r.position, scale),
    contentType,
    ...(binary ? { bytes: toBase64(r.bytes) } : {}),
    ...(r.ecLevel ? { ecLevel: r.ecLevel } : {}),
    ...(r.version ? { version: r.version } : {}),
    hasEci: r.hasECI,
    orientation: r.rotation,
    inverted: r.isInverted,
    mirrored: r.isMirrored,
    ...(r.sequenceSize > 1 ? { sequence: { index: r.sequenceIndex, size: r.sequenceSize, id: r.sequenceId } } : {}),
  };
}
