/**
 * A job as the queues keep it and as clients see it. The JSON schema of the view is the contract
 * (the API's answers are serialised with it); the TypeScript types derive from it.
 */
import type { FromSchema } from 'json-schema-to-ts';
import type { ErrorInfo } from '../errors.js';

export const JOB_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** What a queue stores to run a job: everything the runner needs, nothing of the input itself (that is a file). */
export interface JobSpec {
  readonly id: string;
  /** A key of the job kinds (kinds.ts): generate, decode. */
  readonly type: string;
  /** The body's Content-Type as submitted (rows as CSV, NDJSON or JSON; a ZIP; multipart files saved one by one). */
  readonly contentType: string;
  /** The submit request's query without `type` and `callback`: the options for every item. */
  readonly options: Readonly<Record<string, string>>;
  /** The result's media type, chosen at submit (e.g. NDJSON or CSV for decode, from Accept). */
  readonly resultType: string;
  /** Items counted at submit. */
  readonly total: number;
  readonly callbackUrl?: string | undefined;
  /** The name of the API key that submitted it: the job's work is counted in that key's usage. */
  readonly key?: string | undefined;
  /** Milliseconds since the epoch. */
  readonly createdAt: number;
}

const timestamp = { type: 'string', format: 'date-time' } as const;

export const JobViewSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    state: { type: 'string', enum: [...JOB_STATES] },
    progress: {
      type: 'object',
      properties: { done: { type: 'integer' }, failed: { type: 'integer' }, total: { type: 'integer' } },
      required: ['done', 'failed', 'total'],
      additionalProperties: false,
    },
    createdAt: timestamp,
    startedAt: timestamp,
    finishedAt: timestamp,
    /** When a finished job and its result are deleted. */
    expiresAt: timestamp,
    /** Why a failed job failed. */
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } },
      required: ['code', 'message'],
      additionalProperties: false,
    },
    status_url: { type: 'string' },
    /** Present once the job has completed. */
    result_url: { type: 'string' },
  },
  required: ['id', 'type', 'state', 'progress', 'createdAt', 'status_url'],
  additionalProperties: false,
} as const;

export type JobView = FromSchema<typeof JobViewSchema>;

/** The facts a queue knows of a job, from which every view is made the same way. */
export interface JobRecord {
  readonly spec: JobSpec;
  readonly state: JobState;
  readonly progress: { readonly done: number; readonly failed: number };
  readonly startedAt?: number | undefined;
  readonly finishedAt?: number | undefined;
  readonly error?: ErrorInfo | undefined;
}

export const JOBS_PATH = '/api/v1/jobs';

export function jobView(record: JobRecord, ttlSeconds: number): JobView {
  const { spec, state, progress, startedAt, finishedAt, error } = record;
  const iso = (ms: number): string => new Date(ms).toISOString();
  const statusUrl = `${JOBS_PATH}/${spec.id}`;
  return {
    id: spec.id,
    type: spec.type,
    state,
    progress: { done: progress.done, failed: progress.failed, total: spec.total },
    createdAt: iso(spec.createdAt),
    ...(startedAt !== undefined && { startedAt: iso(startedAt) }),
    ...(finishedAt !== undefined && { finishedAt: iso(finishedAt), expiresAt: iso(finishedAt + ttlSeconds * 1000) }),
    ...(error && { error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) } }),
    status_url: statusUrl,
    ...(state === 'completed' && { result_url: `${statusUrl}/result` }),
  };
}

export function isFinished(state: JobState): boolean {
  return state === 'completed' || state === 'failed' || state === 'cancelled';
}
