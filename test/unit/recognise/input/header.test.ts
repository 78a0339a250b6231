import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp, { type Metadata } from 'sharp';
import { describe, expect, it } from 'vitest';
import { generateQr } from '../../../../src/qr/generate.js';
import { parseGenerateOptions } from '../../../../src/qr/options.js';
import { probePlainFile } from '../../../../src/recognise/input/header.js';
import { nodeDeflate } from '../../../../src/platform/deflate.js';

/** What openImage decides from sharp's metadata: a file zxing can read as it is. */
function plainBySharp(meta: Metadata): boolean {
  return (meta.format === 'jpeg' || meta.format === 'png') && !meta.hasAlpha && (meta.orientation ?? 1) === 1 && meta.depth === 'uchar' && (meta.space === 'srgb' || meta.space === 'b-w');
}

async function expectAgreement(file: Buffer): Promise<void> {
  const meta = await sharp(file).metadata();
  const probe = probePlainFile(new Uint8Array(file));
  if (plainBySharp(meta)) expect(probe).toEqual({ format: meta.format, width: meta.width, height: meta.height });
  else expect(probe).toBeUndefined();
}

const pixels = { create: { width: 37, height: 23, channels: 3 as const, background: { r: 200, g: 40, b: 90 } } };
const withAlpha = { create: { width: 37, height: 23, channels: 4 as const, background: { r: 200, g: 40, b: 90, alpha: 0.5 } } };

describe('probePlainFile agrees with sharp', () => {
  const cases: [string, () => Promise<Buffer>][] = [
    ['baseline JPEG', () => sharp(pixels).jpeg().toBuffer()],
    ['progressive JPEG', () => sharp(pixels).jpeg({ progressive: true }).toBuffer()],
    ['grey JPEG', () => sharp(pixels).toColourspace('b-w').jpeg().toBuffer()],
    ['CMYK JPEG', () => sharp(pixels).toColourspace('cmyk').jpeg().toBuffer()],
    ['JPEG with EXIF orientation 1', () => sharp(pixels).jpeg().withMetadata({ orientation: 1 }).toBuffer()],
    ['JPEG with EXIF orientation 6', () => sharp(pixels).jpeg().withMetadata({ orientation: 6 }).toBuffer()],
    ['RGB PNG', () => sharp(pixels).png().toBuffer()],
    ['grey PNG', () => sharp(pixels).toColourspace('b-w').png().toBuffer()],
    ['palette PNG', () => sharp(pixels).png({ palette: true }).toBuffer()],
    ['1-bit grey PNG', () => sharp(pixels).toColourspace('b-w').png({ palette: true, colours: 2 }).toBuffer()],
    ['16-bit PNG', () => sharp(pixels).toColourspace('rgb16').png().toBuffer()],
    ['RGBA PNG', () => sharp(withAlpha).png().toBuffer()],
    ['palette PNG with transparency', () => sharp(withAlpha).png({ palette: true }).toBuffer()],
    ['PNG with EXIF orientation 3', () => sharp(pixels).png().withMetadata({ orientation: 3 }).toBuffer()],
    ['our own 1-bit PNG', async () => Buffer.from(generateQr('hello', parseGenerateOptions({ scale: 4 }), nodeDeflate).body)],
    ['our own PNG on a transparent background', async () => Buffer.from(generateQr('hello', parseGenerateOptions({ light: 'transparent' }), nodeDeflate).body)],
    ['WebP', () => sharp(pixels).webp().toBuffer()],
  ];
  for (const [name, make] of cases) it(name, async () => expectAgreement(await make()));

  it('refuses what is not a whole header', async () => {
    const jpeg = await sharp(pixels).jpeg().toBuffer();
    const png = await sharp(pixels).png().toBuffer();
    for (const cut of [1, 3, 10, 20, 40]) {
      expect(probePlainFile(new Uint8Array(jpeg.subarray(0, cut)))).toBeUndefined();
      expect(probePlainFile(new Uint8Array(png.subarray(0, cut)))).toBeUndefined();
    }
    expect(probePlainFile(new Uint8Array(0))).toBeUndefined();
    expect(probePlainFile(new Uint8Array(Buffer.from('BM not an image at all')))).toBeUndefined();
  });

  const corpus = fileURLToPath(new URL('../../../../../shared/corpus', import.meta.url));
  it.runIf(existsSync(corpus) || process.env.CI === 'true')('on every image of the public corpus', async () => {
    const files = readdirSync(corpus, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(png|jpe?g|webp|gif|bmp)$/i.test(f));
    expect(files.length).toBeGreaterThan(300);
    for (const f of files) await expectAgreement(readFileSync(`${corpus}/${f}`));
  });
});
