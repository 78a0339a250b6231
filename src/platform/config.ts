/**
 * Every setting of the service, each defined once: its environment variable, its parser and default,
 * and what it means. `Config`, `loadConfig` and the README's table are derived from this list.
 */
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ISNET_PROFILES, ONNX_DEVICES } from '../idphoto/onnx-device.js';
import { NATIVE_DECODE_MODES } from '../recognise/input/native.js';

export const TOOLS = ['qr', 'idphoto'] as const;
export type Tool = (typeof TOOLS)[number];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

interface SettingSpec<T> {
  readonly env: string;
  /** The default as the README shows it. */
  readonly default: string;
  readonly meaning: string;
  /** The variable's trimmed value (undefined when unset or blank) -> the setting; `prior` holds the settings listed before it. */
  parse(raw: string | undefined, prior: Readonly<Record<string, unknown>>): T;
}

function setting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return spec;
}

function integer(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): (raw: string | undefined) => number {
  return (raw) => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got "${raw}".`);
    return n;
  };
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

function boolean(name: string, fallback: boolean): (raw: string | undefined) => boolean {
  return (raw) => {
    if (raw === undefined) return fallback;
    const value = raw.toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(value)) return true;
    if (['0', 'false', 'no', 'off'].includes(value)) return false;
    throw new ConfigError(`${name} must be true or false; got "${raw}".`);
  };
}

function oneOf<T extends string>(name: string, values: readonly T[], fallback: T): (raw: string | undefined) => T {
  return (raw) => {
    if (raw === undefined) return fallback;
    const value = raw.toLowerCase();
    if (!(values as readonly string[]).includes(value)) throw new ConfigError(`${name} must be one of ${values.join(', ')}; got "${value}".`);
    return value as T;
  };
}

const text =
  (fallback: string) =>
  (raw: string | undefined): string =>
    raw ?? fallback;

export const SETTING_SPECS = {
  port: setting({ env: 'PORT', default: '8080', meaning: 'TCP port to listen on (0 picks a free one)', parse: integer('PORT', 8080, 0, 65535) }),
  host: setting({ env: 'HOST', default: '0.0.0.0', meaning: 'address to bind', parse: text('0.0.0.0') }),
  logLevel: setting({ env: 'LOG_LEVEL', default: 'info', meaning: 'pino level: fatal, error, warn, info, debug, trace, silent', parse: text('info') }),
  poolThreads: setting({ env: 'POOL_THREADS', default: 'number of cores', meaning: 'worker threads for decoding and raster work', parse: integer('POOL_THREADS', availableParallelism(), 1, 256) }),
  poolMaxQueue: setting({
    env: 'POOL_MAX_QUEUE',
    default: '16 x threads',
    meaning: 'tasks that may wait for a thread; beyond it requests get 503 + Retry-After at once',
    parse: (raw, prior) => integer('POOL_MAX_QUEUE', (prior.poolThreads as number) * 16, 0, 1_000_000)(raw),
  }),
  maxBodyBytes: setting({ env: 'MAX_BODY_BYTES', default: '10485760', meaning: 'largest request body (upload) in bytes; larger gets 413', parse: integer('MAX_BODY_BYTES', 10 * 1024 * 1024, 1024) }),
  maxImagePixels: setting({
    env: 'MAX_IMAGE_PIXELS',
    default: '25000000',
    meaning: 'largest image (width x height) accepted for decoding; larger gets 422 before any pixel is decoded',
    parse: integer('MAX_IMAGE_PIXELS', 25_000_000, 1),
  }),
  decodeMaxSide: setting({
    env: 'DECODE_MAX_SIDE',
    default: '1200',
    meaning:
      'images are read downscaled to this longest side first; then, for pictures over 2x larger, at full size up to 3x this side, else at 2x; full size with every option only when nothing was found',
    parse: integer('DECODE_MAX_SIDE', 1200, 64, 65535),
  }),
  generateCacheBytes: setting({
    env: 'GENERATE_CACHE_BYTES',
    default: '8388608',
    meaning: 'in-process LRU cache of generated images, in bytes of memory (each image counted with ~1.5 KB of bookkeeping; 0 turns it off)',
    parse: integer('GENERATE_CACHE_BYTES', 8 * 1024 * 1024, 0),
  }),
  cacheMaxAgeSeconds: setting({ env: 'CACHE_MAX_AGE', default: '86400', meaning: 'Cache-Control max-age in seconds for GET /api/v1/generate', parse: integer('CACHE_MAX_AGE', 86_400, 0) }),
  rateLimitMax: setting({
    env: 'RATE_LIMIT_MAX',
    default: '(off)',
    meaning: 'requests per client IP per window on the API; unset turns rate limiting off',
    parse: (raw): number | undefined => (raw === undefined ? undefined : integer('RATE_LIMIT_MAX', 0, 1)(raw)),
  }),
  rateLimitWindowMs: setting({
    env: 'RATE_LIMIT_WINDOW',
    default: '60s',
    meaning: 'the rate-limit window: a number of ms or e.g. 500ms, 60s, 5m, 1h',
    parse: (raw) => parseDuration('RATE_LIMIT_WINDOW', raw ?? '60s'),
  }),
  trustProxy: setting({ env: 'TRUST_PROXY', default: 'false', meaning: 'true behind a reverse proxy, so client IPs come from X-Forwarded-For', parse: boolean('TRUST_PROXY', false) }),
  shutdownTimeoutMs: setting({
    env: 'SHUTDOWN_TIMEOUT_MS',
    default: '10000',
    meaning: 'on SIGTERM, how long in-flight requests may take before the process exits anyway',
    parse: integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0),
  }),
  requestTimeoutMs: setting({
    env: 'REQUEST_TIMEOUT_MS',
    default: '30000',
    meaning: 'a client silent this long mid-request is disconnected; a whole request must arrive within it',
    parse: integer('REQUEST_TIMEOUT_MS', 30_000, 1000),
  }),
  redisUrl: setting({
    env: 'REDIS_URL',
    default: '(off)',
    meaning: 'e.g. redis://redis:6379/0: replicas share the generate cache and the rate-limit counters; unset keeps both in-process',
    parse: (raw): string | undefined => {
      if (raw === undefined) return undefined;
      if (!/^rediss?:\/\/[^\s]+$/.test(raw)) throw new ConfigError(`REDIS_URL must look like redis://host:6379/0 (or rediss:// for TLS); got "${raw}".`);
      return raw;
    },
  }),
  redisKeyPrefix: setting({ env: 'REDIS_KEY_PREFIX', default: 'qrw:', meaning: 'prefix of every Redis key this service writes', parse: text('qrw:') }),
  sharedCacheTtlSeconds: setting({ env: 'SHARED_CACHE_TTL', default: '86400', meaning: 'seconds a generated image stays in the shared (Redis) cache', parse: integer('SHARED_CACHE_TTL', 86_400, 1) }),
  maxEventLoopDelayMs: setting({
    env: 'MAX_EVENT_LOOP_DELAY_MS',
    default: '500',
    meaning:
      'when the event loop lags more than this (mean over 1 s), API requests get 503 + Retry-After at once (0 turns it off); probes still answer; readings start 2 s after the listener opens, so start-up work does not count as lag',
    parse: integer('MAX_EVENT_LOOP_DELAY_MS', 500, 0),
  }),
  nativeDecode: setting({
    env: 'NATIVE_DECODE',
    default: 'auto',
    meaning:
      'auto: read plain PNGs and JPEGs with the native decoders (libdeflate, libjpeg-turbo) when they were built at install, else the portable path; off: always the portable path; required: refuse to start without them',
    parse: oneOf('NATIVE_DECODE', NATIVE_DECODE_MODES, 'auto'),
  }),
  corsOrigins: setting({
    env: 'CORS_ORIGINS',
    default: '(none)',
    meaning: 'comma-separated origins allowed to call the API from a browser (e.g. https://app.example.com), or * for any; unset: same origin only',
    parse: (raw): readonly string[] =>
      (raw ?? '')
        .split(',')
        .map((o) => o.trim().replace(/\/$/, ''))
        .filter(Boolean),
  }),
  tools: setting({
    env: 'TOOLS',
    default: 'qr,idphoto',
    meaning: "the tools this process serves: qr, idphoto or both (comma-separated); an ID-photo-only process also answers the original ID-photo service's routes",
    parse: (raw): readonly Tool[] => {
      const tools = (raw ?? 'qr,idphoto')
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean);
      const bad = tools.find((t) => !(TOOLS as readonly string[]).includes(t));
      if (bad !== undefined || tools.length === 0) throw new ConfigError(`TOOLS must list one or more of ${TOOLS.join(', ')}; got "${raw}".`);
      return [...new Set(tools)] as Tool[];
    },
  }),
  idphotoThreads: setting({
    env: 'IDPHOTO_THREADS',
    default: 'cores, or half of them beside the QR tool',
    meaning: 'worker threads making ID photos (each holds its models, ~150 MB); apart from POOL_THREADS so photos never take the QR threads',
    parse: (raw, prior) => {
      const cores = availableParallelism();
      const shared = (prior.tools as readonly Tool[]).includes('qr');
      return integer('IDPHOTO_THREADS', shared ? Math.max(1, Math.ceil(cores / 2)) : cores, 1, 256)(raw);
    },
  }),
  idphotoMaxQueue: setting({
    env: 'IDPHOTO_MAX_QUEUE',
    default: '4 x threads',
    meaning: 'ID photos that may wait for a thread; beyond it requests get 503 + Retry-After at once',
    parse: (raw, prior) => integer('IDPHOTO_MAX_QUEUE', (prior.idphotoThreads as number) * 4, 0, 100_000)(raw),
  }),
  idphotoMaxSide: setting({
    env: 'IDPHOTO_MAX_SIDE',
    default: '1600',
    meaning: 'portraits are decoded shrunk to this longest side (the photos need far fewer pixels; memory stays bounded whatever the upload)',
    parse: integer('IDPHOTO_MAX_SIDE', 1600, 256, 8192),
  }),
  idphotoCacheBytes: setting({
    env: 'IDPHOTO_CACHE_BYTES',
    default: '33554432',
    meaning: 'in-process cache of finished ID photos by hash of the upload and options, in bytes (0 turns it off)',
    parse: integer('IDPHOTO_CACHE_BYTES', 32 * 1024 * 1024, 0),
  }),
  idphotoResultTtlSeconds: setting({
    env: 'IDPHOTO_RESULT_TTL',
    default: '300',
    meaning: 'seconds a finished ID photo is kept (in-process and in Redis), then forgotten',
    parse: integer('IDPHOTO_RESULT_TTL', 300, 1),
  }),
  idphotoRateLimitMax: setting({
    env: 'IDPHOTO_RATE_LIMIT_MAX',
    default: '(off)',
    meaning: 'ID photos per client IP per RATE_LIMIT_WINDOW (the original service allowed 10 a minute); unset: only RATE_LIMIT_MAX applies',
    parse: (raw): number | undefined => (raw === undefined ? undefined : integer('IDPHOTO_RATE_LIMIT_MAX', 0, 1)(raw)),
  }),
  idphotoDevice: setting({
    env: 'IDPHOTO_DEVICE',
    default: 'cpu',
    meaning: "cpu, or cuda: BlazeFace and ISNet on onnxruntime's CUDA provider (see ID photos; untested)",
    parse: oneOf('IDPHOTO_DEVICE', ONNX_DEVICES, 'cpu'),
  }),
  idphotoIsnetProfile: setting({
    env: 'IDPHOTO_ISNET_PROFILE',
    default: 'lean',
    meaning: "the isnet engine's memory against time: lean (~0.85 GB for the server) or fast (memory arena kept between photos: ~17 % faster, ~0.2 GB more)",
    parse: oneOf('IDPHOTO_ISNET_PROFILE', ISNET_PROFILES, 'lean'),
  }),
  batchMaxRows: setting({
    env: 'BATCH_MAX_ROWS',
    default: '100000',
    meaning: 'rows (or images) one synchronous batch request may carry; a larger batch gets 413 pointing to POST /api/v1/jobs',
    parse: integer('BATCH_MAX_ROWS', 100_000, 1),
  }),
  batchMaxBytes: setting({
    env: 'BATCH_MAX_BYTES',
    default: '67108864',
    meaning: 'body of one synchronous batch request (rows, or a ZIP of images), in bytes; larger goes to POST /api/v1/jobs',
    parse: integer('BATCH_MAX_BYTES', 64 * 1024 * 1024, 1024),
  }),
  jobsDir: setting({
    env: 'JOBS_DIR',
    default: '<tmp>/qr-workshop-jobs',
    meaning: 'where job inputs and results are kept until they expire; with REDIS_URL every API and worker process must see the same directory (a shared volume)',
    parse: (raw) => raw ?? join(tmpdir(), 'qr-workshop-jobs'),
  }),
  jobMaxBytes: setting({ env: 'JOB_MAX_BYTES', default: '1073741824', meaning: 'body of one job (rows, or a ZIP of images), in bytes', parse: integer('JOB_MAX_BYTES', 1024 ** 3, 1024) }),
  jobMaxRows: setting({ env: 'JOB_MAX_ROWS', default: '10000000', meaning: 'rows (or images) one job may carry', parse: integer('JOB_MAX_ROWS', 10_000_000, 1) }),
  jobMaxQueued: setting({ env: 'JOB_MAX_QUEUED', default: '1000', meaning: 'jobs that may wait; beyond it POST /api/v1/jobs gets 503 + Retry-After', parse: integer('JOB_MAX_QUEUED', 1000, 1) }),
  jobResultTtlSeconds: setting({
    env: 'JOB_RESULT_TTL',
    default: '86400',
    meaning: "seconds a finished job's state and result are kept; then both are deleted with every file of the job",
    parse: integer('JOB_RESULT_TTL', 86_400, 1),
  }),
  jobConcurrency: setting({
    env: 'JOB_CONCURRENCY',
    default: '1; IDPHOTO_THREADS for the ID-photo tool alone',
    meaning: "jobs this process runs at once (a batch uses the whole pool; the original ID-photo API's single photos one thread each); 0: the API only queues them and `qrw worker` processes run them",
    parse: (raw, prior) => integer('JOB_CONCURRENCY', (prior.tools as readonly Tool[]).includes('qr') ? 1 : (prior.idphotoThreads as number), 0, 64)(raw),
  }),
  jobLockMs: setting({
    env: 'JOB_LOCK_TIMEOUT',
    default: '30s',
    meaning: 'with REDIS_URL: a worker silent this long (killed, frozen) loses its job, which another worker starts again',
    parse: (raw) => parseDuration('JOB_LOCK_TIMEOUT', raw ?? '30s'),
  }),
  jobCallbackPrivate: setting({
    env: 'JOB_CALLBACK_PRIVATE',
    default: 'false',
    meaning: "true lets a job's callback URL name a private, loopback or link-local address (refused by default)",
    parse: boolean('JOB_CALLBACK_PRIVATE', false),
  }),
  authMode: setting({
    env: 'AUTH_MODE',
    default: 'off',
    meaning:
      'API keys (`qrw keys`): off (no keys read), optional (requests without a key are anonymous, with one they are its own), required (the API answers 401 without a key; probes, /metrics, the page and /docs stay open)',
    parse: oneOf('AUTH_MODE', ['off', 'optional', 'required'] as const, 'off'),
  }),
  accountsDb: setting({
    env: 'ACCOUNTS_DB',
    default: '<tmp>/qr-workshop-accounts.db',
    meaning: 'without REDIS_URL: the SQLite file that holds the API keys (hashed) and their usage; with REDIS_URL both are kept in Redis',
    parse: (raw) => raw ?? join(tmpdir(), 'qr-workshop-accounts.db'),
  }),
} as const;

type Specs = typeof SETTING_SPECS;

export type Config = { readonly [K in keyof Specs]: ReturnType<Specs[K]['parse']> };

export interface SettingDoc {
  readonly env: string;
  readonly default: string;
  readonly meaning: string;
}

/** The settings as documented (the README's table is generated from this). */
export const SETTINGS: readonly SettingDoc[] = Object.values(SETTING_SPECS).map(({ env, default: d, meaning }) => ({ env, default: d, meaning }));

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(SETTING_SPECS) as [string, SettingSpec<unknown>][]) {
    config[key] = spec.parse(env[spec.env]?.trim() || undefined, config);
  }
  return config as Config;
}
