import { LRUCache } from 'lru-cache';
import type { SymbolInfo } from '../core/generate.js';

export interface CachedImage {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly symbol: SymbolInfo;
}

/** Generated images by content hash, bounded in bytes (not entries: a 4096 px PNG and a 21-module SVG differ 1000x). */
export class ImageCache {
  private readonly lru: LRUCache<string, CachedImage> | undefined;

  constructor(maxBytes: number) {
    this.lru = maxBytes > 0 ? new LRUCache<string, CachedImage>({ maxSize: maxBytes, sizeCalculation: (v, k) => v.body.byteLength + k.length + 128 }) : undefined;
  }

  get(key: string): CachedImage | undefined {
    return this.lru?.get(key);
  }

  set(key: string, value: CachedImage): void {
    // lru-cache refuses entries larger than maxSize itself; that is the right outcome here.
    if (this.lru && value.body.byteLength < this.lru.maxSize) this.lru.set(key, value);
  }

  get bytes(): number {
    return this.lru?.calculatedSize ?? 0;
  }
}
