/** Whole symbols from node-qrcode's builder: the encoder's, and the function patterns the recovery stages compare against. */
import { getCharCountIndicator } from 'qrcode/lib/core/mode.js';
import { create, type QrSegmentInput, type QrSymbol } from 'qrcode/lib/core/qrcode.js';
import type { EcLevel } from './tables.js';

export type { QrSegmentInput } from 'qrcode/lib/core/qrcode.js';

export interface BuiltSymbol {
  readonly version: number;
  readonly size: number;
  /** 1 = dark, row-major. */
  readonly modules: Uint8Array;
  /** 1 where a module belongs to a function pattern or the format/version areas. */
  readonly reserved: Uint8Array;
  /** Bits the segments take, mode and length headers included. */
  readonly usedBits: number;
}

/** Builds a masked symbol; throws node-qrcode's own error when the data does not fit. */
export function buildSymbol(segments: QrSegmentInput[], options: { ec: EcLevel; version?: number | undefined; mask: number }): BuiltSymbol {
  const symbol: QrSymbol = create(segments, { errorCorrectionLevel: options.ec, version: options.version, maskPattern: options.mask });
  const { size, data, reservedBit } = symbol.modules;
  const usedBits = symbol.segments.reduce((sum, s) => sum + 4 + getCharCountIndicator(s.mode, symbol.version) + s.getBitsLength(), 0);
  return { version: symbol.version, size, modules: data, reserved: reservedBit, usedBits };
}

const templates = new Map<string, BuiltSymbol>();

/**
 * A symbol of `version` whose data is blank: its function patterns, and the format and version
 * information of `ec` and `mask`, are as in every symbol of that kind. Shared; do not modify.
 */
export function functionPatterns(version: number, ec: EcLevel = 'L', mask = 0): BuiltSymbol {
  const key = `${version}${ec}${mask}`;
  let template = templates.get(key);
  if (!template) {
    template = buildSymbol([{ data: '0', mode: 'numeric' }], { ec, version, mask });
    templates.set(key, template);
  }
  return template;
}
