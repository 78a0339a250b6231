import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generateQr } from '../../../src/qr/generate.js';
import { parseGenerateOptions } from '../../../src/qr/options.js';

const deflate = (d: Uint8Array): Uint8Array => deflateSync(d);

describe('renderers', () => {
  it('writes a 1-bit greyscale PNG for black on white, sized by scale and margin', async () => {
    const img = generateQr('hello', parseGenerateOptions({ scale: 4 }), deflate);
    const meta = await sharp(img.body).metadata();
    expect(img.contentType).toBe('image/png');
    expect(meta).toMatchObject({ format: 'png', width: (21 + 8) * 4, height: (21 + 8) * 4, bitsPerSample: 1, channels: 1 });
  });

  it('writes a palette PNG with transparency for colours', async () => {
    const img = generateQr('hello', parseGenerateOptions({ dark: '#1a237e', light: 'transparent', size: 300 }), deflate);
    const meta = await sharp(img.body).metadata();
    expect(meta).toMatchObject({ width: 300, height: 300, hasAlpha: true, isPalette: true });
    const { data } = await sharp(img.body).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    expect(data[3]).toBe(0); // top-left pixel is quiet zone: fully transparent
  });

  it('refuses an exact size smaller than the symbol', () => {
    expect(() => generateQr('hello', parseGenerateOptions({ size: 21 }), deflate)).toThrow(/too small/);
  });

  it('writes SVG as one path', () => {
    const svg = new TextDecoder().decode(generateQr('hello', parseGenerateOptions({ format: 'svg' }), deflate).body);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path/g)).toHaveLength(1);
    expect(svg).toContain('viewBox="-4 -4 29 29"');
  });

  it('writes terminal text two module rows per line', () => {
    const txt = new TextDecoder().decode(generateQr('hello', parseGenerateOptions({ format: 'txt', margin: 1 }), deflate).body);
    const lines = txt.trimEnd().split('\n');
    expect(lines).toHaveLength(Math.ceil((21 + 2) / 2));
    expect([...lines[0]!]).toHaveLength(23);
  });

  it('wraps the PNG in a data URI for json', () => {
    const json = JSON.parse(new TextDecoder().decode(generateQr('hello', parseGenerateOptions({ format: 'json' }), deflate).body)) as Record<string, unknown>;
    expect(json).toMatchObject({ version: 1, ec: 'H', modules: 21 });
    expect(String(json.dataUri)).toMatch(/^data:image\/png;base64,iVBOR/);
  });
});
