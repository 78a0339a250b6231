import { contentTypes, type ZXingReaderModule, type ZXingReadResult } from 'zxing-wasm/reader';
import { QrwError } from '../errors.js';
import { openImage, type Luminance } from './input/image.js';
import { openPng } from './input/png.js';
import { openJpeg } from './input/jpeg.js';
import { flattenIllumination } from './transform/flatten.js';
import { smooth } from './transform/smooth.js';
import { upscale2x } from './transform/upscale.js';
import { drawSymbol, sampleModules, thresholdModules, type SampledSymbol } from './recover/regrid.js';
import type { Point, Quad } from './geometry.js';
import { mergeSequences, type DecodedCode, type DecodeResult } from './result.js';
import { deblurCentres } from './recover/deblur.js';
import { correctSymbol, type SampledModules } from './recover/erasure.js';
import { findFinderPatterns, symbolsFromThree, symbolsFromTwo } from './recover/finders.js';
import { functionPatternScore } from './recover/grid-fit.js';
import { readFile, readLuminance, readLuminanceFilled, type ReadPassOptions } from './reader/zxing.js';
import type { BarcodeFormatName } from './formats.js';

export interface DecodeOptions {
  readonly formats: readonly BarcodeFormatName[];
  /** Images are first read downscaled to this longest side; full size is tried only when nothing is found. */
  readonly maxSide: number;
  readonly maxPixels: number;
}

export type { Point } from './geometry.js';
export { mergeSequences, type DecodedCode, type DecodeResult, type MergedSequence } from './result.js';

interface Pass {
  readonly name: string;
  /**
   * 'first': the configured maximum side, cheap luma; 'high': the original size
   * up to three times that side, else twice that side, cheap luma, only for
   * pictures over twice the configured side; 'retry': the configured side,
   * colorimetric luma; 'full': the original size, colorimetric luma.
   */
  readonly size: 'first' | 'high' | 'retry' | 'full';
  readonly options: Omit<ReadPassOptions, 'formats'>;
  /** Read the luminance smoothed (smooth.ts), divided by the light falling on it (flatten.ts) or at twice its resolution (upscale.ts). */
  readonly transform?: 'smooth' | 'flatten' | 'upscale';
  /** Also collect QR symbols that were located but failed error correction, for the regrid stage. */
  readonly locate?: boolean;
}

/**
 * Cheapest first; later passes run only when the earlier ones found nothing or
 * the picture evidently holds more codes (see decodeImage), so images with a
 * clear code pay for one pass only.
 */
const CASCADE: readonly Pass[] = [
  // returnErrors: a symbol located but not read beside the codes that were read means the picture holds more than this pass got.
  { name: 'fast', size: 'first', options: { tryHarder: true, tryRotate: true, tryInvert: false, tryDownscale: false, returnErrors: true } },
  // A small code in a large photo (8-48 MP) has too few pixels a module at the first size: read at a higher
  // resolution before the retry passes (which fix contrast, not resolution), and a 12-48 MP photo at 2x, not in full.
  { name: 'high-res', size: 'high', options: { tryHarder: true, tryRotate: true, tryInvert: false, tryDownscale: false, returnErrors: true } },
  { name: 'invert-downscale', size: 'retry', locate: true, options: { tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, tryDenoise: true, returnErrors: true } },
  // A global threshold reads codes under uneven local contrast that the local-average binarizer breaks up.
  { name: 'global-histogram', size: 'retry', locate: true, options: { tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, binarizer: 'GlobalHistogram', returnErrors: true } },
  // Texture inside the modules (an embedded picture, halftone, noise) splits them under any threshold until it is smoothed away.
  { name: 'smoothed-global-histogram', size: 'retry', transform: 'smooth', options: { tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, binarizer: 'GlobalHistogram' } },
  // A hard shadow edge across the code: every local threshold smears it over several modules.
  { name: 'flattened', size: 'retry', transform: 'flatten', locate: true, options: { tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, returnErrors: true } },
  // Modules under 2 px (a small code in a small picture): read at twice the resolution. Pictures that were downscaled get the full-size pass instead.
  { name: 'upscaled', size: 'retry', transform: 'upscale', locate: true, options: { tryHarder: true, tryRotate: false, tryInvert: false, tryDownscale: false, returnErrors: true } },
  // Located symbols feed the regrid here too: a small code read at full size is often blurred over its 2-3 px modules.
  { name: 'full-size', size: 'full', locate: true, options: { tryHarder: true, tryRotate: true, tryInvert: true, tryDownscale: true, returnErrors: true } },
];

