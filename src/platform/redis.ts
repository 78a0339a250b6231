import type { Redis, RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

/** Reconnect forever, backing off to at most this: Redis coming back must be noticed without a restart. */
const MAX_RECONNECT_DELAY_MS = 2000;

/** A command on the cache profile that takes longer than this fails, so the caller degrades instead of waiting. */
export const COMMAND_TIMEOUT_MS = 250;

/**
 * One connection profile per use. `cache`: the generate cache and rate-limit counters, where a slow
 * answer is worse than none: commands fail at once while disconnected (no offline queue) and time
 * out quickly, so callers degrade (cache miss, limit skipped). `queue`: job queues (BullMQ), whose
 * blocking commands must wait out an outage: commands queue while disconnected and are retried.
 */
export const REDIS_PROFILES = {
  cache: { enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 2000, commandTimeout: COMMAND_TIMEOUT_MS },
  queue: { enableOfflineQueue: true, maxRetriesPerRequest: null, connectTimeout: 2000 },
} as const satisfies Record<string, RedisOptions>;

export type RedisProfile = keyof typeof REDIS_PROFILES;

/** ioredis is loaded only when Redis is configured: without REDIS_URL the service never needs it. */
export async function connectRedis(url: string, profile: RedisProfile, log: Logger): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { ...REDIS_PROFILES[profile], retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS) });
  let healthy: boolean | undefined;
  client.on('ready', () => {
    if (healthy !== true) log.info({ profile }, 'redis: connected');
    healthy = true;
  });
  client.on('error', (err: Error) => {
    if (healthy !== false)
      log.warn(
        { profile, err: err.message },
        profile === 'cache' ? 'redis: unavailable; generate cache is local and rate limits are not enforced until it returns' : 'redis: unavailable; waiting for it',
      );
    healthy = false;
  });
  return client;
}

export type RedisState = 'off' | 'ready' | 'unavailable';

export function redisState(client: Redis | undefined): RedisState {
  if (!client) return 'off';
  return client.status === 'ready' ? 'ready' : 'unavailable';
}
