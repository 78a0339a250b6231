/**
 * The background option: a named colour, any hex colour, the spec's own default, or a gradient of
 * one of these (top-down: the colour at the top fading to white at the bottom; centre: a white-ish
 * centre turning to the colour at the edges). Parsed once; turned into what `composite()` takes.
 */
import { QrwError } from '../../errors.js';
import { hexToRgb } from '../matte/composite.js';
import { createImage, type Image, type Rgb } from '../matte/image.js';

export interface NamedBackground {
  /** The option value (lower case). */
  readonly name: string;
  readonly hex: string;
  readonly label: { readonly en: string; readonly zh: string };
}

/** The named colours: the one list the parser, the page and the docs take them from. */
export const NAMED_BACKGROUNDS: readonly NamedBackground[] = [
  { name: 'blue', hex: '#628bce', label: { en: 'Blue', zh: '蓝' } },
  { name: 'white', hex: '#ffffff', label: { en: 'White', zh: '白' } },
  { name: 'red', hex: '#d74532', label: { en: 'Red', zh: '红' } },
  { name: 'dark-blue', hex: '#4b6190', label: { en: 'Dark blue', zh: '深蓝' } },
  { name: 'light-grey', hex: '#f2f0f0', label: { en: 'Light grey', zh: '浅灰' } },
  { name: 'black', hex: '#000000', label: { en: 'Black', zh: '黑' } },
];

/** Other spellings of the names: American grey, no hyphen, the Chinese labels. */
const ALIASES: Readonly<Record<string, string>> = {
  darkblue: 'dark-blue',
  'dark-blue': 'dark-blue',
  lightgrey: 'light-grey',
  'light-gray': 'light-grey',
  lightgray: 'light-grey',
  ...Object.fromEntries(
    NAMED_BACKGROUNDS.flatMap((b) => [
      [b.name, b.name],
      [b.label.zh, b.name],
      [`${b.label.zh}色`, b.name],
    ]),
  ),
};

export type BackgroundKind = 'solid' | 'gradient-top' | 'gradient-centre';

export interface Background {
  readonly kind: BackgroundKind;
  /** The colour ('#rrggbb', lower case): the whole background, or the gradient's coloured end. */
  readonly hex: string;
  /** The named colour it was given as, if any. */
  readonly name?: string;
  /** True when it is the spec's own default (`spec`). */
  readonly fromSpec?: boolean;
}

/** How much of the way to white a centre gradient is at its centre. */
const CENTRE_WHITE = 0.8;

const ACCEPTED = `a name (${NAMED_BACKGROUNDS.map((b) => b.name).join(', ')}), a hex colour (#rgb or #rrggbb), 'spec' (the spec's default), or a gradient of one of these: 'gradient-top:<colour>' or 'gradient-centre:<colour>'`;

function normaliseHex(value: string): string | undefined {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value);
  if (!m) return undefined;
  const h = m[1]!.toLowerCase();
  return `#${h.length === 3 ? [...h].map((c) => c + c).join('') : h}`;
}

function parseColour(value: string, specDefault: string): Omit<Background, 'kind'> | undefined {
  const key = value
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
  if (key === 'spec' || key === 'default') {
    const hex = normaliseHex(specDefault.trim());
    if (!hex) throw new RangeError(`The spec's default background is not a hex colour: ${specDefault}`);
    return { hex, fromSpec: true };
  }
  const named = ALIASES[key] ?? ALIASES[key.replace(/-/g, '')];
  const entry = named === undefined ? undefined : NAMED_BACKGROUNDS.find((b) => b.name === named);
  if (entry) return { hex: entry.hex, name: entry.name };
  const hex = normaliseHex(key);
  return hex ? { hex } : undefined;
}

/**
 * Parses the background option. `specDefault` is the spec's default colour (hex), used for `spec`.
 * Throws QrwError INVALID_OPTION (`details.option` 'background') listing the accepted forms.
 */
export function parseBackground(value: string, specDefault: string): Background {
  const text = value.trim();
  const gradient = /^gradient[-_ ]?(top|centre|center)\s*[:=]\s*(.+)$/i.exec(text);
  const kind: BackgroundKind = gradient ? (gradient[1]!.toLowerCase() === 'top' ? 'gradient-top' : 'gradient-centre') : 'solid';
  const colour = text === '' ? undefined : parseColour(gradient ? gradient[2]! : text, specDefault);
  if (!colour) throw new QrwError('INVALID_OPTION', `Unknown background '${value}': use ${ACCEPTED}.`, { option: 'background', value });
  return { kind, ...colour };
}

/** The share of white at (x, y) of a width x height picture: 0 is the pure colour. */
function whiteShare(kind: BackgroundKind, x: number, y: number, width: number, height: number): number {
  if (kind === 'solid') return 0;
  if (kind === 'gradient-top') return height > 1 ? y / (height - 1) : 0;
  // Elliptical distance from the centre, 1 at the middle of each edge (and the pure colour from there out to the corners).
  const dx = width > 1 ? (x - (width - 1) / 2) / ((width - 1) / 2) : 0;
  const dy = height > 1 ? (y - (height - 1) / 2) / ((height - 1) / 2) : 0;
  return CENTRE_WHITE * Math.max(0, 1 - Math.hypot(dx, dy));
}

/** What `composite()` takes for this background at width x height: the colour itself when solid, a 3-channel image for a gradient. */
export function backgroundFor(bg: Background, width: number, height: number): Rgb | Image {
  const colour = hexToRgb(bg.hex);
  if (bg.kind === 'solid') return colour;
  const image = createImage(width, height, 3);
  const d = image.data;
  const [r, g, b] = colour;
  for (let y = 0, k = 0; y < height; y++) {
    for (let x = 0; x < width; x++, k += 3) {
      const t = whiteShare(bg.kind, x, y, width, height);
      d[k] = r + (1 - r) * t;
      d[k + 1] = g + (1 - g) * t;
      d[k + 2] = b + (1 - b) * t;
    }
  }
  return image;
}

export interface BackgroundDescription {
  readonly kind: BackgroundKind;
  readonly hex: string;
  readonly name?: string;
  /** For a person: 'blue (#628bce)', '#123456', 'gradient-top: blue (#628bce) to white'. */
  readonly text: string;
}

/** The background as the report gives it. */
export function describeBackground(bg: Background): BackgroundDescription {
  const colour = `${bg.name ? `${bg.name} (${bg.hex})` : bg.hex}${bg.fromSpec ? ", the spec's default" : ''}`;
  const text = bg.kind === 'solid' ? colour : bg.kind === 'gradient-top' ? `gradient-top: ${colour} at the top to white at the bottom` : `gradient-centre: white-ish centre to ${colour} at the edges`;
  return { kind: bg.kind, hex: bg.hex, ...(bg.name && { name: bg.name }), text };
}
