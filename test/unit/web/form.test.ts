import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EC_LEVELS, GENERATE_OPTION_SPECS, formatColour } from '../../../src/qr/options.js';

// The page's generate form is plain HTML: its choices, ranges and defaults are checked against the option registry.
const html = readFileSync(new URL('../../../web/index.html', import.meta.url), 'utf8');

function tag(id: string): string {
  const found = new RegExp(`<(?:input|select)[^>]*id="${id}"[^>]*>`).exec(html)?.[0];
  if (!found) throw new Error(`web/index.html has no element #${id}`);
  return found;
}
const attribute = (element: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(element)?.[1];

describe('the page generate form', () => {
  it('offers every error correction level, the default selected', () => {
    const select = /<select id="gen-ec"[^>]*>([\s\S]*?)<\/select>/.exec(html)![1]!;
    const options = [...select.matchAll(/<option value="(\w)"( selected)?/g)];
    expect(options.map((m) => m[1])).toEqual([...EC_LEVELS]);
    expect(options.find((m) => m[2])?.[1]).toBe(GENERATE_OPTION_SPECS.ec.default);
  });

  it('bounds size and margin as the API does, and starts from the default margin and colours', () => {
    const size = tag('gen-size');
    expect([attribute(size, 'min'), attribute(size, 'max')]).toEqual([String(GENERATE_OPTION_SPECS.size.min), String(GENERATE_OPTION_SPECS.size.max)]);
    const margin = tag('gen-margin');
    expect([attribute(margin, 'min'), attribute(margin, 'max'), attribute(margin, 'value')]).toEqual([
      String(GENERATE_OPTION_SPECS.margin.min),
      String(GENERATE_OPTION_SPECS.margin.max),
      String(GENERATE_OPTION_SPECS.margin.default),
    ]);
    expect(attribute(tag('gen-dark'), 'value')).toBe(formatColour(GENERATE_OPTION_SPECS.dark.default));
    expect(attribute(tag('gen-light'), 'value')).toBe(formatColour(GENERATE_OPTION_SPECS.light.default));
  });
});
