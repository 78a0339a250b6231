import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { GeneratedImage } from '../qr/generate.js';

export type CacheTier = 'local' | 'shared';

/**
 * What an entry costs beyond its image and key (the entry's objects on the heap, the image's own
 * ArrayBuffer and allocation), so that the cache's bound is what it holds in memory: see docs/design/memory.md.
 */
const ENTRY_OVERHEAD_BYTES = 1536;

/** How a cached value is sized, and packed for Redis and back (undefined: a foreign or truncated value, a miss). */
export interface CacheCodec<T> {
  bytes(value: T): number;
  pack(value: T): Buffer;
  unpack(stored: Buffer): T | undefined;
}

/**
 * Results by content hash: an in-process LRU bounded in bytes (not entries: a 4096 px PNG and a
 * 21-module SVG differ 1000x), optionally expiring, backed by Redis when configured so every replica
 * sees what one made.
 */
export class ResultCache<T extends object> {
  private readonly lru: LRUCache<string, T> | undefined;

  constructor(
    maxBytes: number,
    private readonly codec: CacheCodec<T>,
    private readonly shared?: { readonly redis: Redis; readonly prefix: string; readonly ttlSeconds: number },
    /** Entries are forgotten this long after they were stored (0: kept until evicted). */
    ttlSeconds = 0,
  ) {
    this.lru =
      maxBytes > 0
        ? new LRUCache<string, T>({
            maxSize: maxBytes,
            sizeCalculation: (v, k) => codec.bytes(v) + k.length + ENTRY_OVERHEAD_BYTES,
            ...(ttlSeconds > 0 && { ttl: ttlSeconds * 1000, ttlAutopurge: true }),
          })
        : undefined;
  }

  /** A Redis failure is a miss: the caller makes the result instead (the cheaper outcome than waiting). */
  async get(key: string): Promise<{ value: T; tier: CacheTier } | undefined> {
    const local = this.lru?.get(key);
    if (local) return { value: local, tier: 'local' };
    if (!this.shared || this.shared.redis.status !== 'ready') return undefined;
    const stored = await this.shared.redis.getBuffer(this.shared.prefix + key).catch(() => null);
    const value = stored ? this.codec.unpack(stored) : undefined;
    if (!value) return undefined;
    this.remember(key, value);
    return { value, tier: 'shared' };
  }

  set(key: string, value: T): void {
    this.remember(key, value);
    if (this.shared?.redis.status === 'ready') {
      // Not awaited: the response does not wait for the shared copy, and a failed write only costs a later miss.
      this.shared.redis.set(this.shared.prefix + key, this.codec.pack(value), 'EX', this.shared.ttlSeconds).catch(() => undefined);
    }
  }

  private remember(key: string, value: T): void {
    // lru-cache refuses entries larger than maxSize itself; that is the right outcome here.
    if (this.lru && this.codec.bytes(value) < this.lru.maxSize) this.lru.set(key, value);
  }

  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }
}

/** Generated QR images. */
export class ImageCache extends ResultCache<GeneratedImage> {
  constructor(maxBytes: number, shared?: { readonly redis: Redis; readonly prefix: string; readonly ttlSeconds: number }) {
    super(maxBytes, { bytes: (v) => v.body.byteLength, pack, unpack }, shared);
  }
}

/** [u32 length of the JSON head][head: content type + symbol][body]. */
function pack(value: GeneratedImage): Buffer {
  const head = Buffer.from(JSON.stringify({ contentType: value.contentType, symbol: value.symbol }));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return Buffer.concat([length, head, value.body]);
}

function unpack(stored: Buffer): GeneratedImage | undefined {
  try {
    const headLength = stored.readUInt32BE(0);
    const head = JSON.parse(stored.subarray(4, 4 + headLength).toString()) as Omit<GeneratedImage, 'body'>;
    const body = stored.subarray(4 + headLength);
    return { contentType: head.contentType, symbol: head.symbol, body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  } catch {
    return undefined; // a foreign or truncated value under our key: regenerate
  }
}
