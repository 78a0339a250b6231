import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from './platform/config.js';
import { WorkerPool } from './workers/pool.js';
import { nativeDecodeStatus, setNativeDecode } from './recognise/input/native.js';
import { buildApp, type App } from './http/app.js';

export interface RunningServer {
  readonly app: App;
  readonly pool: WorkerPool;
  readonly url: string;
  /** Readiness goes 503, the listener stops, in-flight requests finish, the pool drains. */
  shutdown(): Promise<void>;
}

export async function startServer(config: Config = loadConfig()): Promise<RunningServer> {
  // Here first, so NATIVE_DECODE=required without the decoders stops the start with its reason.
  setNativeDecode(config.nativeDecode);
  const pool = await WorkerPool.start({ threads: config.poolThreads, maxQueue: config.poolMaxQueue, nativeDecode: config.nativeDecode });
  const app = await buildApp(config, pool);
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

/** Entry point: `node dist/src/server.js` (what `npm start` runs). */
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
