/** The QR specification (ISO/IEC 18004): tables, masks, function patterns, format bits and GF(256), for the encoder and the recovery stages. */
export * from './tables.js';
export * from './mask.js';
export * from './symbol.js';
export * from './galois.js';
