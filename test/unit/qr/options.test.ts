import { describe, expect, it } from 'vitest';
import { DEFAULT_GENERATE_OPTIONS, parseColour, parseGenerateOptions } from '../../../src/qr/options.js';
import { QrwError } from '../../../src/errors.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof QrwError ? err.code : 'not a QrwError';
  }
  return undefined;
}

describe('generate options', () => {
  it('defaults to level H, a 4-module margin and PNG like the original', () => {
    const o = parseGenerateOptions({});
    expect(o).toEqual(DEFAULT_GENERATE_OPTIONS);
    expect(o.ec).toBe('H');
    expect(o.margin).toBe(4);
    expect(o.format).toBe('png');
  });

  it('accepts strings as they come from query strings and CLI flags', () => {
    const o = parseGenerateOptions({ ec: 'q', size: '300', margin: '0', version: '7', mask: '3', format: 'SVG' });
    expect(o).toMatchObject({ ec: 'Q', size: 300, margin: 0, version: 7, mask: 3, format: 'svg' });
  });

  it.each([
    ['ec', 'Z'],
    ['size', -1],
    ['size', 100000],
    ['size', '12.5'],
    ['version', 41],
    ['mask', 8],
    ['margin', -1],
    ['format', 'gif'],
    ['dark', 'blue'],
    ['light', '#12345'],
  ])('rejects %s=%s with INVALID_OPTION', (option, value) => {
    expect(codeOf(() => parseGenerateOptions({ [option]: value }))).toBe('INVALID_OPTION');
  });

  it('parses hex colours and transparency', () => {
    expect(parseColour('dark', '#1a237e', { r: 0, g: 0, b: 0, a: 255 })).toEqual({ r: 0x1a, g: 0x23, b: 0x7e, a: 255 });
    expect(parseColour('dark', 'f00', { r: 0, g: 0, b: 0, a: 255 })).toEqual({ r: 255, g: 0, b: 0, a: 255 });
    expect(parseColour('light', '#ffffff80', { r: 0, g: 0, b: 0, a: 255 })).toEqual({ r: 255, g: 255, b: 255, a: 0x80 });
    expect(parseColour('light', 'transparent', { r: 0, g: 0, b: 0, a: 255 }).a).toBe(0);
  });
});
