/**
 * Images out of a ZIP, safely: the archive is read by random access (yauzl), so memory stays flat
 * whatever its size, and one entry at a time is inflated, only when the consumer asks for it.
 * An archive is hostile until proven otherwise: every size it declares is checked before anything
 * is inflated and again while inflating, names are only labels (sanitised, never paths on disk),
 * and an entry that cannot be read safely gets its own error without stopping the others.
 */
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { QrwError, errorInfo, type ErrorInfo } from '../errors.js';

export interface NamedImage {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** An item of a batch that could not be read: it becomes its own error line. */
export interface NamedError {
  readonly name: string;
  readonly error: ErrorInfo;
}

export type BatchItem = NamedImage | NamedError;

export interface ZipLimits {
  /** Largest inflated entry (one image); larger entries get ENTRY_TOO_LARGE. */
  readonly maxEntryBytes: number;
  /** Inflated bytes the whole archive may produce; entries past it get ENTRY_TOO_LARGE. */
  readonly maxTotalBytes: number;
  /** Inflated / compressed beyond this (for entries over RATIO_FLOOR_BYTES) is a bomb, not a picture. */
  readonly maxRatio?: number;
}

/** Images compress little (JPEG, PNG, WebP barely; a flat BMP ~100:1), deflate's own ceiling is ~1032:1. */
export const DEFAULT_MAX_RATIO = 200;
/** Below this an entry is too small to hurt whatever its ratio (a blank BMP icon compresses a lot). */
export const RATIO_FLOOR_BYTES = 1024 * 1024;
/** The inflated total an archive may reach, as a multiple of the bytes it may arrive in. */
export const INFLATION_BUDGET_FACTOR = 4;

/** Limits for an archive that may arrive in `maxArchiveBytes` and hold images of `maxEntryBytes` each. */
export function zipLimits(maxArchiveBytes: number, maxEntryBytes: number): ZipLimits {
  return { maxEntryBytes, maxTotalBytes: maxArchiveBytes * INFLATION_BUDGET_FACTOR, maxRatio: DEFAULT_MAX_RATIO };
}

export interface ZipArchive {
  /** Entries the central directory declares (directories and skipped files included), known before anything else is read. */
  readonly entryCount: number;
  /** Walks the central directory without inflating anything: the number of items `items()` will yield; INVALID_ARCHIVE when damaged. */
  scan(): Promise<number>;
  /** The images and per-entry errors in archive order, each entry inflated when asked for. Once only. */
  items(): AsyncIterable<BatchItem>;
  close(): void;
}

type NamedEntry = Entry & { readonly name: string };

const STORED = 0;
const DEFLATED = 8;
const NESTED_ARCHIVE_NAME = /\.(zip|jar|apk|tar|tgz|gz|bz2|xz|zst|7z|rar)$/i;
const MAX_NAME_CHARS = 255;

const invalid = (reason: string): QrwError => new QrwError('INVALID_ARCHIVE', `The ZIP cannot be read: ${reason}.`);

/** Opens the archive and reads its end record only: a path is read by random access, a buffer in place. */
export async function openZip(source: string | Uint8Array, limits: ZipLimits): Promise<ZipArchive> {
  const open = (): Promise<ZipFile> => {
    // Names are decoded here, not by yauzl, whose check would reject the whole archive over one traversal name.
    const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true, strictFileNames: false };
    const opening = typeof source === 'string' ? yauzl.openPromise(source, options) : yauzl.fromBufferPromise(Buffer.from(source.buffer, source.byteOffset, source.byteLength), options);
    return opening.catch((err: unknown) => {
      throw invalid(yauzlReason(err));
    });
  };
  const first = await open();
  const opened: ZipFile[] = [first];
  let started = false;
  return {
    entryCount: first.entryCount,
    async scan() {
      let count = 0;
      for await (const entry of walk(first)) if (skipReason(entry) === undefined) count++;
      return count;
    },
    items() {
      if (started) throw new Error('items() may be called once');
      started = true;
      return (async function* () {
        const zip = await open();
        opened.push(zip);
        yield* readItems(zip, limits);
      })();
    },
    close() {
      for (const zip of opened) zip.close();
    },
  };
}

/** Central-directory entries, with damage reported as INVALID_ARCHIVE. */
async function* walk(zip: ZipFile): AsyncGenerator<NamedEntry> {
  try {
    for await (const entry of zip.eachEntry()) yield Object.assign(entry, { name: entryName(entry) });
  } catch (err) {
    throw invalid(yauzlReason(err));
  }
}

async function* readItems(zip: ZipFile, limits: ZipLimits): AsyncGenerator<BatchItem> {
  let budget = limits.maxTotalBytes;
  for await (const entry of walk(zip)) {
    if (skipReason(entry) !== undefined) continue;
    const name = entryLabel(entry.name);
    const refusal = refuse(entry, limits, budget);
    if (refusal) {
      yield { name, error: refusal.toJSON() };
      continue;
    }
    try {
      const bytes = await inflate(zip, entry);
      budget -= bytes.byteLength;
      if (isArchive(bytes)) throw nested();
      yield { name, bytes };
    } catch (err) {
      yield { name, error: errorInfo(err) };
    }
  }
}

