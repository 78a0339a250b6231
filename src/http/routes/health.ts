import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../platform/metrics.js';
import type { RedisState } from '../../platform/redis.js';

export interface Readiness {
  /** False once shutdown has begun, so balancers stop sending traffic before the listener closes. */
  accepting: boolean;
  /** Redis is not a reason to refuse traffic (the service degrades without it), but /ready says how it is. */
  redis: () => RedisState;
}

export function registerHealthRoutes(app: FastifyInstance, version: string, readiness: Readiness, metrics: Metrics): void {
  const hidden = { hide: true } as const;
  app.get('/health', { schema: { summary: 'Liveness', tags: ['ops'] } }, async () => ({ status: 'healthy', service: 'qr-workshop', version }));
  app.get('/ready', { schema: { summary: 'Readiness: 503 while starting or shutting down', tags: ['ops'] } }, async (_request, reply) =>
    readiness.accepting ? { status: 'ready', redis: readiness.redis() } : reply.code(503).header('Retry-After', '1').send({ status: 'not-ready', reason: 'shutting down', redis: readiness.redis() }),
  );
  app.get('/metrics', { schema: { ...hidden } }, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
}
