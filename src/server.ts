/**
 * The composition root: config -> connections -> pools -> use cases -> HTTP app -> listen, and the
 * graceful shutdown in reverse. `node dist/src/server.js` (what `npm start` runs) starts it.
 */
import { pathToFileURL } from 'node:url';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DecodeService } from './app/decode.js';
import { GenerateService } from './app/generate.js';
import { ImageCache } from './app/image-cache.js';
import { poolEngine, type QrEngine } from './app/qr-engine.js';
import { buildApp, type App } from './http/app.js';
import { loadConfig, type Config } from './platform/config.js';
import { createLogger } from './platform/logger.js';
import { createMetrics, type MetricSources } from './platform/metrics.js';
import { connectRedis } from './platform/redis.js';
import { nativeDecodeStatus, setNativeDecode } from './recognise/index.js';
import { startQrPool, type QrPool } from './workers/qr-pool.js';

export { loadConfig, SETTINGS, type Config } from './platform/config.js';
export type { App } from './http/app.js';

export interface RunningServer {
  readonly app: App;
  readonly pool: QrPool;
  readonly url: string;
  /** Readiness goes 503, the listener stops, in-flight requests finish, the pool drains, connections close. */
  shutdown(): Promise<void>;
}

/** The app and what it holds, assembled around a QR engine (the pool in the service, this thread in tests). */
export async function assembleApp(config: Config, engine: QrEngine, pools: MetricSources['pools'], logger: Logger = createLogger(config)): Promise<App> {
  const redis: Redis | undefined = config.redisUrl ? await connectRedis(config.redisUrl, 'cache', logger) : undefined;
  const cache = new ImageCache(config.generateCacheBytes, redis && { redis, prefix: `${config.redisKeyPrefix}gen:`, ttlSeconds: config.sharedCacheTtlSeconds });
  const metrics = createMetrics({ pools, cacheBytes: () => cache.bytes, redisUp: () => (redis ? Number(redis.status === 'ready') : undefined) });
  const app = await buildApp({
    config,
    logger,
    metrics,
    redis,
    saturated: () => engine.saturated,
    generate: new GenerateService(engine, cache, (hit) => metrics.cache.inc(hit ? { result: 'hit', tier: hit } : { result: 'miss', tier: 'none' })),
    decode: new DecodeService(engine, { maxSide: config.decodeMaxSide, maxPixels: config.maxImagePixels }, (outcome) => metrics.decodes.inc({ outcome })),
  });
  app.server.addHook('onClose', async () => {
    await redis?.quit().catch(() => redis.disconnect());
  });
  return app;
}

export async function startServer(config: Config = loadConfig()): Promise<RunningServer> {
  // Here first, so NATIVE_DECODE=required without the decoders stops the start with its reason.
  setNativeDecode(config.nativeDecode);
  const pool = await startQrPool({ threads: config.poolThreads, maxQueue: config.poolMaxQueue, nativeDecode: config.nativeDecode });
  const app = await assembleApp(config, poolEngine(pool), [pool]);
  const address = await app.server.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (closing ??= (async () => {
      app.readiness.accepting = false;
      await app.server.close();
      await pool.close();
    })());
  return { app, pool, url: address, shutdown };
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
