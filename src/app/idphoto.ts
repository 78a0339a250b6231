/**
 * The ID-photo use cases for HTTP, the CLI and jobs: a photo (with its sheet and report), the crop
 * without matting, the cut-out, and sheets from finished photos. Photos are cached by a hash of the
 * upload and the options, and forgotten when their time is up.
 */
import { createHash } from 'node:crypto';
import { isQrwError } from '../errors.js';
import type { DecodeLimits } from '../idphoto/codec/decode.js';
import { engineLoader, type EngineRuntime } from '../idphoto/engine-loader.js';
import { makeCutout, makeIdPhoto, makeSheet, type EncodedImage, type IdPhotoResult, type SheetRequest } from '../idphoto/make.js';
import { createModels } from '../idphoto/models.js';
import type { IdPhotoOptions } from '../idphoto/options.js';
import type { SheetSize } from '../idphoto/sheet.js';
import type { Metrics } from '../platform/metrics.js';
import type { IdPhotoPool } from '../workers/idphoto-pool.js';
import { moving } from '../workers/pool.js';
import type { CacheCodec, CacheTier, ResultCache } from './image-cache.js';

export type PhotoMode = 'photo' | 'crop';

/** Where ID-photo work runs: the pool (the service) or this thread (the CLI). */
export interface IdPhotoEngine {
  photo(bytes: Uint8Array, options: IdPhotoOptions, mode: PhotoMode, signal?: AbortSignal): Promise<IdPhotoResult>;
  cutout(bytes: Uint8Array, engine: string, signal?: AbortSignal): Promise<{ image: EncodedImage; original: { width: number; height: number } }>;
  sheet(uploads: readonly Uint8Array[], size: SheetSize, request: SheetRequest): Promise<EncodedImage>;
  /** True while more work would be refused (SATURATED). */
  readonly saturated: boolean;
  /** Frees the models (in this thread) or nothing (the pool is closed by its owner). */
  close(): Promise<void>;
}

/**
 * The pools: `pool` for every engine, except that photos asking for an engine in `dedicated` go to its
 * own pool (ISNet: one thread holding one large model, with every core for its inference).
 */
export function poolIdPhotoEngine(pool: IdPhotoPool, dedicated: Readonly<Record<string, IdPhotoPool>> = {}): IdPhotoEngine {
  const poolFor = (engine: string): IdPhotoPool => dedicated[engine] ?? pool;
  return {
    photo: (bytes, options, mode, signal) => poolFor(options.engine).run({ kind: 'photo', bytes, options, mode }, moving(bytes, signal)),
    cutout: (bytes, engine, signal) => poolFor(engine).run({ kind: 'cutout', bytes, engine }, moving(bytes, signal)),
    sheet: (uploads, size, request) => pool.run({ kind: 'sheet', uploads, size, request }),
    get saturated() {
      return pool.full;
    },
    close: () => Promise.resolve(),
  };
}

export function inProcessIdPhotoEngine(limits: DecodeLimits, runtime: EngineRuntime = {}): IdPhotoEngine {
  const models = createModels(engineLoader(runtime), runtime.device);
  return {
    photo: (bytes, options, mode) => makeIdPhoto(bytes, options, models, limits, mode),
    cutout: (bytes, engine) => makeCutout(bytes, engine, models, limits),
    sheet: (uploads, size, request) => makeSheet(uploads, size, request, limits),
    saturated: false,
    close: () => models.release(),
  };
}

