import { describe, expect, it } from 'vitest';
import { photoGeometry } from '../../../src/idphoto/geometry.js';
import { IDPHOTO_OPTION_SPECS, parseIdPhotoOptions } from '../../../src/idphoto/options.js';
import { rejection } from '../../helpers/rejection.js';

const fails = (raw: Record<string, unknown>) => rejection(Promise.resolve().then(() => parseIdPhotoOptions(raw)));

describe('parseIdPhotoOptions', () => {
  it('fills the registry defaults, and the spec its own dpi and file-size bounds', () => {
    const o = parseIdPhotoOptions({});
    expect([o.spec.id, o.dpi, o.background, o.format, o.pick, o.engine, o.foreground, o.output, o.cutLines, o.hires]).toEqual([
      'cn-1inch',
      300,
      'spec',
      'jpeg',
      'single',
      'selfie',
      'blur-fusion',
      'photo',
      true,
      false,
    ]);
    const card = parseIdPhotoOptions({ spec: 'cn-id-card' });
    expect([card.dpi, card.minKb, card.maxKb]).toEqual([350, 14, 20]);
    expect(parseIdPhotoOptions({ spec: 'cn-id-card', maxKb: '30' }).maxKb).toBe(30);
    for (const spec of IDPHOTO_OPTION_SPECS) expect(spec.cli).toMatch(/^--[a-z-]+/);
  });

  it('reads strings as the query string and multipart fields send them', () => {
    const o = parseIdPhotoOptions({ spec: ' US-Passport ', hires: 'yes', cutLines: 'false', format: 'PNG', sheet: '6-inch', orientation: 'landscape', gapMm: '0' });
    expect([o.spec.id, o.hires, o.cutLines, o.format, o.sheet?.id, o.orientation, o.gapMm]).toEqual(['us-passport', true, false, 'png', '4x6in', 'landscape', 0]);
  });

  it('makes a custom spec in mm at its dpi, or in whole pixels', () => {
    const mm = parseIdPhotoOptions({ spec: 'custom', width: '30', height: '40', dpi: '300' });
    expect(photoGeometry(mm.spec)).toMatchObject({ width: 354, height: 472, dpi: 300 });
    const px = parseIdPhotoOptions({ spec: 'custom', width: '480', height: '640', unit: 'px' });
    expect(photoGeometry(px.spec)).toMatchObject({ width: 480, height: 640 });
  });

  it('names the bad option', async () => {
    for (const [raw, option] of [
      [{ colour: 'red' }, 'colour'],
      [{ spec: 'mars-passport' }, 'spec'],
      [{ dpi: '5000' }, 'dpi'],
      [{ maxKb: 'lots' }, 'maxKb'],
      [{ minKb: '50', maxKb: '40' }, 'minKb'],
      [{ spec: 'custom', width: '30' }, 'height'],
      [{ spec: 'custom', width: '30.5', height: '40', unit: 'px' }, 'width'],
      [{ spec: 'us-passport', width: '30' }, 'width'],
      [{ sheet: 'napkin' }, 'sheet'],
      [{ hires: 'maybe' }, 'hires'],
      [{ engine: 'magic' }, 'engine'],
      [{ background: ['red', 'blue'] }, 'background'],
    ] as const) {
      expect(await fails(raw), JSON.stringify(raw)).toMatchObject({ code: 'INVALID_OPTION', details: { option } });
    }
  });
});
