import { describe, expect, it } from 'vitest';
import { composite } from '../../../../src/idphoto/matte/composite.js';
import { createImage } from '../../../../src/idphoto/matte/image.js';
import { NAMED_BACKGROUNDS, backgroundFor, describeBackground, parseBackground, type Background } from '../../../../src/idphoto/output/background.js';

const SPEC_DEFAULT = '#f5f5f0';
const to255 = (rgb: readonly number[]): number[] => rgb.map((v) => Math.round(v * 255));

describe('parseBackground', () => {
  it('knows the named colours, in English and Chinese, from the one table', () => {
    expect(NAMED_BACKGROUNDS.map((b) => [b.name, b.hex, b.label.zh])).toEqual([
      ['blue', '#628bce', '蓝'],
      ['white', '#ffffff', '白'],
      ['red', '#d74532', '红'],
      ['dark-blue', '#4b6190', '深蓝'],
      ['light-grey', '#f2f0f0', '浅灰'],
      ['black', '#000000', '黑'],
    ]);
    for (const b of NAMED_BACKGROUNDS) {
      expect(parseBackground(b.name, SPEC_DEFAULT)).toEqual({ kind: 'solid', hex: b.hex, name: b.name });
      expect(parseBackground(b.label.zh, SPEC_DEFAULT).hex).toBe(b.hex);
    }
    expect(parseBackground(' Dark Blue ', SPEC_DEFAULT).hex).toBe('#4b6190');
    expect(parseBackground('light-gray', SPEC_DEFAULT).hex).toBe('#f2f0f0');
    expect(parseBackground('LIGHTGREY', SPEC_DEFAULT).hex).toBe('#f2f0f0');
  });

  it('takes any hex colour, with or without #, 3 or 6 digits', () => {
    expect(parseBackground('#ABCDEF', SPEC_DEFAULT)).toEqual({ kind: 'solid', hex: '#abcdef' });
    expect(parseBackground('#fa0', SPEC_DEFAULT).hex).toBe('#ffaa00');
    expect(parseBackground('628bce', SPEC_DEFAULT).hex).toBe('#628bce');
  });

  it("takes the spec's own default", () => {
    expect(parseBackground('spec', SPEC_DEFAULT)).toEqual({ kind: 'solid', hex: SPEC_DEFAULT, fromSpec: true });
  });

  it('takes gradients of any colour form, centre spelled either way', () => {
    expect(parseBackground('gradient-top:blue', SPEC_DEFAULT)).toEqual({ kind: 'gradient-top', hex: '#628bce', name: 'blue' });
    expect(parseBackground('gradient-centre:#628bce', SPEC_DEFAULT)).toEqual({ kind: 'gradient-centre', hex: '#628bce' });
    expect(parseBackground('gradient-center:red', SPEC_DEFAULT).kind).toBe('gradient-centre');
    expect(parseBackground('gradient-top:spec', SPEC_DEFAULT)).toEqual({ kind: 'gradient-top', hex: SPEC_DEFAULT, fromSpec: true });
  });

  it('refuses anything else with INVALID_OPTION naming the option and listing the accepted forms', () => {
    for (const value of ['', 'purple', '#12345', '#ggg', 'gradient-left:blue', 'gradient-top:', 'gradient-top:nope']) {
      let caught: { code?: string; message?: string; details?: Record<string, unknown> } | undefined;
      try {
        parseBackground(value, SPEC_DEFAULT);
      } catch (err) {
        caught = err as typeof caught;
      }
      expect(caught?.code, value).toBe('INVALID_OPTION');
      expect(caught?.details?.option).toBe('background');
      expect(caught?.message).toMatch(/blue, white, red, dark-blue, light-grey, black/);
      expect(caught?.message).toMatch(/gradient-top:<colour>/);
    }
  });
});

/** The colour at (x, y) of the background as `backgroundFor` makes it for a width x height photo. */
function colourAt(bg: Background, x: number, y: number, width: number, height: number): number[] {
  const fill = backgroundFor(bg, width, height);
  if (!('data' in fill)) return [...fill];
  const p = (y * width + x) * 3;
  return [...fill.data.subarray(p, p + 3)];
}

describe('backgrounds as pixels', () => {
  it('a solid colour is the colour itself, for composite()', () => {
    expect(to255(backgroundFor(parseBackground('red', SPEC_DEFAULT), 10, 10) as readonly number[])).toEqual([0xd7, 0x45, 0x32]);
  });

  it('top-down: the colour at the top, white at the bottom', () => {
    const bg = parseBackground('gradient-top:blue', SPEC_DEFAULT);
    expect(to255(colourAt(bg, 5, 0, 10, 101))).toEqual([0x62, 0x8b, 0xce]);
    expect(to255(colourAt(bg, 5, 100, 10, 101))).toEqual([255, 255, 255]);
    const middle = colourAt(bg, 5, 50, 10, 101);
    expect(middle[0]).toBeCloseTo((0x62 / 255 + 1) / 2, 5);
  });

  it('centre: white-ish in the middle, the colour at the edges', () => {
    const bg = parseBackground('gradient-centre:dark-blue', SPEC_DEFAULT);
    const [w, h] = [101, 141];
    const centre = to255(colourAt(bg, 50, 70, w, h));
    expect(centre.every((v) => v > 200)).toBe(true);
    for (const [x, y] of [
      [0, 70],
      [100, 70],
      [50, 0],
      [50, 140],
      [0, 0],
    ] as const) {
      expect(to255(colourAt(bg, x, y, w, h))).toEqual([0x4b, 0x61, 0x90]);
    }
  });

  it('a gradient is an image composite() takes', () => {
    const bg = parseBackground('gradient-centre:red', SPEC_DEFAULT);
    const image = backgroundFor(bg, 7, 9);
    if (!('data' in image)) throw new Error('expected an image');
    expect([image.width, image.height, image.channels]).toEqual([7, 9, 3]);
    const out = composite(createImage(7, 9, 3), createImage(7, 9, 1), image);
    expect(out.data).toEqual(image.data);
  });

  it('describes itself for the report', () => {
    expect(describeBackground(parseBackground('blue', SPEC_DEFAULT))).toEqual({ kind: 'solid', hex: '#628bce', name: 'blue', text: 'blue (#628bce)' });
    expect(describeBackground(parseBackground('#123456', SPEC_DEFAULT)).text).toBe('#123456');
    expect(describeBackground(parseBackground('spec', SPEC_DEFAULT)).text).toBe("#f5f5f0, the spec's default");
    expect(describeBackground(parseBackground('gradient-top:red', SPEC_DEFAULT)).text).toBe('gradient-top: red (#d74532) at the top to white at the bottom');
  });
});
