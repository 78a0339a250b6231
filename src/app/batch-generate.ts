/**
 * The batch generate use case: rows in, a ZIP of their codes and a manifest out, streamed. Rows are
 * validated with the generate option registry, sent to the engine in chunks (one task each, a
 * bounded number in flight), and written in row order as their chunks come back; the output's
 * 'drain' is awaited after each chunk, so memory stays flat whatever the row count
 * (docs/design/batch.md).
 */
import { setTimeout as delay } from 'node:timers/promises';
import { EntryNamer } from '../batch/entry-names.js';
import { MANIFEST_NAME, Manifest, type ManifestLine } from '../batch/manifest.js';
import type { BatchRow, RowLimits } from '../batch/rows.js';
import { ZipWriter } from '../batch/zip-writer.js';
import { isQrwError, type QrwError } from '../errors.js';
import { OUTPUT_FORMAT_SPECS, type OutputFormat } from '../qr/formats.js';
import { GENERATE_OPTION_NAMES, canonicalOptions, parseGenerateOptions, type GenerateOptions, type RawGenerateOptions } from '../qr/options.js';
import { progressReporter, type BatchControl, type BatchSummary } from './batch.js';
import { toGenerateRequest, type GenerateRequest } from './generate.js';
import type { GenerateChunk, GeneratedChunk, QrEngine } from './qr-engine.js';

/** A text longer than this is its row's error: the largest QR code holds 2,953 bytes, 7,089 digits. */
export const MAX_ROW_TEXT_BYTES = 8 * 1024;

/** What a generate batch's rows may carry, for the row readers. */
export function generateRowLimits(maxRows: number): RowLimits {
  return { maxRows, maxTextBytes: MAX_ROW_TEXT_BYTES, optionNames: GENERATE_OPTION_NAMES };
}

export interface BatchTuning {
  /** Rows per pool task: the task's fixed cost (messages, scheduling) is paid once per chunk. */
  readonly chunkRows: number;
  /** Chunks sent ahead of the one being written: enough to keep every thread busy, few enough to bound memory. */
  readonly chunksInFlight: number;
}

/** Measured with bench/batch.ts (docs/design/batch.md). */
export const DEFAULT_TUNING: BatchTuning = { chunkRows: 256, chunksInFlight: 4 };

/** Formats whose bytes deflate well; PNG (and JSON's base64 PNG) are stored as they are. */
const DEFLATED_FORMATS: ReadonlySet<OutputFormat> = new Set(['svg', 'txt']);

/** While the pool is full (other clients' work), a chunk waits this long and asks again. */
const SATURATED_RETRY_MS = 25;

type Planned = { readonly row: number; readonly filename: string | undefined } & ({ readonly request: GenerateRequest } | { readonly error: QrwError });

interface Dispatched {
  readonly rows: readonly Planned[];
  readonly result: Promise<GeneratedChunk> | undefined;
}

const describe = (e: { code: string; message: string }): string => `${e.code}: ${e.message}`;

export class BatchGenerateService {
  constructor(
    private readonly engine: QrEngine,
    private readonly tuning: BatchTuning = DEFAULT_TUNING,
  ) {}

  /** The batch's default options (the query string) validated alone, so that a bad one is refused before any output. */
  checkDefaults(defaults: RawGenerateOptions): GenerateOptions {
    return parseGenerateOptions(defaults);
  }

