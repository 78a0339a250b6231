/**
 * The recognition cascade: the passes a picture is read with, cheapest first, then the re-read of
 * what was located but not read. Most pictures pay for the first pass only.
 */
import type { ZXingReaderModule, ZXingReadResult } from 'zxing-wasm/reader';
import { QrwError } from '../errors.js';
import type { BarcodeFormatName } from './formats.js';
import { sameSymbol, scaleQuad, type Quad } from './geometry.js';
import { openImage } from './input/image.js';
import { openJpeg } from './input/jpeg.js';
import { openPng } from './input/png.js';
import type { Luminance } from './luminance.js';
import { toCode } from './reader/codes.js';
import { readFile, readLuminance, readLuminanceFilled, type ReadPassOptions } from './reader/zxing.js';
import { locatedSymbols, ownLocated, regridRead, type Located } from './recover/reread.js';
import { mergeSequences, type DecodedCode, type DecodeResult } from './result.js';
import { flattenIllumination } from './transform/flatten.js';
import { smooth } from './transform/smooth.js';
import { upscale2x } from './transform/upscale.js';

export interface DecodeOptions {
  readonly formats: readonly BarcodeFormatName[];
  /** Images are first read downscaled to this longest side; full size is tried only when nothing is found. */
  readonly maxSide: number;
  readonly maxPixels: number;
}

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
    const fresh = found
      .filter((r) => !r.error)
      .map((r) => toCode(r, scale))
      .filter((c) => isNew(c.position));
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
