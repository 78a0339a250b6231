/** The generate use case: validated request -> cache -> the engine -> an image with its symbol's facts. */
import { createHash } from 'node:crypto';
import { QrwError } from '../errors.js';
import { nodeDeflate } from '../platform/deflate.js';
import { generateQr, type GeneratedImage } from '../qr/generate.js';
import { canonicalOptions, parseGenerateOptions, type GenerateOptions, type RawGenerateOptions } from '../qr/options.js';
import type { CacheTier, ImageCache } from './image-cache.js';
import type { QrEngine } from './qr-engine.js';

export interface GenerateRequest {
  readonly data: string | Uint8Array;
  readonly options: GenerateOptions;
}

/** A generate request as it arrives: `text` or base64 `bytes`, and raw options. */
export type GenerateInput = RawGenerateOptions & { text?: string; bytes?: string };

/** Validates an input into a request; throws QrwError (MISSING_TEXT, INVALID_OPTION). */
export function toGenerateRequest(input: GenerateInput): GenerateRequest {
  const { text, bytes, ...raw } = input;
  const options = parseGenerateOptions(raw);
  if (typeof text === 'string' && text.length > 0) return { data: text, options };
  if (typeof bytes === 'string' && bytes.length > 0) {
    const decoded = Buffer.from(bytes, 'base64');
    if (decoded.length === 0) throw new QrwError('INVALID_OPTION', '"bytes" must be base64.', { option: 'bytes' });
    return { data: new Uint8Array(decoded), options };
  }
  throw new QrwError('MISSING_TEXT', 'The request needs a non-empty "text" (or base64 "bytes") to encode.');
}

/** A strong validator: the output is a pure function of the data and the options. */
export function etagFor(req: GenerateRequest): string {
  const hash = createHash('sha256');
  hash.update(canonicalOptions(req.options));
  hash.update(typeof req.data === 'string' ? '\u0000t' : '\u0000b');
  hash.update(req.data);
  return `"${hash.digest('base64url').slice(0, 32)}"`;
}

/** Cheap enough for the event loop (well under a millisecond): a short text and a modest image. */
function isSmall(req: GenerateRequest): boolean {
  const bytes = typeof req.data === 'string' ? Buffer.byteLength(req.data) : req.data.byteLength;
  return bytes <= 256 && (req.options.size ?? req.options.scale * 40) <= 1024;
}

export type GenerateOutcome = GeneratedImage & { readonly cached: CacheTier | false };

export class GenerateService {
  constructor(
    private readonly engine: QrEngine,
    private readonly cache: ImageCache,
    private readonly onLookup: (hit: CacheTier | false) => void = () => undefined,
  ) {}

  async generate(req: GenerateRequest, etag = etagFor(req)): Promise<GenerateOutcome> {
    const hit = await this.cache.get(etag);
    this.onLookup(hit ? hit.tier : false);
    if (hit) return { ...hit.value, cached: hit.tier };
    // Small symbols go to the engine too (the pool is faster under load); only in a burst that fills the
    // queue is a small one made here instead of refused, while a large one still gets SATURATED.
    const image = this.engine.saturated && isSmall(req) ? generateQr(req.data, req.options, nodeDeflate) : await this.engine.generate(req.data, req.options);
    this.cache.set(etag, image);
    return { ...image, cached: false };
  }
}
