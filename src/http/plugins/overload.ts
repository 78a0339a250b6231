import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import underPressure from '@fastify/under-pressure';
import type { Redis } from 'ioredis';
import { QrwError } from '../../errors.js';
import type { Config } from '../../platform/config.js';
import { sendError } from './errors.js';

/** Routes that must answer even when a client is rate limited or the process is under pressure: probes and scrapes. */
const OPS_ROUTES = new Set(['/health', '/ready', '/metrics']);
export const isOpsRoute = (url: string): boolean => OPS_ROUTES.has(url.split('?')[0] ?? '');

/** How often the event-loop lag is averaged (under-pressure's default). */
const PRESSURE_SAMPLE_MS = 1000;

type OverloadSettings = Pick<Config, 'maxEventLoopDelayMs' | 'rateLimitMax' | 'idphotoRateLimitMax' | 'rateLimitWindowMs' | 'redisKeyPrefix' | 'maxBodyBytes'>;

/** Sheds API work while the event loop lags, and limits each client's rate (shared through Redis when there is one). */
export async function registerOverload(server: FastifyInstance, config: OverloadSettings, redis: Redis | undefined): Promise<void> {
  if (config.maxEventLoopDelayMs > 0) {
    // Start-up work (schema compilation, plugin loading) reads as lag: readings are trusted from two sample
    // windows after the listener opened, so a fresh replica does not refuse its first requests.
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
  if (config.rateLimitMax !== undefined || config.idphotoRateLimitMax !== undefined) {
    // Loaded only when configured: off by default. Without RATE_LIMIT_MAX only routes with their own limit (the ID photos) are limited.
    const { default: rateLimit } = await import('@fastify/rate-limit');
    await server.register(rateLimit, {
      global: config.rateLimitMax !== undefined,
      max: config.rateLimitMax ?? 1,
      timeWindow: config.rateLimitWindowMs,
      // With Redis every replica counts against the same limit; while Redis is unreachable requests are not limited.
      ...(redis && { redis, nameSpace: `${config.redisKeyPrefix}rate:`, skipOnError: true }),
      allowList: (request) => isOpsRoute(request.url),
      // A client is its API key where it sent one (plugins/auth.ts runs first), else its address: the
      // per-route limits (the ID photos' 10 a minute) hold per key, beside the key's own rate and quotas.
      keyGenerator: (request) => (request.account ? `key:${request.account.name}` : request.ip),
      errorResponseBuilder: (_request, context) =>
        new QrwError('RATE_LIMITED', `Too many requests: the limit is ${context.max} per ${context.after === undefined ? 'window' : 'window; retry in ' + context.after}.`),
    });
  }
}

/**
 * An onRequest hook that refuses work before its upload is read and parsed: under overload a refused
 * body would otherwise cost the event loop as much as an accepted one. The connection closes with the
 * 503, so Node does not read and discard the rest of the upload.
 */
export function shedWhenSaturated(saturated: () => boolean): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (_request, reply) => {
    if (!saturated()) return;
    reply.header('Connection', 'close');
    throw new QrwError('SATURATED', 'The server is at capacity; retry in a moment.');
  };
}
