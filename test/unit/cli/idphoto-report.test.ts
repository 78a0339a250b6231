import { describe, expect, it } from 'vitest';
import { formatReport } from '../../../src/cli/commands/idphoto.js';
import type { IdPhotoReport } from '../../../src/idphoto/report.js';

const report: IdPhotoReport = {
  spec: { id: 'us-passport', name: 'US passport', width: 600, height: 600, dpi: 300, crown: 'hair' },
  engine: 'selfie',
  faces: 1,
  facesInPhoto: 1,
  face: { score: 0.91, x: 300, y: 200, width: 400, height: 400, landmarks: 'mesh' },
  headHeight: { px: 293.1, mm: 24.82, percent: 48.9 },
  crownMargin: { px: 110, mm: 9.31, percent: 18.3 },
  hairTop: { px: 110, mm: 9.31, percent: 18.3 },
  eyeLine: { fromTopPx: 225, fromBottomMm: 31.75, percentFromBottom: 62.5 },
  roll: { measured: -10.7 },
  upscale: 0.429,
  continued: 0.18,
  background: { text: 'white (#ffffff)', hex: '#ffffff', share: 0.4, meanDeltaE: 0.02 },
  file: { bytes: 56897, kb: 55.6, quality: 95, format: 'jpeg' },
  rules: [
    { rule: 'one face', passed: true, value: '1 found', expected: 'exactly one' },
    { rule: 'head height (chin to the top of the hair)', passed: false, value: '24.82 mm (293.1 px)', expected: '25.4-34.9 mm (300-413 px)' },
  ],
  passed: false,
  warnings: ['The hair runs off the top of the picture.'],
  transform: [0.4, 0, 10, 0, 0.4, 20],
  timings: { decode: 30, total: 250 },
};

describe('formatReport (qrw idphoto --report)', () => {
  it('lists each rule passed or failed with its numbers, then the warnings and the outcome', () => {
    const text = formatReport(report);
    expect(text).toContain('spec: US passport (us-passport), 600x600 px at 300 dpi, crown = top of the hair; engine selfie');
    expect(text).toContain('background: white (#ffffff), 40 % of the photo');
    expect(text).toMatch(/^ {2}PASS {2}one face +1 found \(expected exactly one\)$/m);
    expect(text).toMatch(/^ {2}FAIL {2}head height \(chin to the top of the hair\) {2}24\.82 mm \(293\.1 px\) \(expected 25\.4-34\.9 mm \(300-413 px\)\)$/m);
    expect(text).toMatch(/^warnings:\n {2}- The hair runs off the top of the picture\.$/m);
    expect(text.trimEnd().split('\n').at(-1)).toBe('result: 1 of 2 rules failed');
  });

  it('says so when every rule passed, and leaves out the warnings heading when there are none', () => {
    const text = formatReport({ ...report, rules: [report.rules[0]!], passed: true, warnings: [] });
    expect(text).not.toContain('warnings:');
    expect(text.trimEnd().split('\n').at(-1)).toBe('result: the 1 rule passed');
  });
});
