import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateQr } from '../../../src/qr/generate.js';
import { parseGenerateOptions, type EcLevel } from '../../../src/qr/options.js';
import { decodeImage } from '../../../src/recognise/cascade.js';
import { loadReader } from '../../../src/recognise/reader/zxing.js';
import { requireZbar, zbarDecode } from '../../helpers/zbar.js';
import { toBmp } from '../../helpers/images.js';

const deflate = (d: Uint8Array): Uint8Array => deflateSync(d);
const dir = mkdtempSync(join(tmpdir(), 'qrw-roundtrip-'));
const limits = { formats: ['QRCode'] as const, maxSide: 1200, maxPixels: 25_000_000 };
let reader: Awaited<ReturnType<typeof loadReader>>;
beforeAll(async () => {
  reader = await loadReader();
});

/** Byte-mode capacity of version 40 (ISO/IEC 18004 table 7). */
const MAX_BYTES: Record<EcLevel, number> = { L: 2953, M: 2331, Q: 1663, H: 1273 };

const CASES: Array<[string, string, EcLevel]> = [
  ['ASCII', 'Hello, QR Workshop!', 'H'],
  ['URL', 'https://example.com/products/12345?ref=badge&lang=zh-CN#top', 'H'],
  ['Chinese', '二维码工坊：生成与识别，本地部署，不上传任何数据。', 'H'],
  ['Japanese', 'こんにちは、世界。QRコードのテストです（カタカナ・ひらがな・漢字）', 'H'],
  ['emoji', 'Party 🎉🚀✨ — ok 👍🏽', 'H'],
  ['one character', 'x', 'H'],
  // Numeric, alphanumeric and byte segments in one symbol.
  ['mixed modes', 'SN 0123456789012345 lot A-77/B: 4006381333931 ok', 'M'],
  ['upper-case URL with digits', 'HTTPS://EXAMPLE.COM/ITEM/12345678901234567890', 'Q'],
  ...(Object.entries(MAX_BYTES) as Array<[EcLevel, number]>).map(([ec, n]): [string, string, EcLevel] => [`maximum length at ${ec}`, pseudoText(n), ec]),
];

/** Deterministic mixed text of n ASCII bytes (lower case keeps the encoder in byte mode). */
function pseudoText(n: number): string {
  let s = '';
  let x = 12345;
  while (s.length < n) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    s += 'abcdefghijklmnopqrstuvwxyz .,:/-'[x % 32];
  }
  return s;
}

