/**
 * The job worker's composition root (`qrw worker`): takes jobs from the Redis queues the API processes
 * fill, those of the tools it serves (TOOLS), and runs them on its own pools, JOB_CONCURRENCY (at
 * least one) at a time per tool. It serves
 * GET /health, /ready and /metrics on PORT for probes and Prometheus, and on SIGTERM stops taking
 * jobs, gives the running ones SHUTDOWN_TIMEOUT_MS to finish, and leaves the rest to be run again
 * by another worker once their lock lapses (JOB_LOCK_TIMEOUT).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openAccounts } from './accounts/setup.js';
import { countingIdPhotoListener, countingQrEngine } from './accounts/usage.js';
import { IdPhotoService, idPhotoCodec, idPhotoMetrics, poolIdPhotoEngine } from './app/idphoto.js';
import { ResultCache } from './app/image-cache.js';
import { poolEngine } from './app/qr-engine.js';
import type { JobService } from './jobs/service.js';
import { startBatchTools } from './jobs/setup.js';
import { ConfigError, loadConfig, type Config } from './platform/config.js';
import { createLogger } from './platform/logger.js';
import { createMetrics } from './platform/metrics.js';
import { connectRedis } from './platform/redis.js';
import { VERSION } from './platform/version.js';
import { setNativeDecode } from './recognise/index.js';
import { startIdPhotoPools } from './workers/idphoto-pool.js';
import { startQrPool } from './workers/qr-pool.js';

export interface RunningWorker {
  readonly url: string;
  /** Stops taking jobs, lets running ones finish within `graceMs`, stops the pool and the listener. */
  shutdown(graceMs: number): Promise<void>;
}

export async function startWorker(config: Config): Promise<RunningWorker> {
  if (!config.redisUrl) throw new ConfigError('qrw worker takes jobs from Redis: set REDIS_URL (without it, the service runs jobs itself).');
  setNativeDecode(config.nativeDecode);
  const logger = createLogger(config);
  // The worker runs the jobs of the tools it serves (TOOLS): each tool's queue, on that tool's pools.
  const qrPool = config.tools.includes('qr') ? await startQrPool({ threads: config.poolThreads, maxQueue: config.poolMaxQueue, nativeDecode: config.nativeDecode }) : undefined;
  const idphotoPools = config.tools.includes('idphoto') ? startIdPhotoPools(config) : undefined;
  const pools = [...(qrPool ? [qrPool] : []), ...(idphotoPools ? [idphotoPools.main, ...Object.values(idphotoPools.dedicated)] : [])];
  // The metrics exist before the jobs that report to them; the gauge reads the queues once they are there.
  const started: { jobs?: JobService } = {};
  const metrics = createMetrics({ pools, cacheBytes: () => 0, redisUp: () => undefined, jobCounts: () => started.jobs?.counts() });
  // A job submitted with an API key has its work counted for that key, here where it runs, whatever this process's AUTH_MODE.
  const redis = await connectRedis(config.redisUrl, 'cache', logger);
  const accounts = await openAccounts(config, redis, logger, metrics.registry);
  const photos =
    idphotoPools && new IdPhotoService(poolIdPhotoEngine(idphotoPools.main, idphotoPools.dedicated), new ResultCache(0, idPhotoCodec), undefined, countingIdPhotoListener(idPhotoMetrics(metrics)));
  const { jobs } = await startBatchTools(
    { qr: qrPool && { engine: countingQrEngine(poolEngine(qrPool)), threads: qrPool.threads }, idphoto: photos && { service: photos, threads: idphotoPools!.main.threads } },
    config,
    logger,
    metrics,
    Math.max(1, config.jobConcurrency),
    (key, work) => accounts.recordWork(key, work),
  );
  started.jobs = jobs;
  let accepting = true;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown): void => void response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/health') json(200, { status: 'healthy', service: 'qr-workshop-worker', version: VERSION });
    else if (path === '/ready') json(accepting ? 200 : 503, { ready: accepting });
    else if (path === '/metrics')
      void metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => json(500, { error: { code: 'INTERNAL', message: 'metrics could not be collected' } }),
      );
    else json(404, { error: { code: 'NOT_FOUND', message: 'The worker serves /health, /ready and /metrics only.' } });
  });
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  logger.info({ url, tools: config.tools, concurrency: Math.max(1, config.jobConcurrency) }, 'worker: taking jobs');
  return {
    url,
    async shutdown(graceMs) {
      accepting = false;
      await jobs.close(graceMs);
      await Promise.all(pools.map((p) => p.close()));
      await redis.quit().catch(() => redis.disconnect());
      server.close();
      server.closeAllConnections();
    },
  };
}

/** Entry point of `qrw worker`: exits 0 after a clean SIGTERM or SIGINT, 2 on a bad setting. */
export async function workerMain(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
    const worker = await startWorker(config);
    let signalled = false;
    const onSignal = (): void => {
      if (signalled) return;
      signalled = true;
      // The jobs get most of the shutdown time; the rest is for the pool and the connections.
      const grace = Math.max(0, config.shutdownTimeoutMs - 1000);
      const timer = setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 5000);
      timer.unref();
      worker.shutdown(grace).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  } catch (err) {
    console.error(`qrw worker: ${(err as Error).message}`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  }
}
