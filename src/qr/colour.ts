import { QrwError } from '../errors.js';

/** An RGBA colour, each channel 0-255. */
export interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  readonly a: number;
}

const HEX_COLOUR = /^#?([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/** Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` (the `#` optional) or `transparent`. */
export function parseColour(option: string, value: unknown, fallback: Rgba): Rgba {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && value.trim().toLowerCase() === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  const match = typeof value === 'string' ? HEX_COLOUR.exec(value.trim()) : null;
  if (!match?.[1]) {
    throw new QrwError('INVALID_OPTION', `Option "${option}" must be a hex colour such as #000000 or #ffffff00, or "transparent"; got ${JSON.stringify(value)}.`, { option });
  }
  let hex = match[1];
  if (hex.length <= 4) hex = [...hex].map((c) => c + c).join('');
  const channel = (i: number): number => parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return { r: channel(0), g: channel(1), b: channel(2), a: hex.length === 8 ? channel(3) : 255 };
}

export function formatColour(c: Rgba): string {
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `#${hex(c.r)}${hex(c.g)}${hex(c.b)}${c.a === 255 ? '' : hex(c.a)}`;
}
