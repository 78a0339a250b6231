/**
 * A batch run on this machine: the same use cases as the service's batch routes and jobs, on a worker
 * pool with a thread per core (POOL_THREADS), closed when the batch ends.
 */
import { createReadStream } from 'node:fs';
import { archiveBatch, BatchDecodeService, type BatchOutput, type ImageBatch } from '../../app/batch-decode.js';
import type { BatchControl, BatchSummary } from '../../app/batch.js';
import { BatchGenerateService, generateRowLimits } from '../../app/batch-generate.js';
import { poolEngine, type QrEngine } from '../../app/qr-engine.js';
import { countRows, readRows, type RowFormat } from '../../batch/rows.js';
import { zipLimits } from '../../batch/zip-reader.js';
import { loadConfig, type Config } from '../../platform/config.js';
import type { RawGenerateOptions } from '../../qr/options.js';
import { startQrPool } from '../../workers/qr-pool.js';
import { CliExit, EXIT_USAGE } from '../exit.js';
import { folderBatch, type ImageSource } from './inputs.js';

/** Images a decode keeps in flight per thread, as the service does: each thread busy while the next image is read. */
const DECODES_PER_THREAD = 2;

/** Here the user's own machine is the limit: no cap on rows or entries beyond what the formats allow. */
const NO_ROW_LIMIT = Number.MAX_SAFE_INTEGER;

async function withPool<T>(run: (engine: QrEngine, threads: number, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const pool = await startQrPool({ threads: config.poolThreads, nativeDecode: config.nativeDecode });
  try {
    return await run(poolEngine(pool), pool.threads, config);
  } finally {
    await pool.close();
  }
}

/** Counts the rows first (a bad file is refused before any work, and the progress has its total), then writes the ZIP. */
export async function generateLocally(file: string, format: RowFormat, defaults: RawGenerateOptions, out: NodeJS.WritableStream, control: BatchControl): Promise<BatchSummary> {
  const limits = generateRowLimits(NO_ROW_LIMIT);
  const total = await countRows(createReadStream(file), format, limits);
  if (total === 0) throw new CliExit(EXIT_USAGE, `${file}: no rows`);
  return withPool((engine) => new BatchGenerateService(engine).writeZip(readRows(createReadStream(file), format, limits), defaults, out, control, total));
}

export async function decodeLocally(source: ImageSource, formats: string | undefined, output: BatchOutput, out: NodeJS.WritableStream, control: BatchControl): Promise<BatchSummary> {
  return withPool(async (engine, threads, config) => {
    const batch: ImageBatch =
      source.kind === 'folder'
        ? folderBatch(source.dir, source.files)
        : // The inflation budget follows the archive's own size, as on the service: a bomb is refused here too.
          await archiveBatch(source.path, { maxRows: NO_ROW_LIMIT, zip: zipLimits(source.bytes, config.maxBodyBytes) });
    const service = new BatchDecodeService(engine, { maxSide: config.decodeMaxSide, maxPixels: config.maxImagePixels }, threads * DECODES_PER_THREAD);
    return service.write(batch, formats, output, out, control);
  });
}
