import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ImageCache } from '../../../src/app/image-cache.js';

const key = (i: number): string => createHash('sha256').update(`text ${i}`).digest('hex');
const image = (i: number) => ({
  body: new Uint8Array(1200).fill(i),
  contentType: 'image/png',
  symbol: { version: 5, ec: 'H', mask: 0, modules: 37, pixels: 450, dataBytes: 50, usedBits: 400, capacityBits: 500 },
});

describe('ImageCache', () => {
  it('bounds what it holds in memory: each entry counts its bookkeeping (~1.5 KB), not only the image and key', async () => {
    // Room for five 1200-byte images with their keys and bookkeeping; counting image + key alone, all ten would fit.
    const cache = new ImageCache(5 * (1200 + 64 + 1536));
    for (let i = 0; i < 10; i++) cache.set(key(i), image(i));
    expect(cache.bytes).toBeLessThanOrEqual(5 * (1200 + 64 + 1536));
    const held = [];
    for (let i = 0; i < 10; i++) if (await cache.get(key(i))) held.push(i);
    expect(held).toEqual([5, 6, 7, 8, 9]); // the least recently used went first
  });

  it('holds nothing when its size is 0', async () => {
    const cache = new ImageCache(0);
    cache.set(key(1), image(1));
    expect(await cache.get(key(1))).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
