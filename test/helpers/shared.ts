import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's data beside the checkout (public QR images, anchors, portraits): CI lays it out as ../shared. */
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));

/** A path in ../shared; fails with what is missing, and why, when it is not there. */
export function sharedPath(relative: string): string {
  const path = join(SHARED, relative);
  if (!existsSync(path)) throw new Error(`This test needs ${path}: the data folder ../shared beside the checkout (CI provides it) is missing or incomplete.`);
  return path;
}
