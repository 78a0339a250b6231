import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;
  readonly decodes: Counter<'outcome'>;
  readonly cache: Counter<'result' | 'tier'>;
  /** ID photos, crops and cut-outs (`work`) by outcome: ok, no_face, multiple_faces, too_small, invalid, error. */
  readonly idphotos: Counter<'work' | 'outcome'>;
  /** Seconds from the request to the thread's answer (queue wait included) of each one made (cache hits not observed). */
  readonly idphotoDuration: Histogram<'work' | 'outcome'>;
  /** Items of jobs by type (generate, decode) and outcome (ok, error), counted by the process that runs them. */
  readonly jobItems: Counter<'type' | 'outcome'>;
  /** Seconds a job's attempt ran, by type and the state it ended in. */
  readonly jobDuration: Histogram<'type' | 'state'>;
}

/** What a worker pool reports (workers/pool.ts). */
export interface PoolStats {
  readonly name: string;
  readonly threads: number;
  readonly queued: number;
  readonly maxQueue: number;
  readonly utilization: number;
  /** Tasks the pool accepted since start (refused ones not counted); minus completed: queued or running. */
  readonly submitted: number;
  readonly completed: number;
  /** Milliseconds a task waited in the queue until a thread took it (mean and p99 since start). */
  readonly waitMeanMs: number;
  readonly waitP99Ms: number;
  readonly runMeanMs: number;
}

export interface MetricSources {
  /** Every worker pool of the process; its gauges are labelled with the pool's name. */
  readonly pools: readonly { stats(): PoolStats }[];
  readonly cacheBytes: () => number;
  /** 1 or 0 while Redis is configured, undefined without it. */
  readonly redisUp: () => number | undefined;
  /** Jobs by state, as the queue (Redis or this process) knows them; undefined where jobs are off. */
  readonly jobCounts?: () => Promise<Record<string, number>> | undefined;
}

/** Every metric the service exports, in one registry per app (several apps in one process, as in tests, never share counters). */
export function createMetrics(sources: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'] as const, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const decodes = new Counter({
    name: 'qrw_decode_total',
    help: 'Decode requests by outcome: found, none, error, abandoned (the client left before a thread took the image)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const cache = new Counter({
    name: 'qrw_generate_cache_total',
    help: 'Generate cache lookups: result hit or miss; tier local (in-process), shared (Redis) or none',
    labelNames: ['result', 'tier'] as const,
    registers: [registry],
  });
  const idphotos = new Counter({
    name: 'qrw_idphoto_total',
    help: 'ID photos by work (photo, crop, cutout) and outcome: ok, no_face, multiple_faces, too_small, invalid (a bad upload or option), error',
    labelNames: ['work', 'outcome'] as const,
    registers: [registry],
  });
  const idphotoDuration = new Histogram({
    name: 'qrw_idphoto_duration_seconds',
    help: 'Time to make an ID photo, crop or cut-out, the wait for a pool thread included (cache hits not observed)',
    labelNames: ['work', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const jobItems = new Counter({
    name: 'qrw_job_items_total',
    help: 'Items of jobs by type (generate, decode) and outcome (ok, error), counted by the process that runs them; its rate is items per second',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'qrw_job_duration_seconds',
    help: "Time a job's attempt ran, by type and the state it ended in (completed, failed, cancelled)",
    labelNames: ['type', 'state'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400],
    registers: [registry],
  });
  new Gauge({
    name: 'qrw_jobs',
    help: 'Jobs by state (queued, running, completed, failed, cancelled) as the queue knows them; queued is the queue depth',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await sources.jobCounts?.()?.catch(() => undefined);
      for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
    },
  });
  const poolStat = (name: string, help: string, read: (s: PoolStats) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        for (const pool of sources.pools) {
          const stats = pool.stats();
          this.set({ pool: stats.name }, read(stats));
        }
      },
    });
  };
  poolStat('qrw_pool_threads', 'Worker threads in the pool', (s) => s.threads);
  poolStat('qrw_pool_queue_depth', 'Tasks waiting for a worker thread', (s) => s.queued);
  poolStat('qrw_pool_queue_limit', 'Tasks allowed to wait before requests get 503', (s) => s.maxQueue);
  poolStat('qrw_pool_utilization_ratio', 'Share of pool capacity in use since start (0-1)', (s) => s.utilization);
  poolStat('qrw_pool_wait_mean_seconds', 'Mean time a task waited in the queue until a thread took it (behind at most the task that thread runs)', (s) => s.waitMeanMs / 1000);
  poolStat('qrw_pool_wait_p99_seconds', '99th percentile of the time a task waited in the queue until a thread took it', (s) => s.waitP99Ms / 1000);
  poolStat('qrw_pool_run_mean_seconds', 'Mean time a task ran on a thread', (s) => s.runMeanMs / 1000);
  poolStat('qrw_pool_submitted_tasks', 'Tasks accepted by the pool since start (not those refused with 503)', (s) => s.submitted);
  poolStat('qrw_pool_completed_tasks', 'Tasks completed by the pool since start', (s) => s.completed);
  const stat = (name: string, help: string, read: () => number | undefined): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const value = read();
        if (value !== undefined) this.set(value);
      },
    });
  };
  stat('qrw_generate_cache_bytes', 'Bytes held by the in-process generate cache', sources.cacheBytes);
  stat('qrw_redis_up', '1 while the Redis connection (REDIS_URL) is ready, 0 while it is not; absent without REDIS_URL', sources.redisUp);
  return { registry, requests, duration, decodes, cache, idphotos, idphotoDuration, jobItems, jobDuration };
}
