/**
 * The ID-photo batch use case: portraits (a ZIP, several uploads, a job's input) with one set of
 * options -> a ZIP streamed as the photos are made: each portrait's photo named after it (with its
 * sheet and high-resolution copy when asked), then `reports.ndjson` (one compliance report per
 * portrait) and `manifest.csv`. A bounded window of portraits is in flight, results are written in
 * input order and the output's 'drain' is awaited after each, so memory is bounded by the window
 * (and the two text entries, held deflated until the end). A portrait that fails gets its error in
 * both texts and the batch goes on.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { stringify } from 'csv-stringify/sync';
import { DeflatedText } from '../batch/deflated-text.js';
import { EntryNamer } from '../batch/entry-names.js';
import { MANIFEST_NAME } from '../batch/manifest.js';
import type { BatchItem } from '../batch/zip-reader.js';
import { ZipWriter } from '../batch/zip-writer.js';
import { errorInfo, isQrwError, type ErrorInfo } from '../errors.js';
import type { EncodedImage, IdPhotoResult } from '../idphoto/make.js';
import { parseIdPhotoOptions, type IdPhotoOptions } from '../idphoto/options.js';
import type { IdPhotoReport } from '../idphoto/report.js';
import type { ImageBatch } from './batch-decode.js';
import { inOrder } from './batch-window.js';
import { progressReporter, type BatchControl, type BatchSummary } from './batch.js';
import type { IdPhotoService } from './idphoto.js';

export const REPORTS_NAME = 'reports.ndjson';
export const IDPHOTO_MANIFEST_COLUMNS = ['row', 'file', 'photo', 'sheet', 'error', 'headHeightMm', 'passed', 'failedRules', 'warnings'] as const;

/** One line of reports.ndjson: the portrait's photo and its report, or its error (a line with only `error`: the batch stopped there). */
export type ReportLine =
  | { readonly row: number; readonly file: string; readonly photo: string; readonly sheet?: string; readonly hires?: string; readonly report: IdPhotoReport }
  | { readonly row: number; readonly file: string; readonly error: ErrorInfo };

type Made = { readonly file: string } & ({ readonly result: IdPhotoResult } | { readonly error: ErrorInfo });

/** While the ID-photo pool is full (other clients' work), a batch waits for room rather than turning its portraits into SATURATED errors. */
const ROOM_POLL_MS = 50;

const extensionOf = (image: EncodedImage): string => (image.contentType === 'image/png' ? '.png' : '.jpg');
const describe = (e: ErrorInfo): string => `${e.code}: ${e.message}`;

/** The portrait's own name without folders and extension: the photo is named after it. */
function baseName(label: string): string {
  const last = label.slice(label.lastIndexOf('/') + 1);
  const dot = last.lastIndexOf('.');
  return dot > 0 ? last.slice(0, dot) : last;
}

export class BatchIdPhotoService {
  constructor(
    private readonly service: Pick<IdPhotoService, 'photo' | 'saturated'>,
    /** Portraits in flight at once: enough to keep every ID-photo thread busy (about 2 x threads), few enough to bound memory. */
    private readonly concurrency: number,
  ) {}

  /** The batch's options, validated alone, so that a bad one is refused before any output. */
  checkOptions(raw: Readonly<Record<string, unknown>>): IdPhotoOptions {
    return parseIdPhotoOptions(raw);
  }

