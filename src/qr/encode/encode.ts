import { QrwError } from '../../errors.js';
import { buildSymbol, dataCapacityBits, type BuiltSymbol, type EcLevel } from '../spec/index.js';
import { applyBestMask } from './mask.js';
import { segmentsFor } from './segment.js';

/** A QR symbol as a square of modules, 1 = dark, row-major, without quiet zone. */
export interface QrMatrix {
  readonly size: number;
  readonly modules: Uint8Array;
  readonly version: number;
  readonly ec: EcLevel;
  readonly mask: number;
  /** Payload length in bytes as encoded (UTF-8 for text). */
  readonly dataBytes: number;
  /** Bits the encoded segments take (mode and length headers included) and bits the symbol holds at its EC level. */
  readonly usedBits: number;
  readonly capacityBits: number;
}

export interface EncodeOptions {
  readonly ec: EcLevel;
  readonly version?: number | undefined;
  readonly mask?: number | undefined;
}

const utf8 = new TextEncoder();
const MAX_SYMBOL_CHARACTERS = 7089;

/**
 * Text (encoded as UTF-8; digits and upper-case runs get the denser numeric and
 * alphanumeric modes) or raw bytes -> module matrix.
 */
export function encodeQr(data: string | Uint8Array, options: EncodeOptions): QrMatrix {
  if (data.length === 0) throw new QrwError('MISSING_TEXT', 'There is nothing to encode: the text is empty.');
  // No symbol holds more than 7089 characters; refuse early instead of segmenting a huge string.
  if (data.length > MAX_SYMBOL_CHARACTERS) {
    throw new QrwError('QR_DATA_TOO_LONG', `The data (${data.length} characters) is longer than any QR code can hold (7089 digits at most).`, { length: data.length });
  }
  // No segmentation fits: node-qrcode is handed the whole text and says so in its own words (mapped below).
  const input = typeof data === 'string' ? [...(segmentsFor(data, options.ec, options.version) ?? [{ data, mode: 'byte' as const }])] : [{ data, mode: 'byte' as const }];
  let symbol: BuiltSymbol;
  try {
    // Built with mask 0 when none is asked for; applyBestMask then picks the one node-qrcode would, faster.
    symbol = buildSymbol(input, { ec: options.ec, version: options.version, mask: options.mask ?? 0 });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/too big|cannot contain|Minimum version/i.test(message)) {
      const dataBytes = typeof data === 'string' ? utf8.encode(data).length : data.length;
      throw new QrwError(
        'QR_DATA_TOO_LONG',
        options.version
          ? `The data (${dataBytes} bytes) does not fit a version ${options.version} QR code at error correction level ${options.ec}.`
          : `The data (${dataBytes} bytes) is too long for a QR code at error correction level ${options.ec}; shorten it or choose a lower level (L holds the most).`,
        { bytes: dataBytes, ec: options.ec, version: options.version ?? null },
      );
    }
    throw err;
  }
  const { size, modules, reserved } = symbol;
  const mask = options.mask ?? applyBestMask(modules, reserved, size, options.ec, 0);
  return {
    size,
    modules,
    version: symbol.version,
    ec: options.ec,
    mask,
    dataBytes: typeof data === 'string' ? utf8.encode(data).length : data.length,
    usedBits: symbol.usedBits,
    capacityBits: dataCapacityBits(symbol.version, options.ec),
  };
}
