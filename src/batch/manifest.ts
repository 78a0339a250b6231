/**
 * The manifest of a generated batch (row, file, version, error), written as CSV with csv-stringify
 * and deflated as the rows come, so that a million rows hold a few MiB until it is added last to the
 * archive.
 */
import { once } from 'node:events';
import { crc32, createDeflateRaw } from 'node:zlib';
import { stringify } from 'csv-stringify/sync';
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
  private readonly deflate = createDeflateRaw({ level: 6 });
  private readonly chunks: Buffer[] = [];
  private crc = 0;
  private size = 0;

  constructor() {
    this.deflate.on('data', (chunk: Buffer) => this.chunks.push(chunk));
    this.append(stringify([COLUMNS]));
  }

  /** Adds lines (a chunk's worth at a time: one csv-stringify call each). */
  add(lines: readonly ManifestLine[]): void {
    if (lines.length > 0) this.append(stringify(lines.map((l) => COLUMNS.map((c) => l[c]))));
  }

  /** The manifest deflated, with its CRC-32 and size, for ZipWriter.addDeflated. */
  async finish(): Promise<DeflatedData> {
    this.deflate.end();
    await once(this.deflate, 'end');
    return { chunks: this.chunks, crc: this.crc, size: this.size };
  }

  private append(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.byteLength;
    this.deflate.write(bytes);
  }
}