/** Why an entry is not an item at all: directories, macOS resource forks, dotfiles. */
function skipReason(entry: NamedEntry): string | undefined {
  if (entry.name.endsWith('/')) return 'directory';
  const segments = entry.name.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  if (segments[0] === '__MACOSX') return 'resource fork';
  if (segments.some((s) => s.startsWith('.'))) return 'dotfile';
  return undefined;
}

/** What is wrong with an entry from its header alone, before a byte of it is inflated. */
function refuse(entry: NamedEntry, limits: ZipLimits, budget: number): QrwError | undefined {
  if (entry.isEncrypted()) return invalid('the entry is encrypted');
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) return invalid(`the entry uses compression method ${entry.compressionMethod} (only stored and deflated are read)`);
  if (NESTED_ARCHIVE_NAME.test(entry.name)) return nested();
  if (entry.uncompressedSize > limits.maxEntryBytes) return tooLarge(`declares ${entry.uncompressedSize} bytes, over the limit of ${limits.maxEntryBytes} for one image`, limits.maxEntryBytes);
  if (entry.uncompressedSize > budget) return tooLarge(`would take the archive past its ${limits.maxTotalBytes} inflated bytes`, limits.maxTotalBytes);
  if (overRatio(entry.uncompressedSize, entry.compressedSize, limits)) return tooLarge(`declares a compression ratio over ${limits.maxRatio}:1 (a zip bomb, not a picture)`, limits.maxEntryBytes);
  return undefined;
}

function overRatio(inflated: number, compressed: number, limits: ZipLimits): boolean {
  const ratio = limits.maxRatio ?? DEFAULT_MAX_RATIO;
  return inflated > RATIO_FLOOR_BYTES && inflated > ratio * Math.max(1, compressed);
}

/**
 * The entry's bytes, never more than it declared, which `refuse` has held to the limits (yauzl's size check
 * stops a stream that inflates past it, and so does this loop, so the bound does not rest on one check), CRC checked.
 */
async function inflate(zip: ZipFile, entry: Entry): Promise<Uint8Array> {
  let stream: NodeJS.ReadableStream & { destroy(): void };
  try {
    stream = await zip.openReadStreamPromise(entry);
  } catch (err) {
    throw invalid(yauzlReason(err));
  }
  const chunks: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      length += chunk.byteLength;
      if (length > entry.uncompressedSize) throw invalid('the entry inflates to more than it declares');
      chunks.push(chunk);
    }
  } catch (err) {
    stream.destroy();
    throw err instanceof QrwError ? err : invalid(yauzlReason(err));
  }
  const bytes = Buffer.concat(chunks, length);
  if (crc32(bytes) >>> 0 !== entry.crc32 >>> 0) throw invalid("the entry's checksum does not match its bytes (damaged)");
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function tooLarge(reason: string, limit: number): QrwError {
  return new QrwError('ENTRY_TOO_LARGE', `The entry ${reason}.`, { limit });
}

function nested(): QrwError {
  return new QrwError('UNSUPPORTED_IMAGE', 'The entry is itself an archive; nested archives are not opened.');
}

/** ZIP, gzip, 7z, RAR, bzip2, xz, zstd by their signatures, and tar by its "ustar" mark. */
export function isArchive(bytes: Uint8Array): boolean {
  const starts = (...sig: number[]): boolean => sig.every((b, i) => bytes[i] === b);
  const ustar = bytes.byteLength > 262 && Buffer.from(bytes.buffer, bytes.byteOffset + 257, 5).toString('latin1') === 'ustar';
  return (
    starts(0x50, 0x4b, 0x03, 0x04) ||
    starts(0x50, 0x4b, 0x05, 0x06) ||
    starts(0x1f, 0x8b) ||
    starts(0x37, 0x7a, 0xbc, 0xaf) ||
    starts(0x52, 0x61, 0x72, 0x21) ||
    starts(0x42, 0x5a, 0x68) ||
    starts(0xfd, 0x37, 0x7a, 0x58, 0x5a) ||
    starts(0x28, 0xb5, 0x2f, 0xfd) ||
    ustar
  );
}

/** The entry's name as the archive spells it (UTF-8 flag or CP437, Info-ZIP Unicode path), backslashes as slashes. */
function entryName(entry: Entry): string {
  return yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, entry.extraFields, false);
}

/** A label safe to print and to use as a name anywhere: no drive, no root, no `.` or `..`, no control characters, bounded. */
export function entryLabel(name: string): string {
  const label = name
    .replace(/\\/g, '/')
    .replace(/^[a-zA-Z]:/, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, '_')
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..')
    .join('/');
  return (label || 'unnamed').slice(-MAX_NAME_CHARS);
}

/** yauzl's errors are plain Errors whose message says what is wrong with the bytes. */
function yauzlReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /end of central directory record signature not found/i.test(message) ? 'not a ZIP (no end of central directory record), or truncated' : message;
}
