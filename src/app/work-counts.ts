/**
 * The work a request or a job does, counted where it happens: codes generated, images decoded, ID photos
 * made. The counters travel with the async context (AsyncLocalStorage), so the engines count without
 * knowing who asked; work outside any scope is counted nowhere.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type Work = 'codes' | 'decoded' | 'idphotos';
export const WORKS: readonly Work[] = ['codes', 'decoded', 'idphotos'];

export type WorkCounts = Record<Work, number>;

const scope = new AsyncLocalStorage<WorkCounts>();

export const emptyWork = (): WorkCounts => ({ codes: 0, decoded: 0, idphotos: 0 });

/** Runs `fn` with `counts` as the place its work is counted (an inner scope hides an outer one). */
export function withWorkCounts<T>(counts: WorkCounts, fn: () => T): T {
  return scope.run(counts, fn);
}

export function countWork(work: Work, n = 1): void {
  const counts = scope.getStore();
  if (counts) counts[work] += n;
}
