import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import underPressure from '@fastify/under-pressure';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Config } from '../platform/config.js';
import { QrwError } from '../errors.js';
import type { WorkerPool } from '../workers/pool.js';
import { ImageCache } from '../app/image-cache.js';
import { Generator } from '../app/generate.js';
import { sendError } from './plugins/errors.js';
import { silentConnectionsCloser } from './plugins/connections.js';
import { createMetrics, type Metrics } from '../platform/metrics.js';
import { connectRedis, redisState } from '../platform/redis.js';
import { registerDecodeRoutes } from './routes/decode.js';
import { registerGenerateRoutes } from './routes/generate.js';
import { registerHealthRoutes, type Readiness } from './routes/health.js';
import { registerWebRoutes } from './plugins/web.js';
import { VERSION } from '../platform/version.js';

export interface App {
  readonly server: FastifyInstance;
  readonly readiness: Readiness;
  readonly metrics: Metrics;
}

/** Routes that must answer even when a client is rate limited or the process is under pressure: probes and scrapes. */
const OPS_ROUTES = new Set(['/health', '/ready', '/metrics']);
const isOpsRoute = (url: string): boolean => OPS_ROUTES.has(url.split('?')[0] ?? '');

/** How often the event-loop lag is averaged (under-pressure's default). */
const PRESSURE_SAMPLE_MS = 1000;

export async function buildApp(config: Config, pool: WorkerPool, logger: boolean | object = true): Promise<App> {
  const server = Fastify({
    logger:
      logger === true
        ? {
            level: config.logLevel,
            // One write(2) per request line cost ~19 % of the event loop under load (profiled): lines are
            // batched up to 4 KiB or 250 ms instead; pino flushes what is left synchronously on exit.
            stream: pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 }),
            // Never log payloads: the path without its query string (GET /api/v1/generate?text=... carries the content).
            serializers: {
              req: (req: { id: string; method: string; url: string; ip?: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0], ip: req.ip }),
            },
          }
        : logger,
    bodyLimit: config.maxBodyBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    // One line per request, written when it completes (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // A client that stalls mid-request is disconnected after this much silence (precise), and a whole
    // request must arrive within it (Node checks that bound only every 30 s).
    connectionTimeout: config.requestTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });

  const redis = config.redisUrl ? await connectRedis(config.redisUrl, server.log) : undefined;
  server.addHook('onClose', async () => {
    await redis?.quit().catch(() => redis.disconnect());
  });
  // preClose runs just before Fastify stops the listener, with no turn of the event loop in between.
  const closeSilentConnections = silentConnectionsCloser(server.server);
  server.addHook('preClose', async () => closeSilentConnections());
  const readiness: Readiness = { accepting: true, redis: () => redisState(redis) };
  const cache = new ImageCache(config.generateCacheBytes, redis && { redis, prefix: `${config.redisKeyPrefix}gen:`, ttlSeconds: config.sharedCacheTtlSeconds });
  const metrics = createMetrics(pool, () => cache.bytes, () => (redis ? Number(redis.status === 'ready') : undefined));
  const generator = new Generator(pool, cache, metrics);

  server.setErrorHandler((err, request, reply) => sendError(request, reply, err, config.maxBodyBytes));
  server.setNotFoundHandler((request, reply) => sendError(request, reply, new QrwError('NOT_FOUND', `There is no route ${request.method} ${request.url.split('?')[0]}.`), config.maxBodyBytes));
  server.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
    // While shutting down, keep-alive connections would hold the listener open: close each after its response.
    if (!readiness.accepting) reply.header('Connection', 'close');
  });
  server.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
    request.log.info({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
  });

  // Raw image uploads: the bytes are checked by the decoder, not by the declared type.
  server.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/i, { parseAs: 'buffer', bodyLimit: config.maxBodyBytes }, (_req, body, done) => done(null, body));
  await server.register(multipart, { limits: { fileSize: config.maxBodyBytes, files: 4, fields: 8, fieldSize: 4096, parts: 12 }, throwFileSizeLimit: true });
  await server.register(swagger, {
    openapi: {
      info: { title: 'QR Workshop API', version: VERSION, description: 'Generate and recognise QR codes (and other barcodes).' },
      tags: [{ name: 'generate' }, { name: 'decode' }, { name: 'ops' }, { name: 'compat', description: 'Routes of the original service' }],
    },
  });
  await server.register(swaggerUi, { routePrefix: '/docs' });
  if (config.corsOrigins.length > 0) {
    await server.register(cors, {
      origin: config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
      methods: ['GET', 'POST'],
      exposedHeaders: ['ETag', 'X-Cache', 'X-Request-Id', 'X-QR-Version', 'X-QR-EC', 'X-QR-Mask', 'X-QR-Modules', 'X-QR-Data-Bytes', 'X-QR-Capacity-Used', 'Retry-After'],
      maxAge: 600,
    });
  }
  if (config.maxEventLoopDelayMs > 0) {
    // The lag is measured from this registration on, so the first readings include the start-up work
    // (schema compilation, plugin loading: on a busy machine over a second of blocked loop): a fresh
    // replica answered every API request 503 for up to a second after it was ready (seen in CI). Readings
    // are trusted from two sample windows after the listener opened, when one whole window has followed it.
    let listeningSince = Number.POSITIVE_INFINITY;
    server.addHook('onListen', async () => {
      listeningSince = Date.now();
    });
    const startingUp = (): boolean => Date.now() - listeningSince < 2 * PRESSURE_SAMPLE_MS;
    // Event-loop lag means every request is already late: shed API work at once, keep probes answering.
    await server.register(underPressure, {
      maxEventLoopDelay: config.maxEventLoopDelayMs,
      sampleInterval: PRESSURE_SAMPLE_MS,
      pressureHandler: (request, reply, type, value) => {
        if (isOpsRoute(request.url) || startingUp()) return;
        sendError(request, reply, new QrwError('SATURATED', `The server is overloaded (${type} at ${Math.round(Number(value))}); retry shortly.`), config.maxBodyBytes);
      },
    });
  }
  if (config.rateLimitMax !== undefined) {
    // Loaded only when configured, like ioredis: off by default.
    const { default: rateLimit } = await import('@fastify/rate-limit');
    await server.register(rateLimit, {
      max: config.rateLimitMax,
      timeWindow: config.rateLimitWindowMs,
      // With Redis every replica counts against the same limit; while Redis is unreachable requests are not limited.
      ...(redis && { redis, nameSpace: `${config.redisKeyPrefix}rate:`, skipOnError: true }),
      allowList: (request) => isOpsRoute(request.url),
      errorResponseBuilder: (_request, context) => new QrwError('RATE_LIMITED', `Too many requests: the limit is ${context.max} per ${context.after === undefined ? 'window' : 'window; retry in ' + context.after}.`),
    });
  }

  registerHealthRoutes(server, VERSION, readiness, metrics);
  registerGenerateRoutes(server, generator, config.cacheMaxAgeSeconds);
  registerDecodeRoutes(server, pool, metrics, { maxSide: config.decodeMaxSide, maxPixels: config.maxImagePixels, maxBodyBytes: config.maxBodyBytes });
  if (!(await registerWebRoutes(server))) server.log.warn('The web page is not built (npm run build); only the API is served.');
  return { server, readiness, metrics };
}
