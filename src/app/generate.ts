import { createHash } from 'node:crypto';
import { generateQr } from '../qr/generate.js';
import { canonicalOptions, type GenerateOptions } from '../qr/options.js';
import { nodeDeflate } from '../platform/deflate.js';
import type { WorkerPool } from '../workers/pool.js';
import type { CacheTier, CachedImage, ImageCache } from './image-cache.js';
import type { Metrics } from '../platform/metrics.js';

export interface GenerateRequest {
  readonly data: string | Uint8Array;
  readonly options: GenerateOptions;
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

export class Generator {
  constructor(
    private readonly pool: WorkerPool,
    private readonly cache: ImageCache,
    private readonly metrics: Metrics,
  ) {}

  async generate(req: GenerateRequest, etag: string): Promise<CachedImage & { cached: CacheTier | false }> {
    const hit = await this.cache.get(etag);
    this.metrics.cache.inc(hit ? { result: 'hit', tier: hit.tier } : { result: 'miss', tier: 'none' });
    if (hit) return { ...hit.image, cached: hit.tier };
    // In the pool, even small symbols: generating them on the event loop while the threads were busy
    // gave 1296 instead of 1768 cache-miss generates/s (bench/results/2026-11-21-09-54 vs -09-55).
    // Only when the queue is full (a burst) is a small one done here instead of refused; a large one
    // would stall every other request, so it still gets the pool's 503.
    const image = this.pool.full && isSmall(req) ? generateQr(req.data, req.options, nodeDeflate) : await this.pool.run({ kind: 'generate', data: req.data, options: req.options });
    const value: CachedImage = { body: image.body, contentType: image.contentType, symbol: image.symbol };
    this.cache.set(etag, value);
    return { ...value, cached: false };
  }
}
