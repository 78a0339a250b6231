/**
 * The ID-photo options: one registry from which the parser, the HTTP schema, the CLI flags and the
 * README's table are derived. Values arrive as strings (query, multipart fields, CLI flags) or JSON.
 */
import { QrwError } from '../errors.js';

import { DEFAULT_MATTING_ENGINE, MATTING_ENGINES } from './matting/engines.js';
import { DEFAULT_GAP_MM, DEFAULT_MARGIN_MM, SHEETS, findSheet, type Orientation, type SheetSize } from './sheet.js';
import { SPECS, findSpec, type IdPhotoSpec } from './specs.js';

export interface IdPhotoOptionSpec {
  readonly name: string;
  readonly type: 'string' | 'enum' | 'number' | 'boolean';
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Shown in the docs; undefined means 'not set'. */
  readonly default?: string | number | boolean;
  readonly description: string;
  /** The flag of `qrw idphoto`. */
  readonly cli: string;
}

export const FOREGROUND_METHODS = ['blur-fusion', 'multilevel', 'none'] as const;
export const PHOTO_FORMATS = ['jpeg', 'png'] as const;
export const OUTPUTS = ['photo', 'cutout'] as const;

export const IDPHOTO_OPTION_SPECS: readonly IdPhotoOptionSpec[] = [
  {
    name: 'spec',
    type: 'string',
    default: 'cn-1inch',
    description: `a spec id from GET /api/v1/idphoto/specs (${SPECS.length} of them), or \`custom\` with width, height, unit and dpi`,
    cli: '--spec <id>',
  },
  { name: 'width', type: 'number', min: 1, max: 10000, description: 'custom spec: the width in `unit`', cli: '--width <n>' },
  { name: 'height', type: 'number', min: 1, max: 10000, description: 'custom spec: the height in `unit`', cli: '--height <n>' },
  { name: 'unit', type: 'enum', values: ['mm', 'px'], default: 'mm', description: 'custom spec: the unit of width and height', cli: '--unit <mm|px>' },
  { name: 'dpi', type: 'number', min: 72, max: 1200, description: "pixels per inch of the photo (default: the spec's own); the photo keeps its size in mm", cli: '--dpi <n>' },
  {
    name: 'background',
    type: 'string',
    default: 'spec',
    description: 'blue, white, red, dark-blue, light-grey, black, a hex colour, `spec` (its default), or `gradient-top:<colour>` / `gradient-centre:<colour>`',
    cli: '--bg <colour>',
  },
  { name: 'format', type: 'enum', values: PHOTO_FORMATS, default: 'jpeg', description: 'file format of the photo and the sheet', cli: '--format <jpeg|png>' },
  { name: 'maxKb', type: 'number', min: 1, max: 102400, description: "largest file in KB (1024 bytes); JPEG quality is searched to fit (default: the spec's bound)", cli: '--max-kb <n>' },
  { name: 'minKb', type: 'number', min: 1, max: 102400, description: "smallest file in KB (default: the spec's bound)", cli: '--min-kb <n>' },
  { name: 'sheet', type: 'string', description: `a print sheet too: ${SHEETS.map((s) => s.id).join(', ')} (or their aliases: 6-inch, 5-inch, 4r, 3r, ...)`, cli: '--sheet <size>' },
  { name: 'orientation', type: 'enum', values: ['auto', 'portrait', 'landscape'], default: 'auto', description: 'sheet orientation; auto takes the one with more copies', cli: '--orientation <o>' },
  { name: 'gapMm', type: 'number', min: 0, max: 20, default: DEFAULT_GAP_MM, description: 'sheet: space between copies, in mm', cli: '--gap-mm <n>' },
  { name: 'marginMm', type: 'number', min: 0, max: 30, default: DEFAULT_MARGIN_MM, description: "sheet: the paper's margin, in mm", cli: '--margin-mm <n>' },
  { name: 'cutLines', type: 'boolean', default: true, description: 'thin grey cut lines on the sheet', cli: '--no-cut-lines' },
  {
    name: 'pick',
    type: 'enum',
    values: ['single', 'largest'],
    default: 'single',
    description: 'several faces: refuse (MULTIPLE_FACES) or take the largest (other people joined to its outline are cut away)',
    cli: '--pick <single|largest>',
  },
  {
    name: 'engine',
    type: 'enum',
    values: MATTING_ENGINES.map((e) => e.name),
    default: DEFAULT_MATTING_ENGINE,
    description: 'matting engine (GET /api/v1/idphoto/specs lists which are installed)',
    cli: '--engine <name>',
  },
  {
    name: 'foreground',
    type: 'enum',
    values: FOREGROUND_METHODS,
    default: 'blur-fusion',
    description:
      "foreground colour estimation before compositing, then the edge's colours from the person's interior nearby (removes the old background from the hair); none keeps the picture's colours",
    cli: '--foreground <method>',
  },
  { name: 'hires', type: 'boolean', default: false, description: "also a copy at twice the dpi (the JSON answer's `hires`; the CLI writes OUT-hires)", cli: '--hires' },
  {
    name: 'output',
    type: 'enum',
    values: OUTPUTS,
    default: 'photo',
    description: '`cutout`: the cropped person on a transparent background (PNG) instead of the photo',
    cli: '--output <photo|cutout>',
  },
];

