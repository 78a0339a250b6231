import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { GeneratedImage } from '../qr/generate.js';

export type CacheTier = 'local' | 'shared';

/**
 * What an entry costs beyond its image and key (the entry's objects on the heap, the image's own
 * ArrayBuffer and allocation), so that the cache's bound is what it holds in memory: see docs/design/memory.md.
 */
const ENTRY_OVERHEAD_BYTES = 1536;

/**
 * Generated images by content hash: an in-process LRU bounded in bytes (not entries: a 4096 px PNG and a
 * 21-module SVG differ 1000x), backed by Redis when configured so every replica sees what one generated.
 */
export class ImageCache {
  private readonly lru: LRUCache<string, GeneratedImage> | undefined;

  constructor(
    maxBytes: number,
    private readonly shared?: { readonly redis: Redis; readonly prefix: string; readonly ttlSeconds: number },
  ) {
    this.lru = maxBytes > 0 ? new LRUCache<string, GeneratedImage>({ maxSize: maxBytes, sizeCalculation: (v, k) => v.body.byteLength + k.length + ENTRY_OVERHEAD_BYTES }) : undefined;
  }

  /** A Redis failure is a miss: the caller generates instead (the cheaper outcome than waiting). */
  async get(key: string): Promise<{ image: GeneratedImage; tier: CacheTier } | undefined> {
    const local = this.lru?.get(key);
    if (local) return { image: local, tier: 'local' };
    if (!this.shared || this.shared.redis.status !== 'ready') return undefined;
    const stored = await this.shared.redis.getBuffer(this.shared.prefix + key).catch(() => null);
    const image = stored ? unpack(stored) : undefined;
    if (!image) return undefined;
    this.remember(key, image);
    return { image, tier: 'shared' };
  }

  set(key: string, value: GeneratedImage): void {
    this.remember(key, value);
    if (this.shared?.redis.status === 'ready') {
      // Not awaited: the response does not wait for the shared copy, and a failed write only costs a later miss.
      this.shared.redis.set(this.shared.prefix + key, pack(value), 'EX', this.shared.ttlSeconds).catch(() => undefined);
    }
  }

  private remember(key: string, value: GeneratedImage): void {
    // lru-cache refuses entries larger than maxSize itself; that is the right outcome here.
    if (this.lru && value.body.byteLength < this.lru.maxSize) this.lru.set(key, value);
  }

  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
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
