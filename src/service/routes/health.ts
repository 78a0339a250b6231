import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../metrics.js';

export interface Readiness {
  /** False once shutdown has begun, so balancers stop sending traffic before the listener closes. */
  accepting: boolean;
}

export function registerHealthRoutes(app: FastifyInstance, version: string, readiness: Readiness, metrics: Metrics): void {
  const hidden = { hide: true } as const;
  app.get('/health', { schema: { summary: 'Liveness', tags: ['ops'] } }, async () => ({ status: 'healthy', service: 'qr-workshop', version }));
  app.get('/ready', { schema: { summary: 'Readiness: 503 while starting or shutting down', tags: ['ops'] } }, async (_request, reply) =>
    readiness.accepting ? { status: 'ready' } : reply.code(503).header('Retry-After', '1').send({ status: 'not-ready', reason: 'shutting down' }),
  );
  app.get('/metrics', { schema: { ...hidden } }, async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
}