/** At most this many located-but-unreadable symbols are re-read per image: one that is noise costs ~35 ms at version 3, ~55 at 10, ~150 at 25, ~200 at 40 (mostly the warped-grid refinement). */
const MAX_REGRID_CANDIDATES = 3;

interface Located {
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
function ownLocated(lum: Luminance): Located[] {
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
function locatedSymbols(found: readonly ZXingReadResult[], lum: Luminance): Located[] {
  return found
    .filter((r) => r.error && r.format === 'QRCode' && /^\d+$/.test(r.version))
    .map((r) => ({ lum, position: r.position, size: 17 + 4 * Number(r.version) }));
}

function scaleQuad(q: Quad, scale: number): Quad {
  const p = (v: Point): Point => ({ x: Math.round(v.x * scale), y: Math.round(v.y * scale) });
  return { topLeft: p(q.topLeft), topRight: p(q.topRight), bottomRight: p(q.bottomRight), bottomLeft: p(q.bottomLeft) };
}

/** Whether the centre of `q` lies in the box around `other`: the same symbol, found again by another pass. */
function sameSymbol(q: Quad, other: Quad): boolean {
  const corners = [q.topLeft, q.topRight, q.bottomRight, q.bottomLeft];
  const cx = corners.reduce((sum, v) => sum + v.x, 0) / 4;
  const cy = corners.reduce((sum, v) => sum + v.y, 0) / 4;
  const xs = [other.topLeft.x, other.topRight.x, other.bottomRight.x, other.bottomLeft.x];
  const ys = [other.topLeft.y, other.topRight.y, other.bottomRight.y, other.bottomLeft.y];
  return cx >= Math.min(...xs) && cx <= Math.max(...xs) && cy >= Math.min(...ys) && cy <= Math.max(...ys);
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
function regridRead(reader: ZXingReaderModule, located: readonly Located[], guessed: readonly Located[], imageWidth: number, known: readonly DecodedCode[]): DecodedCode[] {
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

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** A reader result as the API reports it, its corners scaled back to the uploaded image's size. */
export function toCode(r: ZXingReadResult, scale: number): DecodedCode {
  const contentType: string = contentTypes[r.contentType] ?? 'Text';
  const binary = contentType === 'Binary' || contentType === 'Mixed';
  return {
    text: r.text,
    format: r.format,
    position: scaleQuad(r.position, scale),
    contentType,
    ...(binary ? { bytes: toBase64(r.bytes) } : {}),
    ...(r.ecLevel ? { ecLevel: r.ecLevel } : {}),
    ...(r.version ? { version: r.version } : {}),
    hasEci: r.hasECI,
    orientation: r.rotation,
    inverted: r.isInverted,
    mirrored: r.isMirrored,
    ...(r.sequenceSize > 1 ? { sequence: { index: r.sequenceIndex, size: r.sequenceSize, id: r.sequenceId } } : {}),
  };
}

/** The flattening window: 7 % of the picture's longer side, several modules of any code that is not the whole picture. */
const FLATTEN_RADIUS = 0.035;

function transformed(lum: Luminance, transform: Pass['transform']): Luminance {
  if (transform === 'upscale') return upscale2x(lum);
  if (transform === 'smooth') return smooth(lum);
  if (transform === 'flatten') return flattenIllumination(lum, Math.max(2, Math.round(FLATTEN_RADIUS * Math.max(lum.width, lum.height))));
  return lum;
}

export async function decodeImage(reader: ZXingReaderModule, bytes: Uint8Array, options: DecodeOptions): Promise<DecodeResult> {
  const source = await openImage(bytes, { maxPixels: options.maxPixels });
  const longSide = Math.max(source.width, source.height);
  const downscaled = longSide > options.maxSide;
  const decoded = new Map<Pass['size'], Luminance>();
  const luminance = async (size: Pass['size']): Promise<Luminance> => {
    // The first pass reads the cheap luma; the retry passes were tuned on libvips' colorimetric one.
    const side = size === 'full' || (size === 'high' && longSide <= 3 * options.maxSide) ? undefined : size === 'high' ? 2 * options.maxSide : options.maxSide;
    if (!decoded.has(size)) decoded.set(size, await source.luminance(side, size === 'first' || size === 'high' ? 'fast' : 'colorimetric'));
    return decoded.get(size)!;
  };
  const located: Located[] = [];
  const codes: DecodedCode[] = [];
  const passes: string[] = [];
  const isNew = (q: Quad): boolean => !codes.some((c) => sameSymbol(q, c.position));
  for (const pass of CASCADE) {
    if (pass.size === 'full' && !downscaled) continue;
    if (pass.transform === 'upscale' && downscaled) continue;
    // Up to twice the first size, the first pass lost little resolution; the full-size pass at the end remains.
    if (pass.size === 'high' && longSide <= 2 * options.maxSide) continue;
    const passOptions = { ...pass.options, formats: options.formats };
    let found: ZXingReadResult[];
    let scale = 1;
    if (pass.size === 'first' && !downscaled && source.plainFile) {
      // The same luma as the sharp path would give, without a libvips round trip, written straight into the reader's
      // memory: common PNGs decode faster here than in zxing, and JPEGs too with the native decoder; else zxing reads the file.
      const file = source.format === 'png' ? openPng(bytes, options.maxPixels) : openJpeg(bytes, source.width, source.height);
      found = (file && readLuminanceFilled(reader, file.width, file.height, file.decodeInto, passOptions)) ?? readFile(reader, bytes, passOptions);
    } else {
      const lum = transformed(await luminance(pass.size), pass.transform);
      found = readLuminance(reader, lum.data, lum.width, lum.height, passOptions);
      scale = source.width / lum.width;
      if (pass.locate) located.push(...locatedSymbols(found, lum));
    }
    const fresh = found.filter((r) => !r.error).map((r) => toCode(r, scale)).filter((c) => isNew(c.position));
    if (fresh.length > 0) {
      codes.push(...fresh);
      passes.push(pass.name);
    }
    // One code and nothing else located: done, the common case, after one pass. Several codes, or a
    // located symbol that none of them explains, mean a picture of many codes: the later passes look
    // for the ones this pass missed (smaller, fainter, inverted; the high-res and full-size passes for small ones).
    const unexplained = found.some((r) => r.error && isNew(scaleQuad(r.position, scale)));
    if (codes.length === 1 && !unexplained) break;
  }
  if (options.formats.includes('QRCode')) {
    // Nothing read at all: our own locator's guesses too, from finder patterns (finders.ts).
    const guessed = codes.length === 0 ? ownLocated(await luminance('retry')) : [];
    const regridded = regridRead(reader, located, guessed, source.width, codes);
    if (regridded.length > 0) {
      codes.push(...regridded);
      passes.push('regrid');
    }
  }
  if (codes.length === 0 && source.damaged) {
    // A damaged image is only worth a 200 when the part that could be read held a code.
    throw new QrwError('CORRUPT_IMAGE', 'The image data is damaged (for example truncated), and no code could be read from the part that was readable.');
  }
  return { codes, sequences: mergeSequences(codes), width: source.width, height: source.height, imageFormat: source.format, damaged: source.damaged, pass: passes.join('+') || 'none' };
}
