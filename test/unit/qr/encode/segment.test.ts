import { create } from 'qrcode/lib/core/qrcode.js';
import { describe, expect, it } from 'vitest';
import type { EcLevel } from '../../../../src/qr/options.js';
import { optimalSegments, segmentBits, segmentsFor } from '../../../../src/qr/encode/segment.js';
import { texts } from '../../../helpers/texts.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const modes = (text: string, version = 1): string[] => optimalSegments(text, version).map((s) => `${s.mode}:${s.data}`);

describe('segmentation', () => {
  it('uses the densest mode for each run when the switch pays for its header', () => {
    expect(modes('0123456789')).toEqual(['numeric:0123456789']);
    expect(modes('HELLO WORLD')).toEqual(['alphanumeric:HELLO WORLD']);
    expect(modes('hello')).toEqual(['byte:hello']);
    expect(modes('lot 1234567890123456 ok')).toEqual(['byte:lot ', 'numeric:1234567890123456', 'byte: ok']);
    // Three digits inside lower case: a numeric segment's header costs more than it saves.
    expect(modes('abc123def')).toEqual(['byte:abc123def']);
  });

  it('keeps every character, surrogate pairs whole, in order', () => {
    for (const text of ['🎉123456789012🎉', 'é0123456789012345你好ABCDEFGHIJ🚀', ...texts(200)]) {
      const segments = optimalSegments(text, 10);
      expect(segments.map((s) => s.data).join('')).toBe(text);
      for (const s of segments) expect(s.data).not.toMatch(LONE_SURROGATE);
    }
  });

  it('never takes more bits than node-qrcode, and fewer for some texts', () => {
    const levels: EcLevel[] = ['L', 'M', 'Q', 'H'];
    let fewer = 0;
    texts(600).forEach((text, i) => {
      const ec = levels[i % 4]!;
      let reference;
      try {
        reference = create(text, { errorCorrectionLevel: ec });
      } catch {
        return;
      }
      const v = reference.version;
      const referenceBits = reference.segments.reduce((sum, s) => sum + 4 + s.mode.ccBits[v <= 9 ? 0 : v <= 26 ? 1 : 2]! + s.getBitsLength(), 0);
      const ours = segmentsFor(text, ec)!;
      const oursBits = ours.reduce((sum, s) => sum + segmentBits(s, v), 0);
      expect(oursBits, `text #${i}`).toBeLessThanOrEqual(referenceBits);
      if (oursBits < referenceBits) fewer++;
    });
    expect(fewer).toBeGreaterThan(0);
  });

  it('counts a byte segment in UTF-8 bytes as the encoder writes them, lone surrogates included', () => {
    for (const data of ['hello', 'é', '你好', '🎉x', 'a\uD800b', '\uDC00', '🎉\uD83C']) {
      expect(segmentBits({ mode: 'byte', data }, 1)).toBe(4 + 8 + 8 * new TextEncoder().encode(data).length);
    }
  });

  it('finds no segmentation for what no version holds', () => {
    expect(segmentsFor('a'.repeat(1274), 'H')).toBeUndefined();
    expect(segmentsFor('1'.repeat(7089), 'L')).toHaveLength(1);
    expect(segmentsFor('x'.repeat(20), 'H', 1)).toBeUndefined();
  });
});
