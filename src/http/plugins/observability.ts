import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../../platform/metrics.js';

/** One log line and one metrics sample per request, written when it completes; the request id on every answer. */
export function registerObservability(server: FastifyInstance, metrics: Metrics): void {
  server.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
  server.addHook('onResponse', async (request, reply) => {
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
    request.log.info({ req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
  });
}