export interface IdPhotoOptions {
  readonly spec: IdPhotoSpec;
  readonly dpi: number;
  readonly background: string;
  readonly format: (typeof PHOTO_FORMATS)[number];
  readonly maxKb?: number;
  readonly minKb?: number;
  readonly sheet?: SheetSize;
  readonly orientation?: Orientation;
  readonly gapMm: number;
  readonly marginMm: number;
  readonly cutLines: boolean;
  readonly pick: 'single' | 'largest';
  readonly engine: string;
  readonly foreground: (typeof FOREGROUND_METHODS)[number];
  readonly hires: boolean;
  readonly output: (typeof OUTPUTS)[number];
}

function invalid(option: string, message: string): QrwError {
  return new QrwError('INVALID_OPTION', message, { option });
}

const SPEC_BY_NAME = new Map(IDPHOTO_OPTION_SPECS.map((s) => [s.name, s]));
const blank = (v: unknown): boolean => v === undefined || v === null || v === '';

function read(raw: Readonly<Record<string, unknown>>, name: string): string | number | boolean | undefined {
  const spec = SPEC_BY_NAME.get(name)!;
  const value = raw[name];
  if (blank(value)) return undefined;
  if (typeof value === 'object') throw invalid(name, `${name} must be a single value.`);
  const text = String(value).trim();
  switch (spec.type) {
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      throw invalid(name, `${name} must be true or false.`);
    }
    case 'number': {
      const n = typeof value === 'number' ? value : Number(text);
      if (!Number.isFinite(n) || n < spec.min! || n > spec.max!) throw invalid(name, `${name} must be a number from ${spec.min} to ${spec.max}.`);
      return n;
    }
    case 'enum': {
      const v = text.toLowerCase();
      if (!spec.values!.includes(v)) throw invalid(name, `${name} must be one of: ${spec.values!.join(', ')}.`);
      return v;
    }
    default:
      return text;
  }
}

/** A spec of the user's own size: no head rules beyond the studio's common 50-70 % of the height. */
function customSpec(width: number, height: number, unit: string, dpi: number): IdPhotoSpec {
  if (unit === 'px' && (!Number.isInteger(width) || !Number.isInteger(height))) throw invalid('width', 'Sizes in px must be whole numbers.');
  return {
    id: 'custom',
    name: { en: `Custom ${width}x${height} ${unit}`, zh: `自定义 ${width}x${height} ${unit}` },
    region: 'custom',
    size: unit === 'px' ? { widthPx: width, heightPx: height } : { widthMm: width, heightMm: height },
    dpi,
    head: { fraction: { min: 0.5, max: 0.7 } },
    crown: 'hair',
    backgrounds: ['#ffffff'],
    status: 'convention',
    sources: ['Custom size given by the user; head 50-70 % of the height (the studio convention)'],
  };
}

