/**
 * The last stage of the cascade: symbols zxing located but could not read, and symbols located
 * from our own finder patterns, re-sampled and read again (regrid, erasures, deblur).
 */
import type { ZXingReaderModule, ZXingReadResult } from 'zxing-wasm/reader';
import { sameSymbol, scaleQuad, type Quad } from '../geometry.js';
import type { Luminance } from '../luminance.js';
import { toCode } from '../reader/codes.js';
import { readLuminance } from '../reader/zxing.js';
import type { DecodedCode } from '../result.js';
import { deblurCentres } from './deblur.js';
import { correctSymbol, type SampledModules } from './erasure.js';
import { findFinderPatterns, symbolsFromThree, symbolsFromTwo } from './finders.js';
import { functionPatternScore } from './grid-fit.js';
import { drawSymbol, sampleModules, thresholdModules, type SampledSymbol } from './regrid.js';

/** At most this many located-but-unreadable symbols are re-read per image: one that is only noise still costs a full re-read, mostly the warped-grid refinement and more at higher versions (see docs/design/recognition.md). */
const MAX_REGRID_CANDIDATES = 3;

export interface Located {
  readonly lum: Luminance;
  /** Corners in `lum`'s coordinates. */
  readonly position: Quad;
  readonly size: number;
}

/** Finder patterns looked at for pairs: the best-supported ones. */
const OWN_FINDERS = 6;
/** Guesses kept, best fit first: each costs a re-read (see MAX_REGRID_CANDIDATES). */
const OWN_GUESSES = 2;

/**
 * Symbols located from finder patterns we find ourselves: every three that
 * make a symbol, and every two with the third hidden (several guesses each),
 * at the estimated size and the versions either side; the guesses whose
 * function patterns fit best as they stand.
 */
export function ownLocated(lum: Luminance): Located[] {
  const finders = findFinderPatterns(lum).slice(0, OWN_FINDERS);
  const guesses = symbolsFromThree(finders).slice(0, 4);
  for (let i = 0; i < finders.length; i++) for (let j = i + 1; j < finders.length; j++) guesses.push(...symbolsFromTwo(finders[i]!, finders[j]!));
  return guesses
    .flatMap((g) => [g.size - 4, g.size, g.size + 4].map((size) => ({ lum, position: g.position, size, score: functionPatternScore(lum, g.position, size) })))
    .filter((g) => g.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, OWN_GUESSES)
    .map(({ lum, position, size }) => ({ lum, position, size }));
}

/** QR model 2 symbols only ("1".."40"): the regrid knows their layout; Micro QR and rMQR versions are "M…"/"R…". */
export function locatedSymbols(found: readonly ZXingReadResult[], lum: Luminance): Located[] {
  return found.filter((r) => r.error && r.format === 'QRCode' && /^\d+$/.test(r.version)).map((r) => ({ lum, position: r.position, size: 17 + 4 * Number(r.version) }));
}

/** Reads modules (1 = dark) drawn as a clean, pure symbol. */
function readClean(reader: ZXingReaderModule, dark: Uint8Array, size: number): ZXingReadResult | undefined {
  const clean = drawSymbol(dark, size);
  return readLuminance(reader, clean.data, clean.width, clean.height, { formats: ['QRCode'], isPure: true, tryHarder: false, tryRotate: false, tryInvert: false, tryDownscale: false })[0];
}

function readCorrected(reader: ZXingReaderModule, sampled: SampledModules): ZXingReadResult | undefined {
  const corrected = correctSymbol(sampled);
  return corrected && readClean(reader, corrected, sampled.size);
}

/** Blur widths (Gaussian sigma, in modules) tried on the module grid, from a soft focus to a smear over a module and a half. */
const DEBLUR_SIGMAS = [0.4, 0.55, 0.7];

function readDeblurred(reader: ZXingReaderModule, sampled: SampledSymbol): ZXingReadResult | undefined {
  for (const sigma of DEBLUR_SIGMAS) {
    const modules = thresholdModules(deblurCentres(sampled.centres, sampled.size, sigma), sampled.size);
    const result = readClean(reader, modules.dark, sampled.size) ?? readCorrected(reader, modules);
    if (result) return result;
  }
  return undefined;
}

/**
 * Last resort for symbols zxing located but could not read: each one that no
 * code read so far explains is re-sampled from its own modules (corners fitted
 * to its function patterns, then a grid warped for curved and wrinkled prints,
 * see regrid.ts), read as a clean, pure symbol, with erasures where the sampling
 * was unsure (erasure.ts) and with a blur undone (deblur.ts); error correction
 * decides whether a re-sampling is right. Returns the codes read, in image coordinates.
 */
export function regridRead(reader: ZXingReaderModule, located: readonly Located[], guessed: readonly Located[], imageWidth: number, known: readonly DecodedCode[]): DecodedCode[] {
  const read: DecodedCode[] = [];
  const unexplained = (symbol: Located): boolean => !known.concat(read).some((c) => sameSymbol(scaleQuad(symbol.position, imageWidth / symbol.lum.width), c.position));
  for (const symbol of [...located.filter(unexplained).slice(0, MAX_REGRID_CANDIDATES), ...guessed]) {
    // Two passes often locate the same symbol: once one of them is read, the other is skipped.
    if (!unexplained(symbol)) continue;
    let level = 0;
    for (const sampled of sampleModules(symbol.lum, symbol.position, symbol.size)) {
      // As sampled first; then with the blocks corrected by erasures where the sampling was unsure (glare, blotches);
      // then, on the coarsest grid only (the finer ones chase the bimodal values a blur does not have), with a blur undone.
      const result = readClean(reader, sampled.dark, symbol.size) ?? readCorrected(reader, sampled) ?? (level++ === 0 ? readDeblurred(reader, sampled) : undefined);
      if (result) {
        // The clean symbol's corners mean nothing to the caller: report where the symbol is in the image.
        read.push(toCode({ ...result, position: symbol.position }, imageWidth / symbol.lum.width));
        break;
      }
    }
  }
  return read;
}
