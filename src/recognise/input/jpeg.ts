import type { LumaFile } from '../luminance.js';
import { nativeLuma } from './native.js';

/**
 * A plain JPEG (see SourceImage.plainFile) of the given size, whose luminance the native decoder
 * gives: libjpeg-turbo decodes the luma channel only, several times faster than zxing's own decoder
 * (stb_image in wasm; see docs/design/recognition.md), which reads the file when this is undefined.
 */
export function openJpeg(bytes: Uint8Array, width: number, height: number): LumaFile | undefined {
  const native = nativeLuma();
  if (!native) return undefined;
  return { width, height, decodeInto: (out) => native.jpegLuma(bytes, width, height, out) };
}
