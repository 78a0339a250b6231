/** The HTTP app: wiring only. Plugins bound the edge; routes translate between HTTP and the use cases. */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cors from '@fastify/cors';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Accounts } from '../accounts/accounts.js';
import type { DecodeService } from '../app/decode.js';
import type { GenerateService } from '../app/generate.js';
import type { IdPhotoService } from '../app/idphoto.js';
import type { BatchTools } from '../jobs/setup.js';
import type { Config } from '../platform/config.js';
import type { Metrics } from '../platform/metrics.js';
import { redisState } from '../platform/redis.js';
import { VERSION } from '../platform/version.js';
import { registerAuth } from './plugins/auth.js';
import { registerBodyDeadline, silentConnectionsCloser } from './plugins/connections.js';
import { registerDocs } from './plugins/docs.js';
import { frameworkErrors, registerErrorHandling } from './plugins/errors.js';
import { registerObservability } from './plugins/observability.js';
import { registerOverload, shedWhenSaturated } from './plugins/overload.js';
import { registerUploads } from './plugins/uploads.js';
import { registerWebRoutes } from './plugins/web.js';
import { registerAccountRoutes } from './routes/accounts.js';
import { registerBatchDecodeRoutes } from './routes/batch-decode.js';
import { registerBatchGenerateRoutes } from './routes/batch-generate.js';
import { registerBatchIdPhotoRoutes } from './routes/batch-idphoto.js';
import { registerDecodeRoutes } from './routes/decode.js';
import { registerGenerateRoutes } from './routes/generate.js';
import { registerHealthRoutes, type Readiness } from './routes/health.js';
import { registerIdPhotoRoutes } from './routes/idphoto.js';
import { registerIdPhotoCompatRoutes } from './routes/idphoto-compat.js';
import { registerJobRoutes } from './routes/jobs.js';

export interface AppDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The QR tool (absent when TOOLS leaves it out). */
  readonly generate?: GenerateService;
  readonly decode?: DecodeService;
  /** True while the QR workers would refuse more work: decode requests are then refused before their upload is read. */
  readonly saturated?: () => boolean;
  /** The ID-photo tool (absent when TOOLS leaves it out). */
  readonly idphoto?: IdPhotoService;
  /** Batches of each tool served, and jobs. */
  readonly batch?: BatchTools | undefined;
  /** The cache-profile connection, for shared rate-limit counters and /ready. */
  readonly redis?: Redis | undefined;
  /** API keys, quotas and usage (AUTH_MODE optional or required). */
  readonly accounts?: Accounts | undefined;
}

export interface App {
  readonly server: FastifyInstance;
  readonly readiness: Readiness;
  readonly metrics: Metrics;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, metrics, redis } = deps;
  const server = Fastify({
    // Typed as Fastify's logger so that plugins and routes take the app as a plain FastifyInstance.
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: config.maxBodyBytes,
    trustProxy: config.trustProxy,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    // One line per request, written when it completes (observability.ts), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // A client that stalls mid-request is disconnected after this much silence, and a whole request must arrive within it.
    connectionTimeout: config.requestTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // Node checks request deadlines every connectionsCheckingInterval (30 s by default): at least every second here.
    http: { connectionsCheckingInterval: Math.min(1000, config.requestTimeoutMs) },
    // Fastify's own refusals before routing (a path parameter over 100 characters, a path that is not UTF-8) answer with our codes.
    frameworkErrors: frameworkErrors(config.maxBodyBytes),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });

  // preClose runs just before Fastify stops the listener, with no turn of the event loop in between.
  const closeSilentConnections = silentConnectionsCloser(server.server);
  server.addHook('preClose', async () => closeSilentConnections());
  const readiness: Readiness = { accepting: true, redis: () => redisState(redis) };
  server.addHook('onSend', async (_request, reply) => {
    // While shutting down, keep-alive connections would hold the listener open: close each after its response.
    if (!readiness.accepting) reply.header('Connection', 'close');
  });

  registerBodyDeadline(server, config.requestTimeoutMs);
  registerErrorHandling(server, config.maxBodyBytes);
  registerObservability(server, metrics);
  await registerUploads(server, config.maxBodyBytes);
  await registerDocs(server);
  if (config.corsOrigins.length > 0) {
    await server.register(cors, {
      origin: config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
      methods: ['GET', 'POST'],
      exposedHeaders: [
        'ETag',
        'X-Cache',
        'X-Request-Id',
        'X-QR-Version',
        'X-QR-EC',
        'X-QR-Mask',
        'X-QR-Modules',
        'X-QR-Data-Bytes',
        'X-QR-Capacity-Used',
        'Retry-After',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
      ],
      maxAge: 600,
    });
  }
  // Before the per-IP limits: a request's key decides its limits.
  if (deps.accounts) registerAuth(server, deps.accounts, config);
  await registerOverload(server, config, redis);

  registerHealthRoutes(server, VERSION, readiness, metrics);
  if (deps.accounts) registerAccountRoutes(server, deps.accounts);
  if (deps.generate && deps.decode) {
    registerGenerateRoutes(server, deps.generate, config.cacheMaxAgeSeconds);
    registerDecodeRoutes(server, deps.decode, shedWhenSaturated(deps.saturated ?? (() => false)), config.maxBodyBytes);
    if (deps.batch?.generate) await registerBatchGenerateRoutes(server, deps.batch.generate, { maxRows: config.batchMaxRows, maxBytes: config.batchMaxBytes });
    if (deps.batch?.decode) registerBatchDecodeRoutes(server, deps.batch.decode, shedWhenSaturated(deps.saturated ?? (() => false)), config);
  }
  if (deps.batch) registerJobRoutes(server, deps.batch.jobs, { maxBytes: config.jobMaxBytes, maxFileBytes: config.maxBodyBytes, maxFiles: config.jobMaxRows });
  const idphoto = deps.idphoto;
  const idphotoRateLimit = config.idphotoRateLimitMax !== undefined ? { max: config.idphotoRateLimitMax, timeWindow: config.rateLimitWindowMs } : undefined;
  registerIdPhotoRoutes(
    server,
    idphoto,
    idphoto && {
      shedWhenFull: shedWhenSaturated(() => idphoto.saturated),
      ...(idphotoRateLimit && { rateLimit: idphotoRateLimit }),
    },
  );
  if (idphoto && deps.batch?.idphoto) registerBatchIdPhotoRoutes(server, deps.batch.idphoto, { limits: config, shedWhenFull: shedWhenSaturated(() => idphoto.saturated), rateLimit: idphotoRateLimit });
  // The ID-photo service alone answers the original ID-photo service's routes (with the QR tool, /api/v1/generate is the QR route).
  if (idphoto && deps.batch && !deps.generate && !config.tools.includes('qr')) {
    registerIdPhotoCompatRoutes(server, deps.batch.jobs, {
      maxBodyBytes: config.maxBodyBytes,
      shedWhenFull: shedWhenSaturated(() => idphoto.saturated),
      rateLimit: idphotoRateLimit,
    });
  }
  if (!(await registerWebRoutes(server))) server.log.warn('The web page is not built (npm run build); only the API is served.');
  return { server, readiness, metrics };
}
