import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

/** The service's logger: JSON lines on stdout, one per request, without payloads. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino(
    {
      level: config.logLevel,
      // Lines are batched up to 4 KiB or 250 ms because one write(2) per line takes a large share of the event loop under load (see docs/design/concurrency.md); pino flushes the rest on exit.
      serializers: {
        // Never log payloads: the path without its query string (GET /api/v1/generate?text=... carries the content).
        req: (req: { id: string; method: string; url: string; ip?: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0], ip: req.ip }),
      },
    },
    pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 }),
  );
}
