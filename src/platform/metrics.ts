import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { WorkerPool } from '../workers/pool.js';

export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;
  readonly decodes: Counter<'outcome'>;
  readonly cache: Counter<'result' | 'tier'>;
}

/** A registry per app, so several apps in one process (tests) never share counters. */
export function createMetrics(pool: WorkerPool, cacheBytes: () => number, redisUp: () => number | undefined): Metrics {
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
  const decodes = new Counter({ name: 'qrw_decode_total', help: 'Decode requests by outcome: found, none, error, abandoned (the client left before a thread took the image)', labelNames: ['outcome'] as const, registers: [registry] });
  const cache = new Counter({ name: 'qrw_generate_cache_total', help: 'Generate cache lookups: result hit or miss; tier local (in-process), shared (Redis) or none', labelNames: ['result', 'tier'] as const, registers: [registry] });
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
  stat('qrw_pool_threads', 'Worker threads in the pool', () => pool.stats().threads);
  stat('qrw_pool_queue_depth', 'Tasks waiting for a worker thread', () => pool.stats().queued);
  stat('qrw_pool_queue_limit', 'Tasks allowed to wait before requests get 503', () => pool.stats().maxQueue);
  stat('qrw_pool_utilization_ratio', 'Share of pool capacity in use since start (0-1)', () => pool.stats().utilization);
  stat('qrw_pool_wait_mean_seconds', 'Mean time a task waited in the queue until a thread took it (behind at most the task that thread runs)', () => pool.stats().waitMeanMs / 1000);
  stat('qrw_pool_wait_p99_seconds', '99th percentile of the time a task waited in the queue until a thread took it', () => pool.stats().waitP99Ms / 1000);
  stat('qrw_pool_run_mean_seconds', 'Mean time a task ran on a thread', () => pool.stats().runMeanMs / 1000);
  stat('qrw_pool_submitted_tasks', 'Tasks accepted by the pool since start (not those refused with 503)', () => pool.stats().submitted);
  stat('qrw_pool_completed_tasks', 'Tasks completed by the pool since start', () => pool.stats().completed);
  stat('qrw_generate_cache_bytes', 'Bytes held by the in-process generate cache', cacheBytes);
  stat('qrw_redis_up', '1 while the Redis connection (REDIS_URL) is ready, 0 while it is not; absent without REDIS_URL', redisUp);
  return { registry, requests, duration, decodes, cache };
}
