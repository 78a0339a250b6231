import { availableParallelism } from 'node:os';
import { NATIVE_DECODE_MODES, type NativeDecodeMode } from '../recognise/input/native.js';

/** Every setting of the service; each comes from one environment variable with a safe default. */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly poolThreads: number;
  readonly poolMaxQueue: number;
  readonly maxBodyBytes: number;
  readonly maxImagePixels: number;
  readonly decodeMaxSide: number;
  readonly generateCacheBytes: number;
  readonly cacheMaxAgeSeconds: number;
  readonly rateLimitMax: number | undefined;
  readonly rateLimitWindowMs: number;
  readonly trustProxy: boolean;
  readonly shutdownTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly sharedCacheTtlSeconds: number;
  readonly maxEventLoopDelayMs: number;
  readonly corsOrigins: readonly string[];
  readonly nativeDecode: NativeDecodeMode;
}

export interface SettingDoc {
  readonly env: string;
  readonly default: string;
  readonly meaning: string;
}

/** The README's configuration table is checked against this list by a test. */
export const SETTINGS: readonly SettingDoc[] = [
  { env: 'PORT', default: '8080', meaning: 'TCP port to listen on (0 picks a free one)' },
  { env: 'HOST', default: '0.0.0.0', meaning: 'address to bind' },
  { env: 'LOG_LEVEL', default: 'info', meaning: 'pino level: fatal, error, warn, info, debug, trace, silent' },
  { env: 'POOL_THREADS', default: 'number of cores', meaning: 'worker threads for decoding and raster work' },
  { env: 'POOL_MAX_QUEUE', default: '16 x threads', meaning: 'tasks that may wait for a thread; beyond it requests get 503 + Retry-After at once' },
  { env: 'MAX_BODY_BYTES', default: '10485760', meaning: 'largest request body (upload) in bytes; larger gets 413' },
  { env: 'MAX_IMAGE_PIXELS', default: '25000000', meaning: 'largest image (width x height) accepted for decoding; larger gets 422 before any pixel is decoded' },
  { env: 'DECODE_MAX_SIDE', default: '1200', meaning: 'images are read downscaled to this longest side first; then, for pictures over 2x larger, at full size up to 3x this side, else at 2x; full size with every option only when nothing was found' },
  { env: 'GENERATE_CACHE_BYTES', default: '8388608', meaning: 'in-process LRU cache of generated images, in bytes of memory (each image counted with ~1.5 KB of bookkeeping; 0 turns it off)' },
  { env: 'CACHE_MAX_AGE', default: '86400', meaning: 'Cache-Control max-age in seconds for GET /api/v1/generate' },
  { env: 'RATE_LIMIT_MAX', default: '(off)', meaning: 'requests per client IP per window on the API; unset turns rate limiting off' },
  { env: 'RATE_LIMIT_WINDOW', default: '60s', meaning: 'the rate-limit window: a number of ms or e.g. 500ms, 60s, 5m, 1h' },
  { env: 'TRUST_PROXY', default: 'false', meaning: 'true behind a reverse proxy, so client IPs come from X-Forwarded-For' },
  { env: 'SHUTDOWN_TIMEOUT_MS', default: '10000', meaning: 'on SIGTERM, how long in-flight requests may take before the process exits anyway' },
  { env: 'REQUEST_TIMEOUT_MS', default: '30000', meaning: 'a client silent this long mid-request is disconnected; a whole request must arrive within it' },
  { env: 'REDIS_URL', default: '(off)', meaning: 'e.g. redis://redis:6379/0: replicas share the generate cache and the rate-limit counters; unset keeps both in-process' },
  { env: 'REDIS_KEY_PREFIX', default: 'qrw:', meaning: 'prefix of every Redis key this service writes' },
  { env: 'SHARED_CACHE_TTL', default: '86400', meaning: 'seconds a generated image stays in the shared (Redis) cache' },
  { env: 'MAX_EVENT_LOOP_DELAY_MS', default: '500', meaning: 'when the event loop lags more than this (mean over 1 s), API requests get 503 + Retry-After at once (0 turns it off); probes still answer; readings start 2 s after the listener opens, so start-up work does not count as lag' },
  { env: 'NATIVE_DECODE', default: 'auto', meaning: 'auto: read plain PNGs and JPEGs with the native decoders (libdeflate, libjpeg-turbo) when they were built at install, else the portable path; off: always the portable path; required: refuse to start without them' },
  { env: 'CORS_ORIGINS', default: '(none)', meaning: 'comma-separated origins allowed to call the API from a browser (e.g. https://app.example.com), or * for any; unset: same origin only' },
];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
  return n;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "60s", "5m", "500ms", "1h" or a plain number of milliseconds. */
export function parseDuration(name: string, raw: string): number {
  const m = DURATION.exec(raw.trim());
  if (!m) throw new ConfigError(`${name} must be a duration such as 500ms, 60s, 5m or 1h; got "${raw}".`);
  const ms = Number(m[1]) * UNIT_MS[(m[2] ?? 'ms').toLowerCase()]!;
  if (!(ms >= 1)) throw new ConfigError(`${name} must be at least 1ms; got "${raw}".`);
  return Math.round(ms);
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false; got "${raw}".`);
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${values.join(', ')}; got "${raw}".`);
  return raw as T;
}

function redisUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.REDIS_URL?.trim();
  if (!raw) return undefined;
  if (!/^rediss?:\/\/[^\s]+$/.test(raw)) throw new ConfigError(`REDIS_URL must look like redis://host:6379/0 (or rediss:// for TLS); got "${raw}".`);
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const poolThreads = integer(env, 'POOL_THREADS', availableParallelism(), 1, 256);
  const rateLimitRaw = env.RATE_LIMIT_MAX?.trim();
  return {
    host: env.HOST?.trim() || '0.0.0.0',
    port: integer(env, 'PORT', 8080, 0, 65535),
    logLevel: env.LOG_LEVEL?.trim() || 'info',
    poolThreads,
    poolMaxQueue: integer(env, 'POOL_MAX_QUEUE', poolThreads * 16, 0, 1_000_000),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 10 * 1024 * 1024, 1024),
    maxImagePixels: integer(env, 'MAX_IMAGE_PIXELS', 25_000_000, 1),
    decodeMaxSide: integer(env, 'DECODE_MAX_SIDE', 1200, 64, 65535),
    generateCacheBytes: integer(env, 'GENERATE_CACHE_BYTES', 8 * 1024 * 1024, 0),
    cacheMaxAgeSeconds: integer(env, 'CACHE_MAX_AGE', 86_400, 0),
    rateLimitMax: rateLimitRaw ? integer(env, 'RATE_LIMIT_MAX', 0, 1) : undefined,
    rateLimitWindowMs: parseDuration('RATE_LIMIT_WINDOW', env.RATE_LIMIT_WINDOW?.trim() || '60s'),
    trustProxy: boolean(env, 'TRUST_PROXY', false),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0),
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 1000),
    redisUrl: redisUrl(env),
    redisKeyPrefix: env.REDIS_KEY_PREFIX?.trim() || 'qrw:',
    sharedCacheTtlSeconds: integer(env, 'SHARED_CACHE_TTL', 86_400, 1),
    maxEventLoopDelayMs: integer(env, 'MAX_EVENT_LOOP_DELAY_MS', 500, 0),
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean),
    nativeDecode: oneOf(env, 'NATIVE_DECODE', NATIVE_DECODE_MODES, 'auto'),
  };
}
