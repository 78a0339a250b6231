import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { loadIdPhotoEngine } from '../../../src/idphoto/engine-loader.js';
import { makeCutout, makeIdPhoto } from '../../../src/idphoto/make.js';
import { createModels } from '../../../src/idphoto/models.js';
import { parseIdPhotoOptions } from '../../../src/idphoto/options.js';
import { applyAffine } from '../../../src/idphoto/affine.js';
import { sharedPath } from '../../helpers/shared.js';

const models = createModels(loadIdPhotoEngine);
const limits = { maxPixels: 25_000_000, maxSide: 1600 };
const portrait = readFileSync(sharedPath('idphoto/portraits/021.jpg'));

afterAll(() => models.release());

describe('makeIdPhoto (BlazeFace + the selfie engine, end to end)', () => {
  it('US passport on white: 2x2 in at 300 dpi, the head inside its band, the face centred, DPI in the file', async () => {
    const result = await makeIdPhoto(new Uint8Array(portrait), parseIdPhotoOptions({ spec: 'us-passport', background: 'white' }), models, limits);
    const meta = await sharp(result.photo.data).metadata();
    expect([meta.format, meta.width, meta.height, meta.density]).toEqual(['jpeg', 600, 600, 300]);
    expect(meta.exif).toBeUndefined();
    const r = result.report;
    expect(r.faces).toBe(1);
    const head = r.rules.find((rule) => rule.rule.startsWith('head height'))!;
    expect(head.passed).toBe(true);
    expect(r.headHeight.mm).toBeGreaterThanOrEqual(25.4 - 0.5);
    expect(r.headHeight.mm).toBeLessThanOrEqual(34.925 + 0.5);
    // The upload's face centre lands near the photo's vertical centre line.
    const centre = applyAffine(r.transform as unknown as [number, number, number, number, number, number], { x: r.face.x + r.face.width / 2, y: r.face.y + r.face.height / 2 });
    expect(Math.abs(centre.x - 300)).toBeLessThan(0.15 * r.face.width * r.upscale + 10);
    // Background: white where the person is not; the corners are background.
    const { data, info } = await sharp(result.photo.data).raw().toBuffer({ resolveWithObject: true });
    const corner = [data[0]!, data[1]!, data[2]!];
    expect(Math.min(...corner)).toBeGreaterThan(240);
    expect(info.channels).toBe(3);
    expect(r.background.share).toBeGreaterThan(0.2);
    // The report measures the background against the colour asked for: white, within JPEG's error.
    expect(r.background.meanDeltaE).toBeLessThan(1.5);
    expect(r.timings.total).toBeGreaterThan(0);
  });

  it('a rolled portrait is levelled: the measured roll follows the rotation, the result still passes its head rule', async () => {
    const rotated = await sharp(portrait).rotate(15, { background: '#808080' }).jpeg().toBuffer();
    const straight = await makeIdPhoto(new Uint8Array(portrait), parseIdPhotoOptions({ spec: 'cn-1inch' }), models, limits);
    const tilted = await makeIdPhoto(new Uint8Array(rotated), parseIdPhotoOptions({ spec: 'cn-1inch' }), models, limits);
    expect(tilted.report.roll.measured - straight.report.roll.measured).toBeGreaterThan(11);
    expect(tilted.report.roll.measured - straight.report.roll.measured).toBeLessThan(19);
    expect(tilted.report.rules.find((rule) => rule.rule.startsWith('head height'))!.passed).toBe(true);
  });

  it('warns when much of the photo continues the person past a tight picture, and not when the picture holds it', async () => {
    const tight = readFileSync(sharedPath('idphoto/portraits/016.jpg'));
    const passport = await makeIdPhoto(new Uint8Array(tight), parseIdPhotoOptions({ spec: 'us-passport' }), models, limits);
    expect(passport.report.warnings.join('\n')).toMatch(/^\d+ % of the photo continues the person past the picture's bottom edge/m);
    expect(passport.report.continued).toBeGreaterThan(0.1);
    const uk = await makeIdPhoto(new Uint8Array(tight), parseIdPhotoOptions({ spec: 'uk-passport' }), models, limits);
    expect(uk.report.warnings.join('\n')).not.toContain('continues the person');
    expect(uk.report.continued).toBeLessThan(0.1);
  });

  it('warns when the face is turned from the camera (059, head turned) or the mouth open (015, laughing), not for a frontal closed-mouth face (016)', async () => {
    const options = parseIdPhotoOptions({ spec: 'us-passport' });
    const turned = await makeIdPhoto(new Uint8Array(readFileSync(sharedPath('idphoto/portraits/059.jpg'))), options, models, limits);
    expect(turned.report.face.landmarks).toBe('mesh');
    expect(turned.report.warnings.join('\n')).toMatch(/The face is turned about \d+° from the camera/);
    const mirrored = await makeIdPhoto(
      new Uint8Array(
        await sharp(readFileSync(sharedPath('idphoto/portraits/059.jpg')))
          .flop()
          .jpeg()
          .toBuffer(),
      ),
      options,
      models,
      limits,
    );
    expect(Math.abs(turned.report.face.yaw!)).toBeGreaterThan(15);
    expect(Math.abs(turned.report.face.yaw! + mirrored.report.face.yaw!)).toBeLessThan(5);
    const frontal = await makeIdPhoto(new Uint8Array(readFileSync(sharedPath('idphoto/portraits/016.jpg'))), options, models, limits);
    expect(Math.abs(frontal.report.face.yaw!)).toBeLessThan(6);
    expect(frontal.report.warnings.join('\n')).not.toContain('turned');
    expect(frontal.report.warnings.join('\n')).not.toContain('mouth');
    const laughing = await makeIdPhoto(new Uint8Array(readFileSync(sharedPath('idphoto/portraits/015.jpg'))), options, models, limits);
    expect(laughing.report.face.mouthOpen).toBeGreaterThan(0.15);
    expect(laughing.report.warnings.join('\n')).toContain('The mouth is open');
  });

  it('the ID card at its own 350 dpi with its file-size bounds, a sheet, a high-resolution copy', async () => {
    const result = await makeIdPhoto(new Uint8Array(portrait), parseIdPhotoOptions({ spec: 'cn-id-card', sheet: '6-inch', hires: 'true' }), models, limits);
    expect([result.photo.width, result.photo.height, result.photo.dpi]).toEqual([358, 441, 350]);
    const kb = result.photo.data.length / 1024;
    expect(kb).toBeGreaterThanOrEqual(14);
    expect(kb).toBeLessThanOrEqual(20);
    expect(result.report.rules.find((r) => r.rule === 'file size')!.passed).toBe(true);
    expect((await sharp(result.photo.data).metadata()).density).toBe(350);
    expect([result.hires!.width, result.hires!.height, result.hires!.dpi]).toEqual([716, 882, 700]);
    const sheet = await sharp(result.sheet!.data).metadata();
    expect(sheet.density).toBe(350);
    // 4x6 in at 350 dpi.
    expect([Math.min(sheet.width!, sheet.height!), Math.max(sheet.width!, sheet.height!)]).toEqual([1400, 2100]);
  });

  it('the cut-out: the transparent person alone, as a PNG with alpha', async () => {
    const result = await makeIdPhoto(new Uint8Array(portrait), parseIdPhotoOptions({ spec: 'uk-passport', output: 'cutout' }), models, limits);
    const meta = await sharp(result.photo.data).metadata();
    expect([meta.format, meta.hasAlpha, meta.width, meta.height]).toEqual(['png', true, 413, 531]);
    // Made at a working size of 500 px, handed back at the upload's 1000 x 1000.
    const whole = await makeCutout(new Uint8Array(portrait), 'selfie', models, { ...limits, maxSide: 500 });
    const wm = await sharp(whole.image.data).metadata();
    expect(whole.original).toEqual({ width: 1000, height: 1000 });
    expect([wm.width, wm.height, wm.hasAlpha, whole.image.width]).toEqual([1000, 1000, true, 1000]);
  });

  it('pick=largest: another person joined to the subject is cut away from the photo and the cut-out, and counted in a crop', async () => {
    // 031 cut out and put in front of 020 (shrunk to 560 px, his face ~220 px wide) on grey: his head behind her shoulder.
    const front = await makeCutout(new Uint8Array(readFileSync(sharedPath('idphoto/portraits/031.jpg'))), 'selfie', models, limits);
    const behind = await sharp(readFileSync(sharedPath('idphoto/portraits/020.jpg')))
      .resize(560, 560)
      .toBuffer();
    const picture = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#96a0aa' } })
      .composite([
        { input: behind, left: 640, top: 120 },
        { input: Buffer.from(front.image.data), left: 0, top: 0 },
      ])
      .jpeg({ quality: 92 })
      .toBuffer();
    const options = parseIdPhotoOptions({ spec: 'us-passport', pick: 'largest' });
    const made = await makeIdPhoto(new Uint8Array(picture), options, models, limits);
    expect(made.report.warnings.join('\n')).toMatch(/^Another person joined to the subject's outline was cut away \(\d+ %/m);
    expect([made.report.faces, made.report.facesInPhoto]).toEqual([2, 1]);
    expect(made.report.rules.find((rule) => rule.rule === 'one face')).toMatchObject({ passed: true, value: '1 in the photo (2 in the picture)' });
    // A crop keeps the picture: his face is in its frame, nothing is cut away.
    const crop = await makeIdPhoto(new Uint8Array(picture), options, models, limits, 'crop');
    expect(crop.report.facesInPhoto).toBe(2);
    expect(crop.report.rules.find((rule) => rule.rule === 'one face')!.passed).toBe(false);
    expect(crop.report.warnings.join('\n')).not.toContain('cut away');
    const cut = await makeCutout(new Uint8Array(picture), 'selfie', models, limits);
    const { data, info } = await sharp(cut.image.data).raw().toBuffer({ resolveWithObject: true });
    const alphaAt = (x: number, y: number): number => data[(y * info.width + x) * info.channels + 3]! / 255;
    expect(alphaAt(924, 440)).toBeLessThan(0.1); // his face
    expect(alphaAt(1000, 640)).toBeLessThan(0.1); // his shirt, beside her shoulder
    expect(alphaAt(490, 509)).toBeGreaterThan(0.9); // her face
    expect(alphaAt(250, 900)).toBeGreaterThan(0.9); // her shoulder
  });

  it('no face: NO_FACE', async () => {
    const flat = await sharp({ create: { width: 400, height: 500, channels: 3, background: '#8899aa' } })
      .jpeg()
      .toBuffer();
    await expect(makeIdPhoto(new Uint8Array(flat), parseIdPhotoOptions({}), models, limits)).rejects.toMatchObject({ code: 'NO_FACE' });
  });
});
