/** The thread side of a pool: runs a workload's handlers one task at a time and answers in the protocol's terms. */
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { QrwError, isQrwError } from '../errors.js';
import type { Envelope, TaskMap, TaskOf, TaskReply } from './protocol.js';

export type Handlers<M extends TaskMap> = { [K in keyof M & string]: (task: TaskOf<M, K>) => M[K]['output'] | Promise<M[K]['output']> };

async function reply<M extends TaskMap>(handlers: Handlers<M>, envelope: Envelope<TaskOf<M>>): Promise<TaskReply<unknown>> {
  try {
    if (envelope.cancelled && Atomics.load(envelope.cancelled, 0) !== 0) throw new QrwError('CLIENT_CLOSED', 'The client closed the connection before its task started.');
    const handler = handlers[envelope.task.kind as keyof M & string] as (task: TaskOf<M>) => unknown;
    return { ok: true, value: await handler(envelope.task) };
  } catch (err) {
    if (isQrwError(err)) return { ok: false, code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
    return { ok: false, code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The function a worker entry exports as its default. The pool hands a thread several tasks ahead;
 * they run one after the other, never side by side: a thread is one core, and a task's working
 * memory is held by one task at a time while the others wait with their inputs only. Buffers moved
 * in are moved back with the reply, so that they are freed by the main thread's frequent young
 * collections instead of piling up in a thread that allocates little.
 */
export function serveTasks<M extends TaskMap>(handlers: Handlers<M>): (envelope: Envelope<TaskOf<M>>) => Promise<unknown> {
  let previous: Promise<unknown> = Promise.resolve();
  return (envelope) => {
    const result = previous.then(() => reply(handlers, envelope));
    previous = result;
    // A reply wrapped by piscina's move() transfers the buffers it names.
    return envelope.transferred.length > 0 ? result.then((r) => move({ [transferableSymbol]: [...envelope.transferred], [valueSymbol]: r })) : result;
  };
}
