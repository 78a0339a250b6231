/**
 * The generate options: one registry from which the parser, the defaults, the HTTP schema, the CLI
 * flags and the README's table are all derived.
 */
import { QrwError } from '../errors.js';
import { formatColour, parseColour, type Rgba } from './colour.js';
import { OUTPUT_FORMATS, type OutputFormat } from './formats.js';
import { EC_LEVELS, EC_RECOVERY, MASK_COUNT, MAX_VERSION, MIN_VERSION, type EcLevel } from './spec/index.js';

export { EC_LEVELS, type EcLevel } from './spec/index.js';
export { OUTPUT_FORMATS, type OutputFormat } from './formats.js';
export { parseColour, formatColour, type Rgba } from './colour.js';

interface BaseSpec<T> {
  readonly description: string;
  readonly default: T;
  /** The flag of `qrw generate` and its value's name. */
  readonly cli: { readonly flag: string; readonly value: string };
  /** Raw value (JSON, query string or CLI flag) -> the value, or a QrwError('INVALID_OPTION'). */
  parse(option: string, raw: unknown): T;
}

export interface EnumSpec<T extends string> extends BaseSpec<T> {
  readonly type: 'enum';
  readonly values: readonly T[];
  /** Spellings accepted beside `values` (normalised by `parse`). */
  readonly accepts: readonly string[];
}

export interface IntegerSpec<T extends number | undefined> extends BaseSpec<T> {
  readonly type: 'integer';
  readonly min: number;
  readonly max: number;
  /** What the default is when there is no fixed number. */
  readonly defaultMeaning?: string;
}

export interface ColourSpec extends BaseSpec<Rgba> {
  readonly type: 'colour';
}

export type OptionSpec = EnumSpec<string> | IntegerSpec<number | undefined> | ColourSpec;

function invalid(option: string, message: string): QrwError {
  return new QrwError('INVALID_OPTION', message, { option });
}

const isBlank = (value: unknown): boolean => value === undefined || value === null || value === '';

function enumOption<T extends string>(spec: { values: readonly T[]; default: T; caseInsensitive?: boolean; description: string; cli: BaseSpec<T>['cli'] }): EnumSpec<T> {
  // Values are all one case; other spellings are folded to it.
  const upper = spec.values.every((v) => v === v.toUpperCase());
  const fold = (s: string): string => (upper ? s.trim().toUpperCase() : s.trim().toLowerCase());
  const other = spec.caseInsensitive ? spec.values.map((v) => (upper ? v.toLowerCase() : v.toUpperCase())) : [];
  return {
    type: 'enum',
    values: spec.values,
    accepts: [...spec.values, ...other],
    default: spec.default,
    description: spec.description,
    cli: spec.cli,
    parse(option, raw) {
      if (isBlank(raw)) return spec.default;
      const candidate = typeof raw === 'string' ? fold(raw) : raw;
      if ((spec.values as readonly unknown[]).includes(candidate)) return candidate as T;
      throw invalid(option, `Option "${option}" must be one of ${spec.values.join(', ')}; got ${JSON.stringify(raw)}.`);
    },
  };
}

function integerOption<T extends number | undefined>(spec: { min: number; max: number; default: T; defaultMeaning?: string; description: string; cli: BaseSpec<T>['cli'] }): IntegerSpec<number | T> {
  return {
    type: 'integer',
    ...spec,
    parse(option, raw) {
      if (isBlank(raw)) return spec.default;
      const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < spec.min || n > spec.max) {
        throw invalid(option, `Option "${option}" must be a whole number from ${spec.min} to ${spec.max}; got ${JSON.stringify(raw)}.`);
      }
      return n;
    },
  };
}

function colourOption(spec: { default: Rgba; description: string; cli: BaseSpec<Rgba>['cli'] }): ColourSpec {
  return { type: 'colour', ...spec, parse: (option, raw) => parseColour(option, raw, spec.default) };
}

