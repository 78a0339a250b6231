/**
 * The ID-photo jobs, on the ID-photo tool's own queue and workers: `idphoto`, portraits (a ZIP, or
 * multipart files) with one set of options -> the ZIP of photos, reports.ndjson and manifest.csv that
 * POST /api/v1/batch/idphoto answers; and `idphoto-photo`, one portrait -> its photo alone, the job
 * the original ID-photo service's API queues.
 */
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BatchIdPhotoService } from '../app/batch-idphoto.js';
import type { IdPhotoService } from '../app/idphoto.js';
import { parseIdPhotoOptions } from '../idphoto/options.js';
import { IMAGE_JOB_TYPES, countStoredImages, storedImages, type BatchJobLimits } from './batch-kinds.js';
import { INPUT_FILE, type JobKind } from './kinds.js';

/** `service` absent: this process takes such jobs for the ones that serve the ID-photo tool (kinds.ts). */
export function idPhotoJobKind(service: BatchIdPhotoService | undefined, limits: BatchJobLimits): JobKind {
  return {
    tool: 'idphoto',
    accepts: IMAGE_JOB_TYPES,
    resultType: () => 'application/zip',
    // parseIdPhotoOptions names an unknown option (INVALID_OPTION, details.option) as it names a bad value.
    checkOptions: (options) => void parseIdPhotoOptions(options),
    count: (spec, dir, maxItems) => countStoredImages(spec.contentType, dir, maxItems, limits),
    run: service && (async (spec, dir, out, control) => service.write(await storedImages(spec.contentType, dir, spec.total, limits), spec.options, out, control)),
  };
}

/** A portrait sent as the body itself: its declared type is not trusted, the decoder checks the bytes. */
const PORTRAIT_TYPES = ['application/octet-stream', 'image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/tiff', 'image/bmp', 'image/gif', 'image/heic'];

/** `service` absent: this process takes such jobs for the ones that serve the ID-photo tool (kinds.ts). */
export function idPhotoPhotoJobKind(service: IdPhotoService | undefined): JobKind {
  return {
    tool: 'idphoto',
    accepts: PORTRAIT_TYPES,
    resultType: (_accept, options) => (parseIdPhotoOptions(options).format === 'png' ? 'image/png' : 'image/jpeg'),
    checkOptions: (options) => void parseIdPhotoOptions(options),
    count: async () => 1,
    run:
      service &&
      (async (spec, dir, out, control) => {
        const bytes = await readFile(join(dir, INPUT_FILE));
        const made = await service.photo(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), parseIdPhotoOptions(spec.options), 'photo', control.signal);
        if (!out.write(made.photo.data)) await once(out, 'drain');
        const summary = { done: 1, failed: 0, total: 1 };
        control.onProgress?.(summary);
        return summary;
      }),
  };
}
