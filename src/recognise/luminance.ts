/** 8-bit luminance, row-major: what every reading and recovery stage works on. */
export interface Luminance {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

/** An encoded file whose luminance can be written straight where it is read next. */
export interface LumaFile {
  readonly width: number;
  readonly height: number;
  /**
   * Writes the luminance (width x height bytes) into `out`, which the caller may place where it is
   * read next (zxing's wasm memory: no luma buffer of our own, no copy); false when the data does
   * not decode (the caller falls back to a full decoder, which also gives the proper error).
   */
  decodeInto(out: Uint8Array): boolean;
}
