/**
 * Batches and jobs as a process has them, the service and `qrw worker` alike: the batch use cases on
 * the QR engine, and the job service that runs them from stored inputs.
 */
import type { Logger } from 'pino';
import { BatchDecodeService } from '../app/batch-decode.js';
import { BatchGenerateService } from '../app/batch-generate.js';
import type { DecodeOutcome } from '../app/decode.js';
import type { QrEngine } from '../app/qr-engine.js';
import type { Config } from '../platform/config.js';
import type { Metrics } from '../platform/metrics.js';
import { batchJobKinds } from './batch-kinds.js';
import { JobService, type JobMetricsSink } from './service.js';

export interface BatchTools {
  readonly generate: BatchGenerateService;
  readonly decode: BatchDecodeService;
  readonly jobs: JobService;
}

/** Images a decode batch keeps in flight per pool thread: enough to keep each busy while the next is read. */
const DECODES_IN_FLIGHT_PER_THREAD = 2;

export function jobMetrics(metrics: Metrics): JobMetricsSink {
  return {
    items: (type, outcome, count) => {
      if (count > 0) metrics.jobItems.inc({ type, outcome }, count);
    },
    finished: (type, state, seconds) => metrics.jobDuration.observe({ type, state }, seconds),
  };
}

/** `runJobs`: jobs this process runs at once (0: it only queues them, with Redis). */
export async function startBatchTools(engine: QrEngine, threads: number, config: Config, logger: Logger, metrics: Metrics, runJobs: number): Promise<BatchTools> {
  const generate = new BatchGenerateService(engine);
  const decode = new BatchDecodeService(engine, { maxSide: config.decodeMaxSide, maxPixels: config.maxImagePixels }, threads * DECODES_IN_FLIGHT_PER_THREAD, (outcome: DecodeOutcome) =>
    metrics.decodes.inc({ outcome }),
  );
  const kinds = batchJobKinds({ generate, decode }, { maxBytes: config.jobMaxBytes, maxImageBytes: config.maxBodyBytes });
  const jobs = await JobService.start(config, kinds, logger, jobMetrics(metrics), runJobs);
  return { generate, decode, jobs };
}
