/** The decode use cases: one image, or several with structured-append sequences merged across them. */
import { errorInfo, isQrwError, type ErrorInfo } from '../errors.js';
import { mergeSequences, parseFormats, type DecodeResult, type MergedSequence } from '../recognise/index.js';
import type { NamedImage } from '../batch/zip-reader.js';
import type { Config } from '../platform/config.js';
import type { QrEngine } from './qr-engine.js';

export interface DecodeLimits {
  readonly maxSide: number;
  readonly maxPixels: number;
}

/** The limits every decode runs under, from the settings. */
export function decodeLimits(config: Pick<Config, 'decodeMaxSide' | 'maxImagePixels'>): DecodeLimits {
  return { maxSide: config.decodeMaxSide, maxPixels: config.maxImagePixels };
}

export type DecodeOutcome = 'found' | 'none' | 'error' | 'abandoned';

/** A decode as clients see it: the texts first, then everything the reader knows. */
export type DecodeAnswer = { readonly texts: string[] } & DecodeResult;

export interface DecodeUpload {
  readonly bytes: Uint8Array;
  /** As the client sent it: a list, a comma-separated string or undefined. */
  readonly formats: unknown;
}

export type { NamedImage };

export type BatchEntry = ({ readonly file: string } & DecodeResult) | { readonly file: string; readonly error: ErrorInfo };

export interface BatchAnswer {
  readonly texts: string[];
  /** Sequences merged from the parts found in all the images. */
  readonly sequences: MergedSequence[];
  readonly results: BatchEntry[];
}

export class DecodeService {
  constructor(
    private readonly engine: QrEngine,
    private readonly limits: DecodeLimits,
    private readonly onOutcome: (outcome: DecodeOutcome) => void = () => undefined,
  ) {}

  /** An image and `formats` as the client sent them, or their reading still under way (a failure to read counts as this decode's error). */
  async decode(upload: DecodeUpload | Promise<DecodeUpload>, signal?: AbortSignal): Promise<DecodeAnswer> {
    try {
      const { bytes, formats } = await upload;
      const result = await this.engine.decode(bytes, { formats: parseFormats(formats), ...this.limits }, signal);
      this.onOutcome(result.codes.length ? 'found' : 'none');
      return { texts: result.codes.map((c) => c.text), ...result };
    } catch (err) {
      this.onOutcome(isQrwError(err) && err.code === 'CLIENT_CLOSED' ? 'abandoned' : 'error');
      throw err;
    }
  }

  /** Every image is read; one that cannot be gets an error entry and does not fail the others. */
  async decodeMany(images: readonly NamedImage[], formats: unknown, signal?: AbortSignal): Promise<BatchAnswer> {
    const options = { formats: parseFormats(formats), ...this.limits };
    const settled = await Promise.allSettled(images.map((image) => this.engine.decode(image.bytes, options, signal)));
    const results = settled.map((outcome, i): BatchEntry => {
      const file = images[i]!.name;
      if (outcome.status === 'fulfilled') {
        this.onOutcome(outcome.value.codes.length ? 'found' : 'none');
        return { file, ...outcome.value };
      }
      this.onOutcome('error');
      return { file, error: errorInfo(outcome.reason) };
    });
    const codes = results.flatMap((r) => ('codes' in r ? r.codes : []));
    return { texts: codes.map((c) => c.text), sequences: mergeSequences(codes), results };
  }
}

/** Sequences whose parts are spread over several results, none of them complete within one. */
export function sequencesAcross(results: readonly DecodeResult[]): MergedSequence[] {
  const withinOne = new Set(results.flatMap((r) => r.sequences.map((q) => q.id)));
  return mergeSequences(results.flatMap((r) => r.codes)).filter((q) => !withinOne.has(q.id));
}
