/**
 * The batch decode use case: many images (a ZIP, several uploads, a job's input) through the pool
 * with a bounded number in flight, one line per image written in input order as each is ready,
 * NDJSON or CSV, waiting for the output to drain. Memory is bounded by the window, not the batch.
 */
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { stringify } from 'csv-stringify/sync';
import { openZip, type BatchItem, type ZipLimits } from '../batch/zip-reader.js';
import { QrwError, errorInfo, type ErrorInfo } from '../errors.js';
import { parseFormats, type DecodeOptions, type DecodeResult } from '../recognise/index.js';
import { progressReporter, type BatchControl, type BatchSummary } from './batch.js';
import { inOrder } from './batch-window.js';
import type { DecodeLimits, DecodeOutcome } from './decode.js';
import type { QrEngine } from './qr-engine.js';

export type BatchOutput = 'ndjson' | 'csv';

/** The images of one batch; `write` closes it when it ends, whatever way it ends. */
export interface ImageBatch {
  /** Items the batch holds, when known before it is read (an archive's entries; not a stream of uploads). */
  readonly total: number | undefined;
  readonly items: AsyncIterable<BatchItem>;
  readonly close?: () => void;
}

/** One line of the answer: a decode as /api/v1/decode answers it, named; or the image's error. */
export type BatchLine = ({ readonly file: string; readonly texts: string[] } & DecodeResult) | { readonly file: string; readonly error: ErrorInfo };

export const CSV_COLUMNS = ['file', 'texts', 'formats', 'error'] as const;
export const CONTENT_TYPES: Readonly<Record<BatchOutput, string>> = { ndjson: 'application/x-ndjson; charset=utf-8', csv: 'text/csv; charset=utf-8' };

/** While the pool is full, a batch waits for room rather than turning its images into SATURATED lines. */
const ROOM_POLL_MS = 20;

export interface ArchiveBatchLimits {
  /** Entries the archive may declare (BATCH_MAX_ROWS, JOB_MAX_ROWS). */
  readonly maxRows: number;
  readonly zip: ZipLimits;
  /** Where a batch too large for this route should go instead (details.jobs), if anywhere. */
  readonly jobs?: string | undefined;
}

/** A ZIP (path or bytes) as a batch: refused from its declared entry count before anything is read, its central directory checked whole. */
export async function archiveBatch(source: string | Uint8Array, limits: ArchiveBatchLimits): Promise<ImageBatch> {
  const archive = await openZip(source, limits.zip);
  try {
    if (archive.entryCount > limits.maxRows) {
      throw new QrwError('BATCH_TOO_LARGE', `The archive holds ${archive.entryCount} entries; a batch here takes at most ${limits.maxRows}.`, {
        limit: limits.maxRows,
        ...(limits.jobs && { jobs: limits.jobs }),
      });
    }
    const total = await archive.scan();
    return { total, items: archive.items(), close: () => archive.close() };
  } catch (err) {
    archive.close();
    throw err;
  }
}

export class BatchDecodeService {
  constructor(
    private readonly engine: Pick<QrEngine, 'decode' | 'saturated'>,
    private readonly limits: DecodeLimits,
    /** Images in flight at once: enough to keep every thread busy (about 2 x threads), few enough to bound memory. */
    private readonly concurrency: number,
    private readonly onOutcome: (outcome: DecodeOutcome) => void = () => undefined,
  ) {}

  /**
   * Writes one line per image to `out` in input order and resolves with the counts. An image that cannot be
   * read gets its error line; the batch itself failing (its items cannot be read on) after lines were written
   * ends the output with a line holding only `error`, then rejects. Aborting `control.signal` stops and rejects.
   */
  async write(batch: ImageBatch, formats: unknown, output: BatchOutput, out: NodeJS.WritableStream, control: BatchControl = {}): Promise<BatchSummary> {
    const { signal } = control;
    let written = 0;
    try {
      const options: DecodeOptions = { formats: parseFormats(formats), ...this.limits };
      const progress = progressReporter(control, batch.total);
      const format = output === 'csv' ? csvLine : ndjsonLine;
      try {
        for await (const line of inOrder(batch.items, this.concurrency, (item) => this.decodeOne(item, options, signal), signal)) {
          signal?.throwIfAborted();
          progress.item('error' in line);
          await send(out, (written === 0 && output === 'csv' ? stringify([CSV_COLUMNS]) : '') + format(line), signal);
          written++;
        }
      } catch (err) {
        if (written > 0 && !signal?.aborted) await send(out, output === 'csv' ? stringify([['', '', '', errorCell(errorInfo(err))]]) : `${JSON.stringify({ error: errorInfo(err) })}\n`, signal);
        throw err;
      }
      if (written === 0 && output === 'csv') await send(out, stringify([CSV_COLUMNS]), signal);
      return progress.flush();
    } catch (err) {
      // Whatever noticed the abort first (a wait for 'drain', the pool), the run ends with the signal's reason.
      throw signal?.aborted ? signal.reason : err;
    } finally {
      batch.close?.();
    }
  }

  /** One image's line, or its error line (never a rejection: see inOrder). */
  private async decodeOne(item: BatchItem, options: DecodeOptions, signal: AbortSignal | undefined): Promise<BatchLine> {
    if ('error' in item) {
      this.onOutcome('error');
      return { file: item.name, error: item.error };
    }
    try {
      while (this.engine.saturated) await delay(ROOM_POLL_MS, undefined, { signal });
      const result = await this.engine.decode(item.bytes, options, signal);
      this.onOutcome(result.codes.length ? 'found' : 'none');
      return { file: item.name, texts: result.codes.map((c) => c.text), ...result };
    } catch (err) {
      this.onOutcome(signal?.aborted ? 'abandoned' : 'error');
      return { file: item.name, error: errorInfo(err) };
    }
  }
}

function ndjsonLine(line: BatchLine): string {
  return `${JSON.stringify(line)}\n`;
}

/** Several texts (or formats) share a cell, one per line of it. */
function csvLine(line: BatchLine): string {
  if ('error' in line) return stringify([[line.file, '', '', errorCell(line.error)]]);
  return stringify([[line.file, line.texts.join('\n'), line.codes.map((c) => c.format).join('\n'), '']]);
}

function errorCell(error: ErrorInfo): string {
  return `${error.code}: ${error.message}`;
}

/** Writes a chunk, waiting for 'drain' when the destination is full (the client's socket, a file). */
async function send(out: NodeJS.WritableStream, chunk: string, signal: AbortSignal | undefined): Promise<void> {
  if (!out.write(chunk)) await once(out as NodeJS.EventEmitter, 'drain', { signal });
}
