/**
 * The composition root: config -> connections -> pools -> use cases -> HTTP app -> listen, and the
 * graceful shutdown in reverse. `node dist/src/server.js` (what `npm start` runs) starts it.
 */
import { pathToFileURL } from 'node:url';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { openAccounts } from './accounts/setup.js';
import { countingCacheListener, countingIdPhotoListener, countingQrEngine } from './accounts/usage.js';
import { DecodeService, decodeLimits } from './app/decode.js';
import { GenerateService } from './app/generate.js';
import { IdPhotoService, idPhotoCodec, idPhotoMetrics, poolIdPhotoEngine, type IdPhotoEngine } from './app/idphoto.js';
import { ImageCache, ResultCache } from './app/image-cache.js';
import { poolEngine, type QrEngine } from './app/qr-engine.js';
import { buildApp, type App } from './http/app.js';
import { loadConfig, type Config } from './platform/config.js';
import { createLogger } from './platform/logger.js';
import { createMetrics, type MetricSources } from './platform/metrics.js';
import { connectRedis } from './platform/redis.js';
import { startBatchTools, type BatchTools } from './jobs/setup.js';
import { nativeDecodeStatus, setNativeDecode } from './recognise/index.js';
import { startIdPhotoPools, type IdPhotoPool } from './workers/idphoto-pool.js';
import { startQrPool, type QrPool } from './workers/qr-pool.js';

export { loadConfig, SETTINGS, type Config } from './platform/config.js';
export type { App } from './http/app.js';

export interface RunningServer {
  readonly app: App;
  /** The pools of the tools this process serves (TOOLS). */
  readonly pools: { readonly qr?: QrPool; readonly idphoto?: IdPhotoPool };
  readonly url: string;
  /** Readiness goes 503, the listener stops, in-flight requests finish, the pool drains, connections close. */
  shutdown(): Promise<void>;
}

/** Where each tool's work runs: the pools in the service, this thread in tests; a tool left out (TOOLS) has none. */
export interface Engines {
  readonly qr?: QrEngine | undefined;
  readonly idphoto?: IdPhotoEngine | undefined;
}

/** The app and what it holds, assembled around the tools' engines. */
export async function assembleApp(config: Config, engines: Engines, pools: MetricSources['pools'], logger: Logger = createLogger(config)): Promise<App> {
  const { idphoto } = engines;
  // Work done inside a keyed request is counted for its key (docs/design/accounts.md).
  const engine = engines.qr && countingQrEngine(engines.qr);
  const redis: Redis | undefined = config.redisUrl ? await connectRedis(config.redisUrl, 'cache', logger) : undefined;
  const cache = new ImageCache(config.generateCacheBytes, redis && { redis, prefix: `${config.redisKeyPrefix}gen:`, ttlSeconds: config.sharedCacheTtlSeconds });
  // The metrics exist before the jobs that report to them; the gauge reads the queue once it is there.
  const started: { batch?: BatchTools } = {};
  const metrics = createMetrics({
    pools,
    cacheBytes: () => cache.bytes,
    redisUp: () => (redis ? Number(redis.status === 'ready') : undefined),
    jobCounts: () => started.batch?.jobs.counts(),
  });
  const idphotoService =
    idphoto &&
    new IdPhotoService(
      idphoto,
      new ResultCache(
        config.idphotoCacheBytes,
        idPhotoCodec,
        redis && { redis, prefix: `${config.redisKeyPrefix}idphoto:`, ttlSeconds: config.idphotoResultTtlSeconds },
        config.idphotoResultTtlSeconds,
      ),
      undefined,
      countingIdPhotoListener(idPhotoMetrics(metrics)),
    );
  const accounts = config.authMode === 'off' ? undefined : await openAccounts(config, redis, logger, metrics.registry);
  const batch = await startBatchTools(
    { qr: engine && { engine, threads: config.poolThreads }, idphoto: idphotoService && { service: idphotoService, threads: config.idphotoThreads } },
    config,
    logger,
    metrics,
    config.jobConcurrency,
    accounts && ((key, work) => accounts.recordWork(key, work)),
  );
  started.batch = batch;
  const app = await buildApp({
    config,
    logger,
    metrics,
    redis,
    batch,
    accounts,
    ...(engine && {
      saturated: () => engine.saturated,
      generate: new GenerateService(
        engine,
        cache,
        countingCacheListener((hit) => metrics.cache.inc(hit ? { result: 'hit', tier: hit } : { result: 'miss', tier: 'none' })),
      ),
      decode: new DecodeService(engine, decodeLimits(config), (outcome) => metrics.decodes.inc({ outcome })),
    }),
    ...(idphotoService && { idphoto: idphotoService }),
  });
  app.server.addHook('onClose', async () => {
    // Jobs running here get half the shutdown time to finish; past it, with Redis another process runs them again.
    await batch.jobs.close(config.shutdownTimeoutMs / 2);
    await accounts?.store.close();
    await redis?.quit().catch(() => redis.disconnect());
  });
  return app;
}

export async function startServer(config: Config = loadConfig()): Promise<RunningServer> {
  // Here first, so NATIVE_DECODE=required without the decoders stops the start with its reason.
  setNativeDecode(config.nativeDecode);
  const pool = config.tools.includes('qr') ? await startQrPool({ threads: config.poolThreads, maxQueue: config.poolMaxQueue, nativeDecode: config.nativeDecode }) : undefined;
  const idphotoPools = config.tools.includes('idphoto') ? startIdPhotoPools(config) : undefined;
  const pools = [...(pool ? [pool] : []), ...(idphotoPools ? [idphotoPools.main, ...Object.values(idphotoPools.dedicated)] : [])];
  const app = await assembleApp(config, { qr: pool && poolEngine(pool), idphoto: idphotoPools && poolIdPhotoEngine(idphotoPools.main, idphotoPools.dedicated) }, pools);
  const address = await app.server.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (closing ??= (async () => {
      app.readiness.accepting = false;
      await app.server.close();
      await Promise.all(pools.map((p) => p.close()));
    })());
  return { app, pools: { ...(pool && { qr: pool }), ...(idphotoPools && { idphoto: idphotoPools.main }) }, url: address, shutdown };
}

/** Entry point: starts the service and stops it cleanly on SIGTERM or SIGINT. */
export async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
    setNativeDecode(config.nativeDecode);
  } catch (err) {
    console.error(`qr-workshop: ${(err as Error).message}`);
    process.exit(2);
  }
  const running = await startServer(config);
  const log = running.app.server.log;
  const decoders = nativeDecodeStatus();
  log.info({ nativeDecode: decoders }, decoders.active ? 'plain PNGs and JPEGs are read with the native decoders' : 'images are read with the portable decoders');
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) return;
    signalled = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const timer = setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    running.shutdown().then(
      () => {
        log.info('shutdown complete');
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error('qr-workshop: failed to start:', err);
    process.exit(1);
  });
}
