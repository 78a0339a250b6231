/**
 * The engines, wrapped to count what they deliver into the current work scope (app/work-counts.ts): a
 * keyed request's, or a job's, whose counts go to the key that submitted it.
 */
import type { IdPhotoOutcomeListener } from '../app/idphoto.js';
import type { QrEngine } from '../app/qr-engine.js';
import type { CacheTier } from '../app/image-cache.js';
import { countWork } from '../app/work-counts.js';

/** The QR engine, counting what it makes: codes generated (one by one, and the items of a batch that succeeded) and images decoded. */
export function countingQrEngine(engine: QrEngine): QrEngine {
  return {
    generate: async (data, options) => {
      const image = await engine.generate(data, options);
      countWork('codes');
      return image;
    },
    generateMany: async (chunk, signal) => {
      const done = await engine.generateMany(chunk, signal);
      countWork('codes', done.items.filter((item) => !('error' in item)).length);
      return done;
    },
    decode: async (bytes, options, signal) => {
      const result = await engine.decode(bytes, options, signal);
      countWork('decoded');
      return result;
    },
    get saturated() {
      return engine.saturated;
    },
  };
}

/** A generate answered from the cache is a code delivered too (a miss is counted by the engine that makes it). */
export function countingCacheListener(listener: (hit: CacheTier | false) => void): (hit: CacheTier | false) => void {
  return (hit) => {
    listener(hit);
    if (hit) countWork('codes');
  };
}

/** ID photos, crops and cut-outs delivered (made or from the cache). */
export function countingIdPhotoListener(listener: IdPhotoOutcomeListener): IdPhotoOutcomeListener {
  return (work, outcome, seconds) => {
    listener(work, outcome, seconds);
    if (outcome === 'ok') countWork('idphotos');
  };
}
