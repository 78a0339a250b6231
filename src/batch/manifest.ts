/**
 * The manifest of a generated batch (row, file, version, error), written as CSV with csv-stringify
 * and deflated as the rows come, so that a million rows hold a few MiB until it is added last to the
 * archive.
 */
import { stringify } from 'csv-stringify/sync';
import { DeflatedText } from './deflated-text.js';
import type { DeflatedData } from './zip-writer.js';

export const MANIFEST_NAME = 'manifest.csv';

export interface ManifestLine {
  readonly row: number;
  /** The entry's name; '' when the row failed. */
  readonly file: string;
  readonly version: number | '';
  /** `CODE: message` of a failed row; '' otherwise. */
  readonly error: string;
}

const COLUMNS = ['row', 'file', 'version', 'error'] as const;

export class Manifest {
  private readonly text = new DeflatedText();

  constructor() {
    this.text.append(stringify([COLUMNS]));
  }

  /** Adds lines (a chunk's worth at a time: one csv-stringify call each). */
  add(lines: readonly ManifestLine[]): void {
    if (lines.length > 0) this.text.append(stringify(lines.map((l) => COLUMNS.map((c) => l[c]))));
  }

  /** The manifest deflated, with its CRC-32 and size, for ZipWriter.addDeflated. */
  finish(): Promise<DeflatedData> {
    return this.text.finish();
  }
}