/** The options from raw values (query string, multipart fields, JSON or CLI flags); a QrwError('INVALID_OPTION') names the first bad one. */
export function parseIdPhotoOptions(raw: Readonly<Record<string, unknown>>): IdPhotoOptions {
  for (const key of Object.keys(raw)) if (!SPEC_BY_NAME.has(key)) throw invalid(key, `Unknown option ${key}; the options are: ${IDPHOTO_OPTION_SPECS.map((s) => s.name).join(', ')}.`);
  const get = <T extends string | number | boolean>(name: string): T | undefined => read(raw, name) as T | undefined;
  const def = <T>(name: string): T => SPEC_BY_NAME.get(name)!.default as T;
  const specId = get<string>('spec') ?? def<string>('spec');
  const dpiOption = get<number>('dpi');
  let spec: IdPhotoSpec;
  if (specId.toLowerCase() === 'custom') {
    const width = get<number>('width');
    const height = get<number>('height');
    if (width === undefined || height === undefined) throw invalid(width === undefined ? 'width' : 'height', 'A custom spec needs width and height (and unit, dpi).');
    spec = customSpec(width, height, get<string>('unit') ?? def<string>('unit'), dpiOption ?? 300);
  } else {
    const stray = (['width', 'height', 'unit'] as const).find((name) => !blank(raw[name]));
    if (stray) throw invalid(stray, `${stray} applies to spec=custom only (the spec ${specId} has its own size).`);
    const found = findSpec(specId);
    if (!found)
      throw invalid(
        'spec',
        `Unknown spec ${specId}; GET /api/v1/idphoto/specs lists them (e.g. ${SPECS.slice(0, 4)
          .map((s) => s.id)
          .join(', ')}).`,
      );
    spec = found;
  }
  const sheetName = get<string>('sheet');
  const sheet = sheetName === undefined || sheetName === 'none' ? undefined : findSheet(sheetName);
  if (sheetName !== undefined && sheetName !== 'none' && !sheet) throw invalid('sheet', `Unknown sheet ${sheetName}; one of: ${SHEETS.map((s) => [s.id, ...s.aliases].join(', ')).join('; ')}.`);
  const orientation = get<string>('orientation') ?? 'auto';
  const maxKb = get<number>('maxKb') ?? spec.fileKb?.max;
  const minKb = get<number>('minKb') ?? (spec.fileKb?.min || undefined);
  if (maxKb !== undefined && minKb !== undefined && minKb > maxKb) throw invalid('minKb', `minKb (${minKb}) is over maxKb (${maxKb}).`);
  return {
    spec,
    dpi: dpiOption ?? spec.dpi,
    background: get<string>('background') ?? def<string>('background'),
    format: get<IdPhotoOptions['format']>('format') ?? 'jpeg',
    ...(maxKb !== undefined && { maxKb }),
    ...(minKb !== undefined && { minKb }),
    ...(sheet && { sheet }),
    ...(orientation !== 'auto' && { orientation: orientation as Orientation }),
    gapMm: get<number>('gapMm') ?? DEFAULT_GAP_MM,
    marginMm: get<number>('marginMm') ?? DEFAULT_MARGIN_MM,
    cutLines: get<boolean>('cutLines') ?? true,
    pick: get<IdPhotoOptions['pick']>('pick') ?? 'single',
    engine: get<string>('engine') ?? def<string>('engine'),
    foreground: get<IdPhotoOptions['foreground']>('foreground') ?? 'blur-fusion',
    hires: get<boolean>('hires') ?? false,
    output: get<IdPhotoOptions['output']>('output') ?? 'photo',
  };
}
