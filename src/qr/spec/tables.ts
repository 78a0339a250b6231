/**
 * The numbers of ISO/IEC 18004 that the encoder and the recovery stages share, read from
 * node-qrcode's tables (the one place that imports its internals, with symbol.ts and galois.ts).
 */
import { getTotalCodewordsCount, getBlocksCount } from 'qrcode/lib/core/error-correction-code.js';
import { H, L, M, Q } from 'qrcode/lib/core/error-correction-level.js';
import { getEncodedBits } from 'qrcode/lib/core/format-info.js';
import { getSymbolTotalCodewords } from 'qrcode/lib/core/utils.js';

export const EC_LEVELS = ['L', 'M', 'Q', 'H'] as const;
export type EcLevel = (typeof EC_LEVELS)[number];

/** Share of the symbol each level can restore (ISO/IEC 18004 table 13, approximate). */
export const EC_RECOVERY: Readonly<Record<EcLevel, string>> = { L: '7%', M: '15%', Q: '25%', H: '30%' };

export const MIN_VERSION = 1;
export const MAX_VERSION = 40;
export const MASK_COUNT = 8;

/** node-qrcode compares its level objects by identity. */
export const LEVEL_OBJECTS = { L, M, Q, H } as const;

/** Codewords (data and check) a symbol of `version` holds. */
export function totalCodewords(version: number): number {
  return getSymbolTotalCodewords(version);
}

/** Check codewords, all blocks together. */
export function ecCodewords(version: number, ec: EcLevel): number {
  return getTotalCodewordsCount(version, LEVEL_OBJECTS[ec]);
}

/** Reed-Solomon blocks the codewords are split into. */
export function ecBlocks(version: number, ec: EcLevel): number {
  return getBlocksCount(version, LEVEL_OBJECTS[ec]);
}

/** Data bits a symbol of `version` holds at error correction level `ec`. */
export function dataCapacityBits(version: number, ec: EcLevel): number {
  return (totalCodewords(version) - ecCodewords(version, ec)) * 8;
}

/** The 15 format bits (BCH-coded and masked) for a level and a mask pattern. */
export function formatBits(ec: EcLevel, mask: number): number {
  return getEncodedBits(LEVEL_OBJECTS[ec], mask);
}
