/**
 * The work each request did for its key: codes generated, images decoded, ID photos made. The request's
 * counters travel with its async context (AsyncLocalStorage), so the engines count without knowing about
 * requests or keys; work outside a keyed request (jobs run later, the CLI) is counted nowhere.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IdPhotoOutcomeListener } from '../app/idphoto.js';
import type { QrEngine } from '../app/qr-engine.js';
import type { CacheTier } from '../app/image-cache.js';

export type Work = 'codes' | 'decoded' | 'idphotos';
export const WORKS: readonly Work[] = ['codes', 'decoded', 'idphotos'];

export type WorkCounts = Record<Work, number>;

const scope = new AsyncLocalStorage<WorkCounts>();

export const emptyWork = (): WorkCounts => ({ codes: 0, decoded: 0, idphotos: 0 });

/** Runs `fn` (the rest of a request) with `counts` as the place its work is counted. */
export function withWorkCounts<T>(counts: WorkCounts, fn: () => T): T {
  return scope.run(counts, fn);
}

function countWork(work: Work, n = 1): void {
  const counts = scope.getStore();
  if (counts) counts[work] += n;
}

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
