import { describe, expect, it } from 'vitest';
import { encodeQr } from '../../../../src/qr/encode/encode.js';
import { QrwError } from '../../../../src/errors.js';
import type { EcLevel } from '../../../../src/qr/options.js';

/** Byte-mode capacity of version 40 (ISO/IEC 18004 table 7). */
export const MAX_BYTES: Record<EcLevel, number> = { L: 2953, M: 2331, Q: 1663, H: 1273 };

describe('encodeQr', () => {
  it('picks the smallest version and reports the symbol', () => {
    const m = encodeQr('hello', { ec: 'H' });
    expect(m.version).toBe(1);
    expect(m.size).toBe(21);
    expect(m.modules).toHaveLength(21 * 21);
    expect(m.ec).toBe('H');
  });

  it('counts UTF-8 bytes for non-ASCII text', () => {
    expect(encodeQr('你好', { ec: 'M' }).dataBytes).toBe(6);
  });

  it.each(Object.entries(MAX_BYTES))('fits exactly %s=%i bytes in version 40 and no more', (ec, max) => {
    const text = 'a'.repeat(max);
    expect(encodeQr(text, { ec: ec as EcLevel }).version).toBe(40);
    try {
      encodeQr(text + 'a', { ec: ec as EcLevel });
      expect.unreachable('one byte over the capacity must be refused');
    } catch (err) {
      expect(err).toBeInstanceOf(QrwError);
      expect((err as QrwError).code).toBe('QR_DATA_TOO_LONG');
    }
  });

  it('reports how full the symbol is', () => {
    // Version 1-H holds 9 data codewords; 'hello' in byte mode takes 4 + 8 + 5 * 8 bits.
    const one = encodeQr('hello', { ec: 'H' });
    expect(one).toMatchObject({ usedBits: 52, capacityBits: 72 });
    const full = encodeQr('a'.repeat(MAX_BYTES.L), { ec: 'L' });
    expect(full.capacityBits - full.usedBits).toBeLessThan(8);
  });

  it('refuses a forced version that is too small, and empty data', () => {
    expect(() => encodeQr('x'.repeat(100), { ec: 'H', version: 1 })).toThrow(/version 1/);
    expect(() => encodeQr('', { ec: 'H' })).toThrow(QrwError);
  });

  it('encodes raw bytes', () => {
    const m = encodeQr(Uint8Array.of(0, 1, 2, 255), { ec: 'L' });
    expect(m.dataBytes).toBe(4);
  });

  it('honours a forced mask', () => {
    expect(encodeQr('mask', { ec: 'L', mask: 5 }).mask).toBe(5);
  });
});
