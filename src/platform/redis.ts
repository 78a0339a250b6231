import type { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

/** Reconnect forever, backing off to at most this: Redis coming back must be noticed without a restart. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * A Redis connection tuned for a cache and rate-limit counters, where a slow answer is worse than none:
 * commands fail at once while disconnected (no offline queue) and time out after COMMAND_TIMEOUT_MS,
 * so callers degrade (cache miss, limit skipped) instead of waiting.
 */
export const COMMAND_TIMEOUT_MS = 250;

/** ioredis is loaded only when Redis is configured: it adds ~0.7 MiB to the main thread's heap (measured after fastify). */
export async function connectRedis(url: string, log: FastifyBaseLogger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS),
  });
  let healthy: boolean | undefined;
  client.on('ready', () => {
    if (healthy !== true) log.info('redis: connected; the generate cache and rate limits are shared');
    healthy = true;
  });
  client.on('error', (err: Error) => {
    if (healthy !== false) log.warn({ err: err.message }, 'redis: unavailable; generate cache is local and rate limits are not enforced until it returns');
    healthy = false;
  });
  return client;
}

export type RedisState = 'off' | 'ready' | 'unavailable';

export function redisState(client: Redis | undefined): RedisState {
  if (!client) return 'off';
  return client.status === 'ready' ? 'ready' : 'unavailable';
}
