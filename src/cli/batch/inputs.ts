/**
 * What a batch command reads: a file of rows (its format from the extension or --rows-format), or
 * images as a folder (sorted, optionally recursive) or a ZIP archive (recognised by its signature).
 */
import type { Stats } from 'node:fs';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ImageBatch } from '../../app/batch-decode.js';
import type { RowFormat } from '../../batch/rows.js';
import type { BatchItem } from '../../batch/zip-reader.js';
import { QrwError, errorInfo } from '../../errors.js';
import { CliExit, EXIT_USAGE } from '../exit.js';

export const ROW_FORMATS: readonly RowFormat[] = ['csv', 'ndjson', 'json'];
const ROW_FORMAT_BY_EXTENSION: Readonly<Record<string, RowFormat>> = { '.csv': 'csv', '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.json': 'json' };
/** The Content-Type the job API reads each row format from. */
export const ROW_CONTENT_TYPES: Readonly<Record<RowFormat, string>> = { csv: 'text/csv', ndjson: 'application/x-ndjson', json: 'application/json' };

/** The extensions a folder's images are picked by: the formats the reader takes. */
const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.gif', '.tif', '.tiff', '.avif']);

async function exists(path: string): Promise<Stats> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CliExit(EXIT_USAGE, `${path}: no such file or folder`);
  return info;
}

/** The rows file's format: --rows-format when given, else its extension. */
export async function rowsFile(path: string, given: RowFormat | undefined): Promise<{ path: string; format: RowFormat; bytes: number }> {
  const info = await exists(path);
  if (!info.isFile()) throw new CliExit(EXIT_USAGE, `${path}: not a file of rows`);
  const format = given ?? ROW_FORMAT_BY_EXTENSION[extname(path).toLowerCase()];
  if (!format) throw new CliExit(EXIT_USAGE, `${path}: cannot tell the rows' format from the extension; name it .csv, .ndjson, .jsonl or .json, or give --rows-format`);
  return { path, format, bytes: info.size };
}

export type ImageSource = { readonly kind: 'folder'; readonly dir: string; readonly files: readonly string[] } | { readonly kind: 'zip'; readonly path: string; readonly bytes: number };

const ZIP_SIGNATURES = [Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from([0x50, 0x4b, 0x05, 0x06])];

async function startsLikeZip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    return bytesRead === 4 && ZIP_SIGNATURES.some((s) => s.equals(head));
  } finally {
    await file.close();
  }
}

/**
 * Image files under `dir` as paths relative to it, sorted; dotfiles and dot-folders are left out, and other files
 * are added to `skipped` when it is given.
 */
export async function listImages(dir: string, recursive: boolean, skipped?: string[], prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory() && recursive) found.push(...(await listImages(dir, true, skipped, relative)));
    else if (entry.isFile() && IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) found.push(relative);
    else if (entry.isFile()) skipped?.push(relative);
  }
  return found.sort();
}

/** What the folder modes say when a folder holds no image. */
export function noImagesIn(dir: string): string {
  return `${dir}: no image files in the folder (${[...IMAGE_EXTENSIONS].join(' ')})`;
}

/** A folder of images or a ZIP of them; anything else is bad usage. */
export async function imageSource(path: string, recursive: boolean): Promise<ImageSource> {
  const info = await exists(path);
  if (info.isDirectory()) {
    const files = await listImages(path, recursive);
    if (files.length === 0) throw new CliExit(EXIT_USAGE, `${noImagesIn(path)}${recursive ? '' : '; --recursive reads its sub-folders too'}`);
    return { kind: 'folder', dir: path, files };
  }
  if (info.isFile() && (await startsLikeZip(path))) return { kind: 'zip', path, bytes: info.size };
  throw new CliExit(EXIT_USAGE, `${path}: neither a folder of images nor a ZIP archive`);
}

/** A folder's images as a batch, each file read when its turn comes; a file that cannot be read becomes its error line. */
export function folderBatch(dir: string, files: readonly string[]): ImageBatch {
  async function* items(): AsyncIterable<BatchItem> {
    for (const name of files) {
      try {
        const bytes = await readFile(join(dir, name));
        yield { name, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
      } catch (err) {
        yield { name, error: errorInfo(new QrwError('MISSING_IMAGE', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`)) };
      }
    }
  }
  return { total: files.length, items: items() };
}