describe('generate -> decode round trips', () => {
  it.each(CASES)('%s round-trips through our reader', async (_name, text, ec) => {
    const png = generateQr(text, parseGenerateOptions({ ec, scale: 4 }), deflate).body;
    const result = await decodeImage(reader, png, limits);
    expect(result.codes.map((c) => c.text)).toEqual([text]);
    expect(result.codes[0]!.ecLevel).toBe(ec);
  });

  it.runIf(requireZbar).each(CASES)('%s round-trips through zbarimg', (name, text, ec) => {
    const png = generateQr(text, parseGenerateOptions({ ec, scale: 4 }), deflate).body;
    const file = join(dir, `${name.replace(/\W+/g, '_')}.png`);
    writeFileSync(file, png);
    expect(zbarDecode(file)).toEqual([text]);
  });

  it('an SVG rasterised by sharp decodes', async () => {
    const svg = generateQr('svg round trip', parseGenerateOptions({ format: 'svg', size: 400 }), deflate).body;
    const png = await sharp(svg).png().toBuffer();
    expect((await decodeImage(reader, png, limits)).codes[0]?.text).toBe('svg round trip');
  });

  it('a transparent PNG reads as if on white paper, with dark modules in black or in colour', async () => {
    for (const dark of ['#000000', '#0d47a1']) {
      const png = generateQr(`transparent ${dark}`, parseGenerateOptions({ dark, light: 'transparent', margin: 1 }), deflate).body;
      expect((await decodeImage(reader, png, limits)).codes[0]?.text).toBe(`transparent ${dark}`);
    }
    // An RGBA image whose transparent pixels hold black underneath (common in exports).
    const code = await sharp(generateQr('hidden black', parseGenerateOptions({}), deflate).body)
      .toColourspace('b-w')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgba = Buffer.alloc(code.info.width * code.info.height * 4);
    code.data.forEach((v, i) => rgba.writeUInt32BE(v < 128 ? 0x000000ff : 0x00000000, i * 4));
    const png = await sharp(rgba, { raw: { width: code.info.width, height: code.info.height, channels: 4 } })
      .png()
      .toBuffer();
    expect((await decodeImage(reader, png, limits)).codes[0]?.text).toBe('hidden black');
  });

  it.each(['jpeg', 'webp', 'gif', 'tiff', 'bmp'] as const)('reads %s', async (format) => {
    const png = Buffer.from(generateQr(`format ${format}`, parseGenerateOptions({ scale: 6 }), deflate).body);
    const bytes = format === 'bmp' ? await toBmp(png) : await sharp(png).toFormat(format).toBuffer();
    const result = await decodeImage(reader, bytes, limits);
    expect(result.imageFormat).toBe(format === 'tiff' ? 'tiff' : format);
    expect(result.codes[0]?.text).toBe(`format ${format}`);
  });

  it('honours EXIF orientation and reports positions in the upright image', async () => {
    const png = generateQr('rotated', parseGenerateOptions({ scale: 6, margin: 10 }), deflate).body;
    // Pixels stored rotated by 90 degrees with orientation 8 saying "rotate back".
    // (sharp rotates before it extends, hence two pipelines.)
    const wide = await sharp(png).extend({ right: 200, background: '#ffffff' }).png().toBuffer();
    const jpeg = await sharp(wide).rotate(90).jpeg().withMetadata({ orientation: 8 }).toBuffer();
    const result = await decodeImage(reader, jpeg, limits);
    expect(result.codes[0]?.text).toBe('rotated');
    expect(result.width).toBeGreaterThan(result.height);
    expect(result.codes[0]!.position.topLeft.x).toBeLessThan(result.width / 2);
  });

  it.each(['jpeg', 'png'] as const)('a plain %s read by zxing itself gives the codes and corners that the libvips path gives', async (format) => {
    const png = generateQr('photo-like', parseGenerateOptions({ scale: 5 }), deflate).body;
    const photo = await sharp(png).rotate(12, { background: '#b0a890' }).blur(0.8).toFormat(format).toBuffer();
    // Bytes after the end marker make the file look incomplete, which sends it through libvips.
    const viaLibvips = await decodeImage(reader, new Uint8Array(Buffer.concat([photo, Buffer.alloc(64)])), limits);
    const direct = await decodeImage(reader, new Uint8Array(photo), limits);
    expect(direct.codes.map((c) => c.text)).toEqual(['photo-like']);
    expect(viaLibvips.codes.map((c) => c.text)).toEqual(['photo-like']);
    const corners = (r: typeof direct): number[] => Object.values(r.codes[0]!.position).flatMap((p) => [p.x, p.y]);
    corners(direct).forEach((v, i) => expect(Math.abs(v - corners(viaLibvips)[i]!)).toBeLessThanOrEqual(2));
    expect([direct.width, direct.height, direct.damaged]).toEqual([viaLibvips.width, viaLibvips.height, false]);
  });

  it('downscales a big image for the fast pass and reports full-size coordinates', async () => {
    const png = generateQr('big', parseGenerateOptions({ size: 3000 }), deflate).body;
    const result = await decodeImage(reader, png, limits);
    expect(result.width).toBe(3000);
    expect(result.pass).toBe('fast');
    expect(result.codes[0]!.position.bottomRight.x).toBeGreaterThan(2000);
  });

  it('keeps looking in a picture of several codes: a small label beside three large ones is read at a higher resolution', async () => {
    const label = (text: string, scale: number): Buffer => Buffer.from(generateQr(text, parseGenerateOptions({ scale, margin: 2 }), deflate).body);
    // 3200 px wide: the fast pass reads it at 1200, where the small label's modules (3 px) shrink to ~1 px.
    const sheet = await sharp({ create: { width: 3200, height: 1400, channels: 3, background: '#ffffff' } })
      .composite([
        { input: label('label one', 24), left: 50, top: 50 },
        { input: label('label two', 24), left: 1100, top: 50 },
        { input: label('label three', 24), left: 2150, top: 50 },
        { input: label('small label', 3), left: 1500, top: 1150 },
      ])
      .png()
      .toBuffer();
    const result = await decodeImage(reader, new Uint8Array(sheet), limits);
    expect(result.codes.map((c) => c.text).sort()).toEqual(['label one', 'label three', 'label two', 'small label']);
    expect(result.pass).toBe('fast+high-res');
    // Each code once, although the high-res pass reads the large ones again.
    const small = result.codes.find((c) => c.text === 'small label')!;
    expect(small.position.topLeft.x).toBeGreaterThan(1450);
    expect(small.position.topLeft.y).toBeGreaterThan(1100);
    // One code alone ends the cascade after the first pass.
    expect((await decodeImage(reader, label('alone', 6), limits)).pass).toBe('fast');
  });

  it('reads Shift_JIS bytes without an ECI as Japanese text, as zxing guesses the charset', async () => {
    // 日本語のテスト in Shift_JIS, written in byte mode with no ECI (as many Japanese encoders do).
    const sjis = Uint8Array.of(0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea, 0x82, 0xcc, 0x83, 0x65, 0x83, 0x58, 0x83, 0x67);
    const png = generateQr(sjis, parseGenerateOptions({ ec: 'M' }), deflate).body;
    const code = (await decodeImage(reader, png, limits)).codes[0]!;
    expect(code.text).toBe('日本語のテスト');
    expect(code.hasEci).toBe(false);
  });

  it('returns raw bytes when the payload is binary', async () => {
    const bytes = Uint8Array.of(0x00, 0xff, 0x10, 0x80, 0x7f, 0x01);
    const png = generateQr(bytes, parseGenerateOptions({ ec: 'L' }), deflate).body;
    const code = (await decodeImage(reader, png, limits)).codes[0]!;
    expect(code.contentType).toBe('Binary');
    expect(Buffer.from(code.bytes!, 'base64')).toEqual(Buffer.from(bytes));
  });
});
