import { QrwError } from '../errors.js';

/** Barcode formats a caller may ask for, as zxing-cpp names them. QR only is the default: asking for every format is much slower (see docs/design/recognition.md). */
export const BARCODE_FORMATS = [
  'QRCode',
  'MicroQRCode',
  'RMQRCode',
  'DataMatrix',
  'Aztec',
  'PDF417',
  'MaxiCode',
  'EAN13',
  'EAN8',
  'UPCA',
  'UPCE',
  'Code128',
  'Code39',
  'Code93',
  'Codabar',
  'ITF',
  'DataBar',
  'DataBarExp',
  'DataBarLtd',
  'DXFilmEdge',
] as const;
export type BarcodeFormatName = (typeof BARCODE_FORMATS)[number];

export const DEFAULT_FORMATS: readonly BarcodeFormatName[] = ['QRCode'];

const BY_LOWER = new Map<string, BarcodeFormatName>(BARCODE_FORMATS.map((f) => [f.toLowerCase(), f]));
/** Names for groups of formats. */
export const FORMAT_ALIASES: Readonly<Record<string, readonly BarcodeFormatName[]>> = {
  qr: ['QRCode'],
  all: BARCODE_FORMATS,
  linear: ['EAN13', 'EAN8', 'UPCA', 'UPCE', 'Code128', 'Code39', 'Code93', 'Codabar', 'ITF', 'DataBar', 'DataBarExp', 'DataBarLtd', 'DXFilmEdge'],
  matrix: ['QRCode', 'MicroQRCode', 'RMQRCode', 'DataMatrix', 'Aztec', 'PDF417', 'MaxiCode'],
};

/** Accepts an array or a comma-separated list, case-insensitive, plus the aliases qr, matrix, linear, all. */
export function parseFormats(value: unknown): readonly BarcodeFormatName[] {
  if (value === undefined || value === null || value === '') return DEFAULT_FORMATS;
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
  const out = new Set<BarcodeFormatName>();
  for (const item of items) {
    const key =
      typeof item === 'string'
        ? item
            .trim()
            .toLowerCase()
            .replace(/[\s_-]/g, '')
        : '';
    const found = FORMAT_ALIASES[key] ?? (BY_LOWER.has(key) ? [BY_LOWER.get(key)!] : undefined);
    if (!found) {
      throw new QrwError('INVALID_OPTION', `Unknown barcode format ${JSON.stringify(item)}; use one of ${BARCODE_FORMATS.join(', ')} or qr, matrix, linear, all.`, { option: 'formats' });
    }
    for (const f of found) out.add(f);
  }
  return out.size ? [...out] : DEFAULT_FORMATS;
}
