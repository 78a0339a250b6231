import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodePortrait } from '../../../../src/idphoto/codec/decode.js';
import { DEFAULT_JPEG_QUALITY, encodePhoto } from '../../../../src/idphoto/codec/encode.js';
import type { RgbImage } from '../../../../src/idphoto/rgb.js';
import { sharedPath } from '../../../helpers/shared.js';
import { exiftoolTags, HAS_EXIFTOOL } from './exiftool.js';
import { rejection } from '../../../helpers/rejection.js';

const KB = 1024;
let photo: RgbImage;

beforeAll(async () => {
  // A 600x600 photo decoded from a test portrait that carries camera and GPS EXIF.
  const withGps = await sharp(readFileSync(sharedPath('idphoto/portraits/004.jpg')))
    .withExif({ IFD0: { Make: 'Spycam', Model: 'X1', Software: 'Leaky 1.0' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 0/1' } })
    .jpeg({ quality: 90 })
    .toBuffer();
  expect((await sharp(withGps).metadata()).exif).toBeDefined();
  ({ rgb: photo } = await decodePortrait(withGps, { maxPixels: 40_000_000, maxSide: 600 }));
});

const flat = (width: number, height: number, value = 255): RgbImage => ({ data: new Uint8Array(width * height * 3).fill(value), width, height });

describe('encodePhoto: the DPI in the file, nothing else', () => {
  it('writes the JPEG density into JFIF, read back by sharp and exiftool', async () => {
    const { data, contentType, quality } = await encodePhoto(photo, { format: 'jpeg', dpi: 350 });
    expect([contentType, quality]).toEqual(['image/jpeg', DEFAULT_JPEG_QUALITY]);
    expect([...data.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xe0]);
    const meta = await sharp(data).metadata();
    expect([meta.density, meta.width, meta.height]).toEqual([350, 600, 600]);
    if (HAS_EXIFTOOL) expect(exiftoolTags(data, 'jpg')).toMatchObject({ 'JFIF:ResolutionUnit': 1, 'JFIF:XResolution': 350, 'JFIF:YResolution': 350 });
  });

  it('writes the PNG density into pHYs, read back by sharp and exiftool', async () => {
    const { data, contentType, quality } = await encodePhoto(photo, { format: 'png', dpi: 300 });
    expect([contentType, quality]).toEqual(['image/png', undefined]);
    expect((await sharp(data).metadata()).density).toBe(300);
    if (HAS_EXIFTOOL) expect(exiftoolTags(data, 'png')).toMatchObject({ 'PNG-pHYs:PixelUnits': 1, 'PNG-pHYs:PixelsPerUnitX': 11811, 'PNG-pHYs:PixelsPerUnitY': 11811 });
  });

  it('carries no EXIF, GPS, device or ICC data from a portrait that had them', async () => {
    for (const format of ['jpeg', 'png'] as const) {
      const { data } = await encodePhoto(photo, { format, dpi: 300 });
      const meta = await sharp(data).metadata();
      expect([meta.exif, meta.icc, meta.xmp, meta.iptc], format).toEqual([undefined, undefined, undefined, undefined]);
      if (HAS_EXIFTOOL) {
        const groups = new Set(Object.keys(exiftoolTags(data, format === 'jpeg' ? 'jpg' : 'png')).map((k) => k.split(':')[0]));
        expect([...groups].sort(), format).toEqual(format === 'jpeg' ? ['JFIF'] : ['PNG', 'PNG-pHYs']);
      }
    }
  });

  it('keeps the alpha of an RGBA cut-out in a PNG, and flattens it onto white in a JPEG with a warning', async () => {
    const rgba = { data: new Uint8Array(8 * 8 * 4), width: 8, height: 8, channels: 4 as const };
    const png = await encodePhoto(rgba, { format: 'png', dpi: 300 });
    expect((await sharp(png.data).metadata()).hasAlpha).toBe(true);
    const jpeg = await encodePhoto(rgba, { format: 'jpeg', dpi: 300 });
    expect(jpeg.warnings).toHaveLength(1);
    const { data } = await sharp(jpeg.data).raw().toBuffer({ resolveWithObject: true });
    expect(data.every((v) => v > 250)).toBe(true);
  });
});

describe('encodePhoto: file-size bounds (KB = 1024 bytes)', () => {
  it('finds the highest quality under maxKb: the next quality up is over', async () => {
    const result = await encodePhoto(photo, { format: 'jpeg', dpi: 300, maxKb: 40 });
    expect(result.data.length).toBeLessThanOrEqual(40 * KB);
    expect(result.warnings).toEqual([]);
    expect(result.quality).toBeLessThan(DEFAULT_JPEG_QUALITY);
    expect(result.encodes).toBeLessThanOrEqual(8);
    const next = await encodePhoto(photo, { format: 'jpeg', dpi: 300, quality: result.quality! + 1 });
    expect(next.data.length).toBeGreaterThan(40 * KB);
  });

  it('keeps the quality asked for when it already fits', async () => {
    const result = await encodePhoto(photo, { format: 'jpeg', dpi: 300, maxKb: 500, quality: 80 });
    expect([result.quality, result.encodes]).toEqual([80, 1]);
  });

  it('raises the quality to the lowest that reaches minKb', async () => {
    const base = await encodePhoto(photo, { format: 'jpeg', dpi: 300, quality: 40 });
    const minKb = Math.ceil((base.data.length * 1.5) / KB);
    const result = await encodePhoto(photo, { format: 'jpeg', dpi: 300, quality: 40, minKb });
    expect(result.data.length).toBeGreaterThanOrEqual(minKb * KB);
    expect(result.quality).toBeGreaterThan(40);
    const below = await encodePhoto(photo, { format: 'jpeg', dpi: 300, quality: result.quality! - 1 });
    expect(below.data.length).toBeLessThan(minKb * KB);
  });

  it('reaches the ID card minimum (14-20 KB) on a flat 358x441 picture with a valid file: padding in COM segments, nothing after EOI', async () => {
    const result = await encodePhoto(flat(358, 441), { format: 'jpeg', dpi: 350, minKb: 14, maxKb: 20 });
    expect(result.data.length).toBeGreaterThanOrEqual(14 * KB);
    expect(result.data.length).toBeLessThanOrEqual(20 * KB);
    expect(result.warnings).toEqual([]);
    expect([...result.data.subarray(-2)]).toEqual([0xff, 0xd9]);
    expect(result.data.includes(Buffer.from([0xff, 0xfe]))).toBe(true);
    // Decoded strictly (any warning fails), still white, still 350 dpi.
    const { data, info } = await sharp(result.data, { failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, data.every((v) => v === 255)]).toEqual([358, 441, true]);
    expect((await sharp(result.data).metadata()).density).toBe(350);
    if (HAS_EXIFTOOL) expect(exiftoolTags(result.data, 'jpg')).not.toHaveProperty('ExifTool:Warning');
  });

  it('returns the closest file with a warning when maxKb cannot be met', async () => {
    const result = await encodePhoto(photo, { format: 'jpeg', dpi: 300, maxKb: 2 });
    expect(result.quality).toBe(1);
    expect(result.data.length).toBeGreaterThan(2 * KB);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/quality 1/);
  });

  it('warns when a PNG is over maxKb (PNG has no quality to search)', async () => {
    const result = await encodePhoto(photo, { format: 'png', dpi: 300, maxKb: 10 });
    expect(result.data.length).toBeGreaterThan(10 * KB);
    expect(result.warnings[0]).toMatch(/over the maximum of 10 KB/);
  });

  it('refuses bad options with INVALID_OPTION naming the option', async () => {
    const cases = [
      [{ format: 'jpeg', dpi: 0 }, 'dpi'],
      [{ format: 'jpeg', dpi: 300, quality: 101 }, 'quality'],
      [{ format: 'jpeg', dpi: 300, maxKb: -1 }, 'maxKb'],
      [{ format: 'jpeg', dpi: 300, minKb: 30, maxKb: 20 }, 'minKb'],
      [{ format: 'gif', dpi: 300 }, 'format'],
    ] as const;
    for (const [options, option] of cases) {
      const err = await rejection(encodePhoto(flat(4, 4), options as never));
      expect([err.code, err.details?.option]).toEqual(['INVALID_OPTION', option]);
    }
  });
});
