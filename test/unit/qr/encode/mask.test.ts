import { create } from 'qrcode/lib/core/qrcode.js';
import { getPenaltyN1, getPenaltyN2, getPenaltyN3, getPenaltyN4 } from 'qrcode/lib/core/mask-pattern.js';
import { describe, expect, it } from 'vitest';
import { encodeQr } from '../../../../src/qr/encode/encode.js';
import { maskPenalties } from '../../../../src/qr/encode/mask.js';
import type { EcLevel } from '../../../../src/qr/options.js';
import { segmentsFor } from '../../../../src/qr/encode/segment.js';
import { texts } from '../../../helpers/texts.js';

describe('mask choice', () => {
  it('gives, module for module, the symbol node-qrcode builds with its own mask choice', () => {
    const masks = new Set<number>();
    const levels: EcLevel[] = ['L', 'M', 'Q', 'H'];
    texts(240).forEach((text, i) => {
      const ec = levels[i % 4]!;
      const segments = segmentsFor(text, ec);
      if (!segments) return; // too long at this level
      // node-qrcode's own mask choice on the same segments (segment.ts finds them, never in more bits than node-qrcode).
      const reference = create([...segments], { errorCorrectionLevel: ec });
      const ours = encodeQr(text, { ec });
      expect(ours.mask, `mask for text #${i}`).toBe(reference.maskPattern);
      expect(Buffer.from(ours.modules).equals(Buffer.from(reference.modules.data)), `modules for text #${i}`).toBe(true);
      masks.add(ours.mask);
    });
    expect(masks.size, 'every mask pattern was chosen at least once').toBe(8);
  });

  it('scores each of the eight masks exactly as node-qrcode scores that mask applied', () => {
    const levels: EcLevel[] = ['L', 'M', 'Q', 'H'];
    texts(48).forEach((text, i) => {
      const errorCorrectionLevel = levels[i % 4]!;
      let built;
      try {
        built = create(text, { errorCorrectionLevel, maskPattern: 0 });
      } catch {
        return;
      }
      const { size, data, reservedBit } = built.modules;
      const ours = maskPenalties(data, reservedBit, size, errorCorrectionLevel, 0);
      const theirs = [...Array(8).keys()].map((maskPattern) => {
        const modules = create(text, { errorCorrectionLevel, maskPattern }).modules;
        return getPenaltyN1(modules) + getPenaltyN2(modules) + getPenaltyN3(modules) + getPenaltyN4(modules);
      });
      expect(ours, `penalties for text #${i} (version ${built.version})`).toEqual(theirs);
    });
  });

  it('keeps an explicitly requested mask', () => {
    for (let mask = 0; mask < 8; mask++) expect(encodeQr('fixed mask', { ec: 'M', mask }).mask).toBe(mask);
  });
});
