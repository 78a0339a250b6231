/**
 * What every batch run shares, whoever started it (a synchronous request, a job, the CLI): how it
 * reports its progress, how it is stopped, and what it says when it ends.
 */

export interface BatchProgress {
  /** Items finished, with or without an error. */
  readonly done: number;
  /** Of those, the ones that ended with an error (in the manifest or their line). */
  readonly failed: number;
  /** Items in the batch, when known before it ends. */
  readonly total: number | undefined;
}

export interface BatchControl {
  /** Aborting it stops the run between items; the run then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
  /** Called as items finish, at most every PROGRESS_INTERVAL_MS, and once at the end. */
  readonly onProgress?: ((progress: BatchProgress) => void) | undefined;
}

export interface BatchSummary {
  readonly done: number;
  readonly failed: number;
  readonly total: number;
}

export const PROGRESS_INTERVAL_MS = 250;

/** Calls `onProgress` at most every PROGRESS_INTERVAL_MS; `flush` reports the last figures whatever the time. */
export function progressReporter(control: BatchControl, total: number | undefined): { item(failed: boolean): void; flush(): BatchSummary } {
  let done = 0;
  let failed = 0;
  let last = 0;
  const report = (): void => control.onProgress?.({ done, failed, total });
  return {
    item(itemFailed) {
      done++;
      if (itemFailed) failed++;
      const now = Date.now();
      if (now - last >= PROGRESS_INTERVAL_MS) {
        last = now;
        report();
      }
    },
    flush() {
      report();
      return { done, failed, total: total ?? done };
    },
  };
}
