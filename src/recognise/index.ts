/** Recognition: image bytes in, every code in them out. */
export { decodeImage, type DecodeOptions } from './cascade.js';
export {
  DecodeResultSchema,
  DecodedCodeSchema,
  MergedSequenceSchema,
  PointSchema,
  QuadSchema,
  mergeSequences,
  type DecodeResult,
  type DecodedCode,
  type MergedSequence,
  type Point,
  type Quad,
} from './result.js';
export { BARCODE_FORMATS, DEFAULT_FORMATS, parseFormats, type BarcodeFormatName } from './formats.js';
export { compileReaderWasm, loadReader } from './reader/zxing.js';
export { NATIVE_DECODE_MODES, nativeDecodeStatus, setNativeDecode, type NativeDecodeMode } from './input/native.js';