  /**
   * Writes the ZIP of `rows` to `out` (left open: the caller ends it). `total`, when known, is the
   * row count for progress and the width of numbered names. Rejects with the signal's reason when
   * `control.signal` aborts (between chunks), or with a QrwError for a bad body or bad defaults.
   */
  async writeZip(rows: AsyncIterable<BatchRow>, defaults: RawGenerateOptions, out: NodeJS.WritableStream, control: BatchControl = {}, total?: number): Promise<BatchSummary> {
    this.checkDefaults(defaults);
    const { signal } = control;
    const zip = new ZipWriter(out);
    const manifest = new Manifest();
    const namer = new EntryNamer(total);
    const progress = progressReporter(control, total);
    const inFlight: Dispatched[] = [];

    const write = async ({ rows: planned, result }: Dispatched): Promise<void> => {
      const chunk = result && (await result);
      const lines: ManifestLine[] = [];
      let k = 0;
      let start = 0;
      for (const p of planned) {
        if ('error' in p) {
          lines.push({ row: p.row, file: '', version: '', error: describe(p.error) });
          progress.item(true);
          continue;
        }
        const item = chunk!.items[k++]!;
        if ('error' in item) {
          lines.push({ row: p.row, file: '', version: '', error: describe(item.error) });
          progress.item(true);
          continue;
        }
        const format = p.request.options.format;
        const name = namer.name(p.row, p.filename, OUTPUT_FORMAT_SPECS[format].extension);
        zip.add(name, chunk!.bodies.subarray(start, item.end), DEFLATED_FORMATS.has(format));
        start = item.end;
        lines.push({ row: p.row, file: name, version: item.version, error: '' });
        progress.item(false);
      }
      manifest.add(lines);
      await zip.drained(signal);
    };

    try {
      let pending: Planned[] = [];
      for await (const row of rows) {
        signal?.throwIfAborted();
        pending.push(plan(row, defaults));
        if (pending.length < this.tuning.chunkRows) continue;
        inFlight.push(this.dispatch(pending, signal));
        pending = [];
        if (inFlight.length > this.tuning.chunksInFlight) await write(inFlight.shift()!);
      }
      if (pending.length > 0) inFlight.push(this.dispatch(pending, signal));
      while (inFlight.length > 0) {
        signal?.throwIfAborted();
        await write(inFlight.shift()!);
      }
      signal?.throwIfAborted();
      zip.addDeflated(MANIFEST_NAME, await manifest.finish());
      await zip.finish(signal);
      return progress.flush();
    } catch (err) {
      // Chunks still queued are skipped by their signal; their results are no longer wanted.
      for (const d of inFlight) d.result?.catch(() => undefined);
      throw signal?.aborted ? signal.reason : err;
    }
  }

  /** Sends the chunk's valid rows to the engine as one task; rows with errors only keep their place. */
  private dispatch(rows: readonly Planned[], signal: AbortSignal | undefined): Dispatched {
    const data: (string | Uint8Array)[] = [];
    const options: GenerateOptions[] = [];
    const indexOf = new Map<string, number>();
    const optionIndex = new Uint16Array(rows.length);
    for (const p of rows) {
      if (!('request' in p)) continue;
      const key = canonicalOptions(p.request.options);
      let index = indexOf.get(key);
      if (index === undefined) {
        index = options.push(p.request.options) - 1;
        indexOf.set(key, index);
      }
      optionIndex[data.length] = index;
      data.push(p.request.data);
    }
    if (data.length === 0) return { rows, result: undefined };
    const result = this.run({ data, options, optionIndex: optionIndex.subarray(0, data.length) }, signal);
    // Handled here too, so that a chunk abandoned by an abort never surfaces as an unhandled rejection.
    result.catch(() => undefined);
    return { rows, result };
  }

  private async run(chunk: GenerateChunk, signal: AbortSignal | undefined): Promise<GeneratedChunk> {
    for (;;) {
      try {
        return await this.engine.generateMany(chunk, signal);
      } catch (err) {
        // Other clients' work fills the pool's queue now and then: a batch waits its turn rather than failing midway.
        if (!isQrwError(err) || err.code !== 'SATURATED') throw err;
        await delay(SATURATED_RETRY_MS, undefined, { signal });
      }
    }
  }
}

/** A row -> its request (defaults, then the row's own options, validated by the registry), or its error. */
function plan(row: BatchRow, defaults: RawGenerateOptions): Planned {
  const base = { row: row.row, filename: row.filename };
  if (row.error) return { ...base, error: row.error };
  try {
    return { ...base, request: toGenerateRequest({ ...defaults, ...row.options, text: row.text }) };
  } catch (err) {
    if (isQrwError(err)) return { ...base, error: err };
    throw err;
  }
}
