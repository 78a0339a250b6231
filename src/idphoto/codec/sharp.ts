import { QrwError } from '../../errors.js';

export type SharpFactory = typeof import('sharp').default;

let sharpLoading: Promise<SharpFactory> | undefined;

/**
 * sharp (libvips) for the ID-photo tool's files, loaded on first use rather than with the module, as
 * src/recognise/input does: it adds much to a process's RSS. The tool runs one task per worker thread,
 * so libvips gets one thread per image and no cache (every upload is decoded once). Both settings are
 * process-wide in libvips.
 */
export function loadSharp(): Promise<SharpFactory> {
  sharpLoading ??= import('sharp').then(
    ({ default: sharp }) => {
      sharp.concurrency(1);
      sharp.cache(false);
      return sharp;
    },
    (err: unknown) => {
      // A broken install is the server's fault, not a damaged upload: a 500 that is logged, not a 422.
      throw new QrwError('INTERNAL', `sharp (libvips) could not be loaded: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    },
  );
  return sharpLoading;
}
