/**
 * The batch jobs: `generate` (rows as CSV, NDJSON or JSON -> a ZIP of codes and its manifest) and
 * `decode` (a ZIP, or multipart files, -> NDJSON or CSV lines), each the same use case as its
 * synchronous route, reading its input from the job's directory instead of the request.
 */
import { createReadStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { archiveBatch, CONTENT_TYPES, type BatchDecodeService, type BatchOutput, type ImageBatch } from '../app/batch-decode.js';
import { generateRowLimits, type BatchGenerateService } from '../app/batch-generate.js';
import type { BatchItem } from '../batch/zip-reader.js';
import { zipLimits } from '../batch/zip-reader.js';
import { ROW_CONTENT_TYPES, countRows, readRows, rowFormatFor, type RowFormat } from '../batch/rows.js';
import { QrwError } from '../errors.js';
import { GENERATE_OPTION_NAMES, parseGenerateOptions } from '../qr/options.js';
import { parseFormats } from '../recognise/index.js';
import { FILES_DIR, INPUT_FILE, type JobKind, type JobKinds } from './kinds.js';

export interface BatchJobLimits {
  /** JOB_MAX_BYTES: an archive's size, and the inflation budget derived from it. */
  readonly maxBytes: number;
  /** MAX_BODY_BYTES: each image. */
  readonly maxImageBytes: number;
}

const MULTIPART = 'multipart/form-data';
const ZIP_TYPES = ['application/zip', 'application/x-zip-compressed'];

function rowFormat(contentType: string): RowFormat {
  const format = rowFormatFor(contentType);
  if (!format) throw new QrwError('UNSUPPORTED_MEDIA_TYPE', `Rows come as ${ROW_CONTENT_TYPES.join(', ')}.`);
  return format;
}

/** `service` absent: this process takes such jobs for the ones that serve the QR tool (kinds.ts). */
function generateKind(service: BatchGenerateService | undefined): JobKind {
  const rows = (dir: string): AsyncIterable<Buffer> => createReadStream(join(dir, INPUT_FILE));
  return {
    tool: 'qr',
    accepts: ROW_CONTENT_TYPES,
    resultType: () => 'application/zip',
    checkOptions: (options) => {
      const unknown = Object.keys(options).find((name) => !(GENERATE_OPTION_NAMES as readonly string[]).includes(name));
      if (unknown !== undefined) throw new QrwError('INVALID_OPTION', `"${unknown}" is not a generate option (${GENERATE_OPTION_NAMES.join(', ')}).`, { option: unknown });
      parseGenerateOptions(options);
    },
    count: (spec, dir, maxItems) => countRows(rows(dir), rowFormat(spec.contentType), generateRowLimits(maxItems)),
    run: service && ((spec, dir, out, control) => service.writeZip(readRows(rows(dir), rowFormat(spec.contentType), generateRowLimits(spec.total)), spec.options, out, control, spec.total)),
  };
}

/** Multipart files saved by the job route, in their order, named as uploaded. */
async function savedFiles(dir: string): Promise<ImageBatch> {
  const names = (await readdir(join(dir, FILES_DIR))).sort();
  async function* items(): AsyncIterable<BatchItem> {
    for (const name of names) {
      const bytes = await readFile(join(dir, FILES_DIR, name));
      yield { name: Buffer.from(name.slice(name.indexOf('-') + 1), 'base64url').toString(), bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    }
  }
  return { total: names.length, items: items() };
}

/** The bodies an image job takes: a ZIP, or multipart files. */
export const IMAGE_JOB_TYPES: readonly string[] = [...ZIP_TYPES, MULTIPART];

/** An image job's stored input as a batch: its saved multipart files, or its ZIP (at most `maxRows` entries). */
export function storedImages(contentType: string, dir: string, maxRows: number, limits: BatchJobLimits): Promise<ImageBatch> {
  return contentType === MULTIPART ? savedFiles(dir) : archiveBatch(join(dir, INPUT_FILE), { maxRows, zip: zipLimits(limits.maxBytes, limits.maxImageBytes) });
}

/** Images in an image job's stored input; throws INVALID_ARCHIVE, BATCH_TOO_LARGE for an input it cannot run. */
export async function countStoredImages(contentType: string, dir: string, maxRows: number, limits: BatchJobLimits): Promise<number> {
  const batch = await storedImages(contentType, dir, maxRows, limits);
  batch.close?.();
  return batch.total ?? 0;
}

function decodeKind(service: BatchDecodeService | undefined, limits: BatchJobLimits): JobKind {
  return {
    tool: 'qr',
    accepts: IMAGE_JOB_TYPES,
    resultType: (accept) => CONTENT_TYPES[outputFor(accept)],
    checkOptions: (options) => {
      const unknown = Object.keys(options).find((name) => name !== 'formats');
      if (unknown !== undefined) throw new QrwError('INVALID_OPTION', `A decode job takes the option "formats" only; got "${unknown}".`, { option: unknown });
      parseFormats(options.formats);
    },
    count: (spec, dir, maxItems) => countStoredImages(spec.contentType, dir, maxItems, limits),
    run:
      service &&
      (async (spec, dir, out, control) =>
        service.write(await storedImages(spec.contentType, dir, spec.total, limits), spec.options.formats, spec.resultType.startsWith('text/csv') ? 'csv' : 'ndjson', out, control)),
  };
}

/** CSV when the client asks for it (Accept: text/csv), else NDJSON, as on POST /api/v1/batch/decode. */
function outputFor(accept: string | undefined): BatchOutput {
  return /\btext\/csv\b/i.test(accept ?? '') ? 'csv' : 'ndjson';
}

export function batchJobKinds(services: { generate?: BatchGenerateService | undefined; decode?: BatchDecodeService | undefined }, limits: BatchJobLimits): JobKinds {
  return { generate: generateKind(services.generate), decode: decodeKind(services.decode, limits) };
}