  /**
   * Writes the ZIP to `out` (left open: the caller ends it) and resolves with the counts. If the portraits
   * cannot be read on after some were written (a damaged archive, a request over its limit), the ZIP is
   * finished with what was made and a last line holding only the error, then the run rejects (an option refused
   * late rejects without finishing it: its photos were made without the option). Aborting
   * `control.signal` stops between portraits and rejects with its reason.
   */
  async write(batch: ImageBatch, rawOptions: Readonly<Record<string, unknown>>, out: NodeJS.WritableStream, control: BatchControl = {}): Promise<BatchSummary> {
    const { signal } = control;
    try {
      const options = this.checkOptions(rawOptions);
      const zip = new ZipWriter(out);
      const namer = new EntryNamer(batch.total);
      const reports = new DeflatedText();
      const manifest = new DeflatedText();
      manifest.append(stringify([IDPHOTO_MANIFEST_COLUMNS]));
      const progress = progressReporter(control, batch.total);
      const finish = async (): Promise<void> => {
        signal?.throwIfAborted();
        zip.addDeflated(REPORTS_NAME, await reports.finish());
        zip.addDeflated(MANIFEST_NAME, await manifest.finish());
        await zip.finish(signal);
      };
      let row = 0;
      try {
        for await (const made of inOrder(batch.items, this.concurrency, (item) => this.makeOne(item, options, signal), signal)) {
          signal?.throwIfAborted();
          row++;
          const line = this.add(zip, namer, row, made);
          reports.append(`${JSON.stringify(line)}\n`);
          manifest.append(stringify([manifestRow(line)]));
          progress.item('error' in line);
          await zip.drained(signal);
        }
      } catch (err) {
        // An option refused late (a multipart field after the files) means every photo was made wrong: no ZIP.
        if (row === 0 || signal?.aborted || (isQrwError(err) && err.code === 'INVALID_OPTION')) throw err;
        // What was made is kept; the last lines say why the batch stopped.
        const error = errorInfo(err);
        reports.append(`${JSON.stringify({ error })}\n`);
        manifest.append(stringify([['', '', '', '', describe(error), '', '', '', '']]));
        await finish();
        throw err;
      }
      await finish();
      return progress.flush();
    } catch (err) {
      // Whatever noticed the abort first (a wait for 'drain', the pool), the run ends with the signal's reason.
      throw signal?.aborted ? signal.reason : err;
    } finally {
      batch.close?.();
    }
  }

  /** Adds the portrait's images to the archive under names of its own; its report line. */
  private add(zip: ZipWriter, namer: EntryNamer, row: number, made: Made): ReportLine {
    if ('error' in made) return { row, file: made.file, error: made.error };
    const { photo, sheet, hires, report } = made.result;
    const photoName = namer.name(row, baseName(made.file), extensionOf(photo));
    zip.add(photoName, photo.data);
    const stem = photoName.slice(0, -extensionOf(photo).length);
    const extra = (image: EncodedImage | null, suffix: string): string | undefined => {
      if (!image) return undefined;
      const name = namer.name(row, `${stem}-${suffix}`, extensionOf(image));
      zip.add(name, image.data);
      return name;
    };
    const sheetName = extra(sheet, 'sheet');
    const hiresName = extra(hires, 'hires');
    return { row, file: made.file, photo: photoName, ...(sheetName && { sheet: sheetName }), ...(hiresName && { hires: hiresName }), report };
  }

  /** One portrait's photo, or its error (never a rejection: see inOrder). */
  private async makeOne(item: BatchItem, options: IdPhotoOptions, signal: AbortSignal | undefined): Promise<Made> {
    if ('error' in item) return { file: item.name, error: item.error };
    try {
      return { file: item.name, result: await this.photoWhenRoom(item.bytes, options, signal) };
    } catch (err) {
      return { file: item.name, error: errorInfo(err) };
    }
  }

  private async photoWhenRoom(bytes: Uint8Array, options: IdPhotoOptions, signal: AbortSignal | undefined): Promise<IdPhotoResult> {
    for (;;) {
      while (this.service.saturated) await delay(ROOM_POLL_MS, undefined, { signal });
      try {
        return await this.service.photo(bytes, options, 'photo', signal);
      } catch (err) {
        // Another client filled the queue between the check and the call; refused bytes were not moved to a thread.
        if (!isQrwError(err) || err.code !== 'SATURATED' || bytes.byteLength === 0) throw err;
      }
    }
  }
}

function manifestRow(line: ReportLine): (string | number)[] {
  if ('error' in line) return [line.row, line.file, '', '', describe(line.error), '', '', '', ''];
  const failed = line.report.rules.filter((r) => !r.passed).map((r) => r.rule);
  return [line.row, line.file, line.photo, line.sheet ?? '', '', line.report.headHeight.mm, line.report.passed ? 'yes' : 'no', failed.join('; '), line.report.warnings.join(' ')];
}
