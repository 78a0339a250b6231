/**
 * The ID-photo job: portraits (a ZIP, or multipart files) with one set of options -> the ZIP of
 * photos, reports.ndjson and manifest.csv that POST /api/v1/batch/idphoto answers, made by the same
 * use case from the job's stored input, on the ID-photo tool's own queue and workers.
 */
import type { BatchIdPhotoService } from '../app/batch-idphoto.js';
import { parseIdPhotoOptions } from '../idphoto/options.js';
import { IMAGE_JOB_TYPES, countStoredImages, storedImages, type BatchJobLimits } from './batch-kinds.js';
import type { JobKind } from './kinds.js';

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
