/** The job API as the batch tab uses it: submit a file as a job, ask where it is, cancel it. */
import type { JobView } from '../../src/jobs/job.js';
import { call } from './api.js';

export type { JobView };
export type JobType = 'generate' | 'decode';

export interface JobSubmission {
  readonly type: JobType;
  /** Rows (CSV, NDJSON, JSON) or a ZIP: sent as the body with this Content-Type. Several images: multipart. */
  readonly body: Blob | FormData;
  readonly contentType?: string | undefined;
  /** The options for every item (the query string). */
  readonly options: Readonly<Record<string, string>>;
  /** For decode: text/csv for a CSV result, else NDJSON. */
  readonly accept?: string | undefined;
}

export async function submitJob(job: JobSubmission): Promise<JobView> {
  const query = new URLSearchParams({ type: job.type, ...job.options });
  const headers: Record<string, string> = {};
  if (job.contentType) headers['content-type'] = job.contentType;
  if (job.accept) headers['accept'] = job.accept;
  const response = await call(`/api/v1/jobs?${query}`, { method: 'POST', body: job.body, headers });
  return (await response.json()) as JobView;
}

export async function jobStatus(job: JobView, signal?: AbortSignal): Promise<JobView> {
  const response = await call(job.status_url, { signal: signal ?? null });
  return (await response.json()) as JobView;
}

export async function cancelJob(job: JobView): Promise<JobView> {
  const response = await call(job.status_url, { method: 'DELETE' });
  return (await response.json()) as JobView;
}