/** [u32 length of the JSON head][head: the report and each image's metadata and length][the images' bytes]. */
export const idPhotoCodec: CacheCodec<IdPhotoResult> = {
  bytes: (v) => v.photo.data.byteLength + (v.hires?.data.byteLength ?? 0) + (v.sheet?.data.byteLength ?? 0) + 4096,
  pack(v) {
    const meta = (i: EncodedImage | null) => i && { contentType: i.contentType, width: i.width, height: i.height, dpi: i.dpi, length: i.data.byteLength };
    const head = Buffer.from(JSON.stringify({ report: v.report, photo: meta(v.photo), hires: meta(v.hires), sheet: meta(v.sheet) }));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(head.length);
    return Buffer.concat([length, head, v.photo.data, ...(v.hires ? [v.hires.data] : []), ...(v.sheet ? [v.sheet.data] : [])]);
  },
  unpack(stored) {
    try {
      const headLength = stored.readUInt32BE(0);
      type Meta = Omit<EncodedImage, 'data'> & { length: number };
      const head = JSON.parse(stored.subarray(4, 4 + headLength).toString()) as { report: IdPhotoResult['report']; photo: Meta; hires: Meta | null; sheet: Meta | null };
      let offset = 4 + headLength;
      const take = (m: Meta | null): EncodedImage | null => {
        if (!m) return null;
        const data = stored.subarray(offset, offset + m.length);
        if (data.length !== m.length) throw new RangeError('truncated');
        offset += m.length;
        return { contentType: m.contentType, width: m.width, height: m.height, dpi: m.dpi, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
      };
      const photo = take(head.photo)!;
      return { report: head.report, photo, hires: take(head.hires), sheet: take(head.sheet) };
    } catch {
      return undefined; // a foreign or truncated value under our key: make it again
    }
  },
};

export type PhotoOutcome = IdPhotoResult & { readonly cached: CacheTier | false };

/** How a photo, a crop or a cut-out ended, for the metrics: made, refused for its face, refused as bad input, or failed. */
export type IdPhotoOutcomeLabel = 'ok' | 'no_face' | 'multiple_faces' | 'too_small' | 'invalid' | 'error';
export type IdPhotoWork = PhotoMode | 'cutout';

/** The outcome of a failure: the face codes by name, any other refusal of the input as invalid, the rest (a bug, a full queue, a client gone) as error. */
export function outcomeOf(err: unknown): IdPhotoOutcomeLabel {
  if (!isQrwError(err)) return 'error';
  switch (err.code) {
    case 'NO_FACE':
      return 'no_face';
    case 'MULTIPLE_FACES':
      return 'multiple_faces';
    case 'FACE_TOO_SMALL':
      return 'too_small';
    case 'INVALID_OPTION':
    case 'MISSING_IMAGE':
    case 'EMPTY_IMAGE':
    case 'UNSUPPORTED_IMAGE':
    case 'CORRUPT_IMAGE':
    case 'IMAGE_TOO_LARGE':
    case 'ENGINE_UNAVAILABLE':
      return 'invalid';
    default:
      return 'error';
  }
}

/**
 * Called once per photo, crop or cut-out: its outcome and, when the work ran (not a cache hit), how
 * long it took in seconds, the wait for a thread included.
 */
export type IdPhotoOutcomeListener = (work: IdPhotoWork, outcome: IdPhotoOutcomeLabel, seconds: number | undefined) => void;

/** The listener that counts photos and times them in the metrics. */
export function idPhotoMetrics(metrics: Metrics): IdPhotoOutcomeListener {
  return (work, outcome, seconds) => {
    metrics.idphotos.inc({ work, outcome });
    if (seconds !== undefined) metrics.idphotoDuration.observe({ work, outcome }, seconds);
  };
}

export class IdPhotoService {
  constructor(
    private readonly engine: IdPhotoEngine,
    private readonly cache: ResultCache<IdPhotoResult>,
    private readonly onCache?: (tier: CacheTier | false) => void,
    private readonly onOutcome?: IdPhotoOutcomeListener,
  ) {}

  /** Runs the work, and reports its outcome and duration. */
  private async measured<T>(work: IdPhotoWork, run: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      const value = await run();
      this.onOutcome?.(work, 'ok', (performance.now() - start) / 1000);
      return value;
    } catch (err) {
      this.onOutcome?.(work, outcomeOf(err), (performance.now() - start) / 1000);
      throw err;
    }
  }

  get saturated(): boolean {
    return this.engine.saturated;
  }

  /** A photo (mode 'photo') or a crop without matting ('crop'), from the cache when the same upload came with the same options. */
  async photo(bytes: Uint8Array, options: IdPhotoOptions, mode: PhotoMode, signal?: AbortSignal): Promise<PhotoOutcome> {
    // Hashed before the bytes are moved to a thread (which detaches them here).
    const key = createHash('sha256').update(bytes).update(JSON.stringify({ options, mode })).digest('base64url');
    const hit = await this.cache.get(key);
    this.onCache?.(hit ? hit.tier : false);
    if (hit) {
      this.onOutcome?.(mode, 'ok', undefined);
      return { ...hit.value, cached: hit.tier };
    }
    const result = await this.measured(mode, () => this.engine.photo(bytes, options, mode, signal));
    this.cache.set(key, result);
    return { ...result, cached: false };
  }

  cutout(bytes: Uint8Array, engine: string, signal?: AbortSignal): ReturnType<IdPhotoEngine['cutout']> {
    return this.measured('cutout', () => this.engine.cutout(bytes, engine, signal));
  }

  sheet(uploads: readonly Uint8Array[], size: SheetSize, request: SheetRequest): Promise<EncodedImage> {
    return this.engine.sheet(uploads, size, request);
  }
}
