import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IDPHOTO_OPTION_SPECS, PHOTO_FORMATS } from '../../../src/idphoto/options.js';
import { NAMED_BACKGROUNDS } from '../../../src/idphoto/output/background.js';

// The page's ID-photo form is plain HTML: its choices and bounds are checked against the option registry.
const html = readFileSync(new URL('../../../web/index.html', import.meta.url), 'utf8');
const option = (name: string): (typeof IDPHOTO_OPTION_SPECS)[number] => IDPHOTO_OPTION_SPECS.find((o) => o.name === name)!;
const selectValues = (id: string): string[] => {
  const body = new RegExp(`<select id="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1];
  if (body === undefined) throw new Error(`web/index.html has no select #${id}`);
  return [...body.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]!);
};

describe('the page ID-photo form', () => {
  it('has a swatch for every named background, in its colour, beside the spec default and a custom colour', () => {
    const swatches = [...html.matchAll(/<input type="radio" name="background" value="([^"]+)"[^>]*\/>(?:<span class="chip"(?: style="--chip: (#[0-9a-f]{6})")?)?/g)].map((m) => [m[1], m[2]]);
    expect(swatches).toEqual([['spec', undefined], ...NAMED_BACKGROUNDS.map((b) => [b.name, b.hex]), ['custom', undefined]]);
  });

  it('offers the formats, orientations and file-size bounds the API takes', () => {
    expect(selectValues('id-format')).toEqual([...PHOTO_FORMATS, 'cutout']);
    expect(selectValues('id-orientation')).toEqual(option('orientation').values);
    const maxKb = /<input id="id-maxkb"[^>]*>/.exec(html)![0];
    expect(/min="(\d+)"/.exec(maxKb)![1]).toBe(String(option('maxKb').min));
    expect(/max="(\d+)"/.exec(maxKb)![1]).toBe(String(option('maxKb').max));
    expect(selectValues('id-fill')).toEqual(['flat', 'gradient-top', 'gradient-centre']);
  });

  it('offers the custom size with the units and bounds the API takes, and the largest-face choice', () => {
    expect(selectValues('id-unit')).toEqual(option('unit').values);
    for (const [id, name] of [
      ['id-width', 'width'],
      ['id-height', 'height'],
      ['id-dpi', 'dpi'],
    ] as const) {
      const input = new RegExp(`<input id="${id}"[^>]*>`).exec(html)![0];
      expect(/ min="(\d+)"/.exec(input)![1]).toBe(String(option(name).min));
      expect(/ max="(\d+)"/.exec(input)![1]).toBe(String(option(name).max));
      expect(input).toContain(`name="${name}"`);
    }
    const pick = /<input id="id-pick"[^>]*>/.exec(html)![0];
    expect(option('pick').values).toContain(/value="([^"]+)"/.exec(pick)![1]);
    expect(html).toMatch(/<select id="id-engine" name="engine"/);
  });
});
