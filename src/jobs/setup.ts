/**
 * Batches and jobs as a process has them, the service and `qrw worker` alike: the batch use cases on
 * the tools this process serves, and the job service that runs them from stored inputs.
 */
import type { Logger } from 'pino';
import { BatchDecodeService } from '../app/batch-decode.js';
import { BatchGenerateService } from '../app/batch-generate.js';
import { BatchIdPhotoService } from '../app/batch-idphoto.js';
import { decodeLimits, type DecodeOutcome } from '../app/decode.js';
import type { IdPhotoService } from '../app/idphoto.js';
import type { QrEngine } from '../app/qr-engine.js';
import type { WorkCounts } from '../app/work-counts.js';
import type { Config } from '../platform/config.js';
import type { Metrics } from '../platform/metrics.js';
import { batchJobKinds } from './batch-kinds.js';
import { idPhotoJobKind, idPhotoPhotoJobKind } from './idphoto-kinds.js';
import type { JobKinds } from './kinds.js';
import { JobService, type JobMetricsSink } from './service.js';

export interface BatchTools {
  readonly generate?: BatchGenerateService | undefined;
  readonly decode?: BatchDecodeService | undefined;
  readonly idphoto?: BatchIdPhotoService | undefined;
  readonly jobs: JobService;
}

/** The tools a process serves, with the threads each has (a batch keeps a few items in flight per thread). */
export interface BatchEngines {
  readonly qr?: { readonly engine: QrEngine; readonly threads: number } | undefined;
  readonly idphoto?: { readonly service: IdPhotoService; readonly threads: number } | undefined;
}

/** Items a batch keeps in flight per pool thread: enough to keep each busy while the next is read. */
const IN_FLIGHT_PER_THREAD = 2;

export function jobMetrics(metrics: Metrics): JobMetricsSink {
  return {
    items: (type, outcome, count) => {
      if (count > 0) metrics.jobItems.inc({ type, outcome }, count);
    },
    finished: (type, state, seconds) => metrics.jobDuration.observe({ type, state }, seconds),
  };
}

/** `runJobs`: jobs this process runs at once (0: it only queues them, with Redis); `recordUsage`: where keyed jobs' work is counted. */
export async function startBatchTools(
  engines: BatchEngines,
  config: Config,
  logger: Logger,
  metrics: Metrics,
  runJobs: number,
  recordUsage?: (key: string, work: WorkCounts) => void,
): Promise<BatchTools> {
  const { qr, idphoto } = engines;
  const limits = { maxBytes: config.jobMaxBytes, maxImageBytes: config.maxBodyBytes };
  const generate = qr && new BatchGenerateService(qr.engine);
  const decode = qr && new BatchDecodeService(qr.engine, decodeLimits(config), qr.threads * IN_FLIGHT_PER_THREAD, (outcome: DecodeOutcome) => metrics.decodes.inc({ outcome }));
  const photos = idphoto && new BatchIdPhotoService(idphoto.service, idphoto.threads * IN_FLIGHT_PER_THREAD);
  // Every kind, so that with Redis any API process takes any tool's jobs; each runs only where its tool is served.
  const kinds: JobKinds = {
    ...batchJobKinds({ generate, decode }, limits),
    idphoto: idPhotoJobKind(photos, limits),
    'idphoto-photo': idPhotoPhotoJobKind(idphoto?.service),
  };
  const jobs = await JobService.start(config, kinds, logger, jobMetrics(metrics), runJobs, recordUsage);
  return { generate, decode, idphoto: photos, jobs };
}
