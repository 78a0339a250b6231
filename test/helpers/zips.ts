import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

/** A corpus photo with one QR code and its text (../shared/corpus). */
export const CORPUS_PHOTO = { bytes: readFileSync(fileURLToPath(new URL('../../../shared/corpus/zxing-cpp/qrcode-1/13.webp', import.meta.url))), text: 'http://google.com/gwt/n?u=bluenile.com' };

export interface ZipEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly compress?: boolean;
}

/** A ZIP written by yazl, whole in memory. */
export async function makeZip(entries: readonly ZipEntry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.from(e.bytes), e.name, { compress: e.compress ?? true });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const END = 0x06054b50;

/** Offsets of every record with this signature (the test archives hold no data that looks like one). */
function records(zip: Buffer, signature: number): number[] {
  const found: number[] = [];
  for (let i = 0; i + 4 <= zip.length; i++) if (zip.readUInt32LE(i) === signature) found.push(i);
  return found;
}

/** The central-directory record of the entry at `index`, for patching what it declares. */
export function centralRecord(zip: Buffer, index: number): { flags: number; method: number; crc: number; compressedSize: number; uncompressedSize: number } {
  const at = records(zip, CENTRAL)[index]!;
  return { flags: at + 8, method: at + 10, crc: at + 16, compressedSize: at + 20, uncompressedSize: at + 24 };
}

export function localRecord(zip: Buffer, index: number): { flags: number; dataStart: number } {
  const at = records(zip, LOCAL)[index]!;
  return { flags: at + 6, dataStart: at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28) };
}

/** The end record's entry counts (this disk, total). */
export function endRecord(zip: Buffer): { entriesOnDisk: number; entries: number } {
  const at = records(zip, END).at(-1)!;
  return { entriesOnDisk: at + 8, entries: at + 10 };
}

/** Replaces a name with another of the same length, in the local and the central headers (yazl refuses hostile names). */
export function renameEntry(zip: Buffer, from: string, to: string): Buffer {
  if (Buffer.byteLength(from) !== Buffer.byteLength(to)) throw new Error('names must have the same length');
  const out = Buffer.from(zip);
  const needle = Buffer.from(from);
  let at = out.indexOf(needle);
  let replaced = 0;
  while (at >= 0) {
    Buffer.from(to).copy(out, at);
    replaced++;
    at = out.indexOf(needle, at + 1);
  }
  if (replaced !== 2) throw new Error(`expected the name twice, found it ${replaced} times`);
  return out;
}
