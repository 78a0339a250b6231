import { describe, expect, it } from 'vitest';
import { fromBytes, toBytes } from '../../../../src/idphoto/matte/bytes.js';
import { composite, hexToRgb } from '../../../../src/idphoto/matte/composite.js';
import { createImage } from '../../../../src/idphoto/matte/image.js';
import { randomImage } from './synthetic.js';

describe('composite', () => {
  const foreground = randomImage(9, 7, 3, 1);
  const backgroundImage = randomImage(9, 7, 3, 2);
  const alpha = createImage(9, 7, 1);
  for (let i = 0; i < alpha.data.length; i++) alpha.data[i] = i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : 0.25;

  it('gives the background exactly where alpha is 0 and the foreground exactly where it is 1', () => {
    const colour = hexToRgb('#628bce');
    for (const background of [colour, backgroundImage] as const) {
      const out = composite(foreground, alpha, background).data;
      for (let i = 0; i < alpha.data.length; i++) {
        for (let c = 0; c < 3; c++) {
          // Images hold float32, so a colour comes back as its nearest float32.
          const b = Math.fround('data' in background ? background.data[i * 3 + c]! : background[c]!);
          const f = foreground.data[i * 3 + c]!;
          if (alpha.data[i] === 0) expect(out[i * 3 + c]).toBe(b);
          else if (alpha.data[i] === 1) expect(out[i * 3 + c]).toBe(f);
          else expect(out[i * 3 + c]).toBeCloseTo(0.25 * f + 0.75 * b, 6);
        }
      }
    }
  });

  it('rejects a background image or alpha of another size', () => {
    expect(() => composite(foreground, alpha, randomImage(9, 6, 3, 3))).toThrow(RangeError);
    expect(() => composite(foreground, createImage(8, 7, 1), [0, 0, 0])).toThrow(RangeError);
  });
});

describe('hexToRgb', () => {
  it('reads 6- and 3-digit colours with or without #', () => {
    expect(hexToRgb('#628bce')).toEqual([0x62 / 255, 0x8b / 255, 0xce / 255]);
    expect(hexToRgb('FFF')).toEqual([1, 1, 1]);
    expect(() => hexToRgb('#12345')).toThrow(RangeError);
  });
});

describe('8-bit conversion', () => {
  it('round-trips every 8-bit value exactly, in any channel count', () => {
    const bytes = Uint8Array.from({ length: 256 * 4 }, (_, i) => i % 256);
    const image = fromBytes(bytes, { width: 16, height: 16, channels: 4 });
    expect(image.data[255]).toBe(1);
    expect(image.data[128]).toBeCloseTo(128 / 255, 7);
    expect(toBytes(image)).toEqual(bytes);
  });

  it('clamps out-of-range floats and rounds to the nearest level', () => {
    const image = createImage(5, 1, 1);
    image.data.set([-0.2, 1.3, 0.5, 1.4 / 255, 1.6 / 255]);
    expect([...toBytes(image)]).toEqual([0, 255, 128, 1, 2]);
  });

  it('rejects a buffer whose length does not match the shape', () => {
    expect(() => fromBytes(new Uint8Array(10), { width: 2, height: 2, channels: 3 })).toThrow(RangeError);
  });
});
