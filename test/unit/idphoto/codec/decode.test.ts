import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodePortrait } from '../../../../src/idphoto/codec/decode.js';
import type { RgbImage } from '../../../../src/idphoto/rgb.js';
import { loadedBeforeAndAfter } from '../../../helpers/lazy.js';
import { sharedPath } from '../../../helpers/shared.js';
import { rejection } from '../../../helpers/rejection.js';
import { pngChunk } from '../../../../src/idphoto/codec/encode.js';

const LIMITS = { maxPixels: 40_000_000, maxSide: 600 };
const portrait = readFileSync(sharedPath('idphoto/portraits/004.jpg'));

const pixel = (rgb: RgbImage, x: number, y: number): number[] => [...rgb.data.subarray((y * rgb.width + x) * 3, (y * rgb.width + x) * 3 + 3)];

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Two halves of a raw RGB picture: `left` then `right` colours. */
function halves(width: number, height: number, left: number[], right: number[]): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(x < width / 2 ? left : right, (y * width + x) * 3);
  return data;
}

/** A few hundred bytes declaring a width x height RGB PNG: a decompression bomb's header. */
function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.alloc(1000))), pngChunk('IEND', Buffer.alloc(0))]);
}

describe('decodePortrait', () => {
  it('loads sharp (its native binding, @img/sharp-*) on the first decode, not with the module', () => {
    const load = 'await m.decodePortrait(new Uint8Array([1, 2, 3]), { maxPixels: 100, maxSide: 10 }).catch(() => undefined)';
    expect(loadedBeforeAndAfter(new URL('../../../../src/idphoto/codec/decode.ts', import.meta.url), '/node_modules/@img/sharp-', load)).toEqual({ before: false, after: true });
  });

  it('shrinks a portrait to maxSide and reports the original size and the scale', async () => {
    const { rgb, original, scale } = await decodePortrait(portrait, LIMITS);
    expect([rgb.width, rgb.height, rgb.data.length]).toEqual([600, 600, 600 * 600 * 3]);
    expect(original).toEqual({ width: 1000, height: 1000 });
    expect(scale).toBeCloseTo(0.6, 10);
  });

  it('never enlarges', async () => {
    const { rgb, scale } = await decodePortrait(portrait, { maxPixels: 40_000_000, maxSide: 4000 });
    expect([rgb.width, rgb.height, scale]).toEqual([1000, 1000, 1]);
  });

  it('applies EXIF orientation 6 (rotate 90° clockwise): the left of the stored picture becomes the top', async () => {
    const stored = await sharp(halves(200, 100, [220, 30, 30], [30, 30, 220]), { raw: { width: 200, height: 100, channels: 3 } })
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 95 })
      .toBuffer();
    expect((await sharp(stored).metadata()).orientation).toBe(6);
    const { rgb, original, scale } = await decodePortrait(stored, LIMITS);
    expect(original).toEqual({ width: 100, height: 200 });
    expect([rgb.width, rgb.height, scale]).toEqual([100, 200, 1]);
    const [top, bottom] = [pixel(rgb, 50, 20), pixel(rgb, 50, 180)];
    expect(top[0]! > 180 && top[2]! < 80, `top ${top}`).toBe(true);
    expect(bottom[2]! > 180 && bottom[0]! < 80, `bottom ${bottom}`).toBe(true);
  });

  it('converts a CMYK JPEG to sRGB close to the picture it was made from', async () => {
    const cmyk = await sharp(portrait).resize(300).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const reference = await sharp(portrait).resize(300).raw().toBuffer();
    const { rgb } = await decodePortrait(cmyk, LIMITS);
    expect([rgb.width, rgb.height]).toEqual([300, 300]);
    expect(meanAbsDiff(rgb.data, reference)).toBeLessThan(12);
  });

  it('reads a 16-bit PNG as 8-bit sRGB', async () => {
    const deep = await sharp(portrait).resize(200).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(deep).metadata()).depth).toBe('ushort');
    const reference = await sharp(portrait).resize(200).raw().toBuffer();
    const { rgb } = await decodePortrait(deep, LIMITS);
    expect(meanAbsDiff(rgb.data, reference)).toBeLessThan(1.5);
  });

  it('gives a greyscale picture three equal channels', async () => {
    const grey = await sharp(portrait).resize(100).greyscale().jpeg().toBuffer();
    const { rgb } = await decodePortrait(grey, LIMITS);
    for (const [x, y] of [
      [10, 10],
      [50, 50],
      [90, 70],
    ] as const) {
      const [r, g, b] = pixel(rgb, x, y);
      expect(Math.abs(r! - g!) + Math.abs(g! - b!)).toBeLessThanOrEqual(2);
    }
  });

  it('flattens transparency onto white', async () => {
    const rgba = Buffer.alloc(20 * 10 * 4);
    for (let i = 0; i < 20 * 10; i++) rgba.set(i % 20 < 10 ? [0, 0, 0, 0] : [200, 0, 0, 255], i * 4);
    const png = await sharp(rgba, { raw: { width: 20, height: 10, channels: 4 } })
      .png()
      .toBuffer();
    const { rgb } = await decodePortrait(png, LIMITS);
    expect(rgb.data.length).toBe(20 * 10 * 3);
    expect(pixel(rgb, 2, 5)).toEqual([255, 255, 255]);
    expect(pixel(rgb, 15, 5)).toEqual([200, 0, 0]);
  });

  it('reads only the first page of an animation', async () => {
    const frames = Buffer.concat([halves(40, 30, [200, 200, 200], [200, 200, 200]), halves(40, 30, [20, 20, 20], [20, 20, 20])]);
    const gif = await sharp(frames, { raw: { width: 40, height: 60, channels: 3, pageHeight: 30 } })
      .gif()
      .toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const { rgb, original } = await decodePortrait(gif, LIMITS);
    expect(original).toEqual({ width: 40, height: 30 });
    expect(pixel(rgb, 20, 15)[0]).toBeGreaterThan(150);
  });

  it('refuses zero bytes with EMPTY_IMAGE', async () => {
    expect((await rejection(decodePortrait(new Uint8Array(0), LIMITS))).code).toBe('EMPTY_IMAGE');
  });

  it('refuses a text file, and an SVG, with UNSUPPORTED_IMAGE', async () => {
    expect((await rejection(decodePortrait(Buffer.from('Name,Photo\nAda,portrait.jpg\n'), LIMITS))).code).toBe('UNSUPPORTED_IMAGE');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100" height="100" fill="red"/></svg>');
    expect((await rejection(decodePortrait(svg, LIMITS))).code).toBe('UNSUPPORTED_IMAGE');
  });

  it('refuses a HEIC photo (HEIF branded for HEVC, which this libvips cannot decode) with UNSUPPORTED_IMAGE saying to export a JPEG; reads AVIF, its AV1 sibling', async () => {
    // No HEIC sample can be made here (no HEVC encoder): an AVIF's container rebranded 'heic' is what libheif reports as HEVC-coded.
    const avif = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } })
      .avif()
      .toBuffer();
    expect((await decodePortrait(avif, LIMITS)).rgb.width).toBe(64);
    const heic = Buffer.from(avif);
    expect(heic.toString('latin1', 4, 12)).toBe('ftypavif');
    heic.write('heic', 8, 'latin1');
    const error = await rejection(decodePortrait(heic, LIMITS));
    expect(error.code).toBe('UNSUPPORTED_IMAGE');
    expect(error.message).toMatch(/HEIC.*JPEG/);
  });

  it('refuses a truncated JPEG with CORRUPT_IMAGE rather than decode half a portrait', async () => {
    expect((await rejection(decodePortrait(portrait.subarray(0, portrait.length >> 1), LIMITS))).code).toBe('CORRUPT_IMAGE');
    expect((await rejection(decodePortrait(portrait.subarray(0, 200), LIMITS))).code).toBe('CORRUPT_IMAGE');
  });

  it('refuses a bomb (a tiny PNG declaring 100000x100000) from its header, with IMAGE_TOO_LARGE', { timeout: 5000 }, async () => {
    const bomb = bombPng(100_000, 100_000);
    expect(bomb.length).toBeLessThan(200);
    const err = await rejection(decodePortrait(bomb, LIMITS));
    expect(err.code).toBe('IMAGE_TOO_LARGE');
    expect(err.details).toMatchObject({ width: 100_000, height: 100_000, maxPixels: LIMITS.maxPixels });
  });

  it('applies maxPixels to the size after orientation, one pixel over the limit', async () => {
    const err = await rejection(decodePortrait(portrait, { maxPixels: 1000 * 1000 - 1, maxSide: 600 }));
    expect(err.code).toBe('IMAGE_TOO_LARGE');
  });
});
