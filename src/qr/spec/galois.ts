/** GF(256) of the QR code (primitive polynomial 0x11d): log (n >= 1), antilog (0 <= n < 512) and product. */
export { exp, log, mul } from 'qrcode/lib/core/galois-field.js';
