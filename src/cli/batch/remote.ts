/**
 * A batch run by a server through its job API: submit the input as a job, poll its progress, download
 * the result, and delete the job (its files on the server) once the result is here or the user gives up.
 */
import { openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { BatchControl, BatchSummary } from '../../app/batch.js';
import type { JobView } from '../../jobs/job.js';
import { CliExit, EXIT_INPUT, EXIT_USAGE } from '../exit.js';
import type { ImageSource } from './inputs.js';

/** How often the job's state is asked for. */
const POLL_MS = 500;

export interface JobInput {
  readonly type: 'generate' | 'decode';
  /** The options for every item (the query string). */
  readonly options: Readonly<Record<string, string>>;
  readonly body: Blob | FormData;
  /** Accept for the result (CSV or NDJSON for decode). */
  readonly accept?: string | undefined;
}

/** The rows file as the body, with its Content-Type; read from disk as it is sent. */
export async function rowsBody(path: string, contentType: string): Promise<Blob> {
  return openAsBlob(path, { type: contentType });
}

/** A ZIP as the body, or a folder's images as multipart files in the field `image`, named by their relative paths. */
export async function imagesBody(source: ImageSource): Promise<Blob | FormData> {
  if (source.kind === 'zip') return openAsBlob(source.path, { type: 'application/zip' });
  const form = new FormData();
  for (const name of source.files) form.append('image', await openAsBlob(join(source.dir, name)), name);
  return form;
}

export class JobClient {
  private readonly base: URL;

  constructor(server: string) {
    try {
      this.base = new URL(server);
    } catch {
      throw new CliExit(EXIT_USAGE, `--server ${server}: not a URL (e.g. http://localhost:8080)`);
    }
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new CliExit(EXIT_USAGE, `--server ${server}: http or https only`);
  }

  /** A request to the server; an error answer becomes a CliExit with the API's message (4xx: the input's fault, exit 2). */
  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(path, this.base);
    let response: Response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason;
      const cause = (err as { cause?: { message?: string } }).cause?.message ?? String(err);
      throw new CliExit(EXIT_INPUT, `cannot reach ${this.base.origin}: ${cause}`);
    }
    if (response.ok) return response;
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    const reason = body?.error ? `${body.error.code}: ${body.error.message}` : `${response.status} ${response.statusText}`;
    throw new CliExit(response.status >= 400 && response.status < 500 ? EXIT_USAGE : EXIT_INPUT, `the server refused ${init.method ?? 'GET'} ${url.pathname}: ${reason}`);
  }

  async submit(input: JobInput, signal: AbortSignal | undefined): Promise<JobView> {
    const query = new URLSearchParams({ type: input.type, ...input.options });
    const headers: Record<string, string> = input.accept ? { accept: input.accept } : {};
    // A Blob carries its own Content-Type; FormData gets its boundary from fetch.
    const response = await this.call(`/api/v1/jobs?${query}`, { method: 'POST', body: input.body, headers, signal: signal ?? null });
    return (await response.json()) as JobView;
  }

  async status(job: JobView, signal: AbortSignal | undefined): Promise<JobView> {
    return (await (await this.call(job.status_url, { signal: signal ?? null })).json()) as JobView;
  }

  async download(job: JobView, out: NodeJS.WritableStream, signal: AbortSignal | undefined): Promise<void> {
    const response = await this.call(job.result_url ?? `${job.status_url}/result`, { signal: signal ?? null });
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), out, { end: false, signal });
  }

  /** Cancels a queued or running job, or removes a finished one with its result. */
  async remove(job: JobView): Promise<void> {
    await this.call(job.status_url, { method: 'DELETE' });
  }
}

/**
 * Submits, follows the job's progress until it ends, and writes its result to `out`. Aborting
 * `control.signal` (Ctrl-C) deletes the job on the server and rejects with the signal's reason.
 */
export async function runJob(client: JobClient, input: JobInput, out: NodeJS.WritableStream, control: BatchControl): Promise<BatchSummary> {
  const { signal } = control;
  let job = await client.submit(input, signal);
  try {
    for (;;) {
      control.onProgress?.(job.progress);
      if (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') break;
      await delay(POLL_MS, undefined, { signal });
      job = await client.status(job, signal);
    }
    if (job.state !== 'completed') throw new CliExit(EXIT_INPUT, `job ${job.id} ${job.state}${job.error ? `: ${job.error.code}: ${job.error.message}` : ''}`);
    await client.download(job, out, signal);
  } catch (err) {
    if (signal?.aborted) {
      await client.remove(job).catch(() => undefined);
      throw signal.reason;
    }
    throw err;
  }
  // The result is here: the server's copy and the job's files go now rather than at their expiry.
  await client.remove(job).catch(() => undefined);
  return job.progress;
}
