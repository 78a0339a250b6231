/**
 * Text deflated as it is written (a manifest, a report per item), for an entry added last to a
 * streamed archive: a long batch holds its text compressed, not raw, until the end.
 */
import { once } from 'node:events';
import { crc32, createDeflateRaw } from 'node:zlib';
import type { DeflatedData } from './zip-writer.js';

export class DeflatedText {
  private readonly deflate = createDeflateRaw({ level: 6 });
  private readonly chunks: Buffer[] = [];
  private crc = 0;
  private size = 0;

  constructor() {
    this.deflate.on('data', (chunk: Buffer) => this.chunks.push(chunk));
  }

  append(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    this.crc = crc32(bytes, this.crc);
    this.size += bytes.byteLength;
    this.deflate.write(bytes);
  }

  /** The text deflated, with its CRC-32 and size, for ZipWriter.addDeflated. */
  async finish(): Promise<DeflatedData> {
    this.deflate.end();
    await once(this.deflate, 'end');
    return { chunks: this.chunks, crc: this.crc, size: this.size };
  }
}
