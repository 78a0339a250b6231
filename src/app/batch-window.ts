/**
 * A bounded window over a batch's items: up to `size` of them worked on at once, their results
 * yielded in input order as the head of the window finishes. The window bounds memory (items and
 * results held), whatever the batch's length. If the items cannot be read on, the results already
 * under way are yielded first, then the error is thrown: work done is not lost.
 */

/** `work` must resolve (never reject) with the item's result or its error, so that none is left unhandled when the run stops early. */
export async function* inOrder<T, R>(items: AsyncIterable<T>, size: number, work: (item: T) => Promise<R>, signal?: AbortSignal): AsyncGenerator<R> {
  const iterator = items[Symbol.asyncIterator]();
  const window: Promise<R>[] = [];
  let more = true;
  let failure: { readonly error: unknown } | undefined;
  try {
    for (;;) {
      while (more && window.length < size) {
        signal?.throwIfAborted();
        try {
          const next = await iterator.next();
          if (next.done) more = false;
          else window.push(work(next.value));
        } catch (error) {
          more = false;
          failure = { error };
        }
      }
      const head = window.shift();
      if (!head) break;
      yield await head;
    }
  } finally {
    if (!failure) await iterator.return?.();
  }
  if (failure) throw failure.error;
}
