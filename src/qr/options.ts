import { QrwError } from '../errors.js';

export const EC_LEVELS = ['L', 'M', 'Q', 'H'] as const;
export type EcLevel = (typeof EC_LEVELS)[number];

export const OUTPUT_FORMATS = ['png', 'svg', 'txt', 'json'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** An RGBA colour, each channel 0-255. */
export interface Rgba {
  readonly r: number;
  readonly g: number;
  readonly b: number;
  readonly a: number;
}

export interface GenerateOptions {
  readonly ec: EcLevel;
  /** 1-40, or undefined for the smallest version that fits. */
  readonly version: number | undefined;
  /** 0-7, or undefined for the best mask by the standard's penalty rules. */
  readonly mask: number | undefined;
  /** Quiet zone in modules. */
  readonly margin: number;
  /** Pixels per module; ignored when `size` is set. */
  readonly scale: number;
  /** Exact output width/height in pixels, or undefined to derive it from `scale`. */
  readonly size: number | undefined;
  readonly dark: Rgba;
  readonly light: Rgba;
  readonly format: OutputFormat;
}

export const GENERATE_LIMITS = {
  maxMargin: 64,
  maxScale: 100,
  minSize: 21,
  maxSize: 8192,
} as const;

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = Object.freeze({
  ec: 'H',
  version: undefined,
  mask: undefined,
  margin: 4,
  scale: 10,
  size: undefined,
  dark: Object.freeze({ r: 0, g: 0, b: 0, a: 255 }),
  light: Object.freeze({ r: 255, g: 255, b: 255, a: 255 }),
  format: 'png',
});

/** Raw option values as they arrive from JSON, a query string or CLI flags. */
export type RawGenerateOptions = Partial<Record<keyof GenerateOptions, unknown>>;

function invalid(option: string, message: string): QrwError {
  return new QrwError('INVALID_OPTION', message, { option });
}

function pickEnum<T extends string>(option: string, value: unknown, allowed: readonly T[], fallback: T, normalise: (s: string) => string): T {
  if (value === undefined || value === null || value === '') return fallback;
  const candidate = typeof value === 'string' ? normalise(value) : value;
  if ((allowed as readonly unknown[]).includes(candidate)) return candidate as T;
  throw invalid(option, `Option "${option}" must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}.`);
}

function pickInt(option: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw invalid(option, `Option "${option}" must be a whole number from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return n;
}

const HEX_COLOUR = /^#?([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i;

/** Parses `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa` (the `#` optional) or `transparent`. */
export function parseColour(option: string, value: unknown, fallback: Rgba): Rgba {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value === 'string' && value.trim().toLowerCase() === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  const match = typeof value === 'string' ? HEX_COLOUR.exec(value.trim()) : null;
  if (!match?.[1]) {
    throw invalid(option, `Option "${option}" must be a hex colour such as #000000 or #ffffff00, or "transparent"; got ${JSON.stringify(value)}.`);
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

/** Validates raw options and fills defaults; throws QrwError('INVALID_OPTION') on any bad value. */
export function parseGenerateOptions(raw: RawGenerateOptions = {}): GenerateOptions {
  const d = DEFAULT_GENERATE_OPTIONS;
  return {
    ec: pickEnum('ec', raw.ec, EC_LEVELS, d.ec, (s) => s.trim().toUpperCase()),
    version: pickInt('version', raw.version, 1, 40),
    mask: pickInt('mask', raw.mask, 0, 7),
    margin: pickInt('margin', raw.margin, 0, GENERATE_LIMITS.maxMargin) ?? d.margin,
    scale: pickInt('scale', raw.scale, 1, GENERATE_LIMITS.maxScale) ?? d.scale,
    size: pickInt('size', raw.size, GENERATE_LIMITS.minSize, GENERATE_LIMITS.maxSize),
    dark: parseColour('dark', raw.dark, d.dark),
    light: parseColour('light', raw.light, d.light),
    format: pickEnum('format', raw.format, OUTPUT_FORMATS, d.format, (s) => s.trim().toLowerCase()),
  };
}

/** A stable string for cache keys and ETags: every option that changes the output, in a fixed order. */
export function canonicalOptions(o: GenerateOptions): string {
  return [o.format, o.ec, o.version ?? '', o.mask ?? '', o.margin, o.size ?? `x${o.scale}`, formatColour(o.dark), formatColour(o.light)].join('|');
}