export const GENERATE_OPTION_SPECS = {
  ec: enumOption<EcLevel>({
    values: EC_LEVELS,
    default: 'H',
    caseInsensitive: true,
    description: `Error correction level: ${EC_LEVELS.map((l) => `${l} ~${EC_RECOVERY[l]}`).join(', ')} of the symbol may be damaged`,
    cli: { flag: '--ec', value: 'level' },
  }),
  version: integerOption({
    min: MIN_VERSION,
    max: MAX_VERSION,
    default: undefined,
    defaultMeaning: 'the smallest that fits',
    description: 'Symbol version',
    cli: { flag: '--symbol-version', value: `${MIN_VERSION}-${MAX_VERSION}` },
  }),
  mask: integerOption({
    min: 0,
    max: MASK_COUNT - 1,
    default: undefined,
    defaultMeaning: 'the lowest penalty score',
    description: 'Mask pattern',
    cli: { flag: '--mask', value: `0-${MASK_COUNT - 1}` },
  }),
  margin: integerOption({ min: 0, max: 64, default: 4, description: 'Quiet zone in modules', cli: { flag: '--margin', value: 'modules' } }),
  scale: integerOption({ min: 1, max: 100, default: 10, description: 'Pixels per module (ignored when size is given)', cli: { flag: '--scale', value: 'px' } }),
  size: integerOption({
    min: 21,
    max: 8192,
    default: undefined,
    defaultMeaning: 'from scale',
    description: 'Exact width and height in pixels; modules stay whole pixels and the symbol is centred',
    cli: { flag: '--size', value: 'px' },
  }),
  dark: colourOption({ default: Object.freeze({ r: 0, g: 0, b: 0, a: 255 }), description: 'Dark modules: #rgb, #rgba, #rrggbb or #rrggbbaa', cli: { flag: '--dark', value: 'colour' } }),
  light: colourOption({
    default: Object.freeze({ r: 255, g: 255, b: 255, a: 255 }),
    description: 'Light modules and margin: a hex colour or "transparent"',
    cli: { flag: '--light', value: 'colour' },
  }),
  format: enumOption<OutputFormat>({ values: OUTPUT_FORMATS, default: 'png', description: 'Output format (see the formats table)', cli: { flag: '--format', value: 'format' } }),
} as const;

type Specs = typeof GENERATE_OPTION_SPECS;
export type GenerateOptionName = keyof Specs;
export const GENERATE_OPTION_NAMES = Object.keys(GENERATE_OPTION_SPECS) as readonly GenerateOptionName[];

export type GenerateOptions = { readonly [K in GenerateOptionName]: ReturnType<Specs[K]['parse']> };

/** Raw option values as they arrive from JSON, a query string or CLI flags. */
export type RawGenerateOptions = Partial<Record<GenerateOptionName, unknown>>;

export const DEFAULT_GENERATE_OPTIONS: GenerateOptions = Object.freeze(
  Object.fromEntries(GENERATE_OPTION_NAMES.map((name) => [name, GENERATE_OPTION_SPECS[name].default])) as unknown as GenerateOptions,
);

/** Validates raw options and fills defaults; throws QrwError('INVALID_OPTION') on any bad value. */
export function parseGenerateOptions(raw: RawGenerateOptions = {}): GenerateOptions {
  return Object.fromEntries(GENERATE_OPTION_NAMES.map((name) => [name, GENERATE_OPTION_SPECS[name].parse(name, raw[name])])) as unknown as GenerateOptions;
}

/** The default as a person reads it. */
export function describeDefault(spec: OptionSpec): string {
  if (spec.type === 'colour') return formatColour(spec.default);
  if (spec.default === undefined) return (spec.type === 'integer' && spec.defaultMeaning) || 'none';
  return String(spec.default);
}

/** A stable string for cache keys and ETags: every option that changes the output, in a fixed order. */
export function canonicalOptions(o: GenerateOptions): string {
  return [o.format, o.ec, o.version ?? '', o.mask ?? '', o.margin, o.size ?? `x${o.scale}`, formatColour(o.dark), formatColour(o.light)].join('|');
}
