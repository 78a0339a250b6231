/**
 * Names of the files in a batch's archive: the row's `filename` made safe (no folders, no `..`, no
 * control characters, bounded length), or its row number zero-padded, and unique in the archive.
 */

/** Characters of a name kept at most (before the suffix and the extension). */
export const MAX_NAME_CHARS = 100;

/** The characters no archive entry name may hold: separators, controls, and those Windows refuses. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|]/g;

/** `filename` as a bare file name without `extension`, or '' when nothing usable is left. */
export function sanitiseName(filename: string, extension: string): string {
  let name = filename.normalize('NFC').replace(UNSAFE, '_').trim();
  if (name.toLowerCase().endsWith(extension.toLowerCase())) name = name.slice(0, -extension.length);
  // No "..", and no leading dots (hidden files, or "." and ".." themselves).
  name = name
    .replace(/\.{2,}/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  // Only the marks of what was removed left: nothing the client chose, so the row's number instead.
  if (!/[^_.\s]/.test(name)) return '';
  return Array.from(name).slice(0, MAX_NAME_CHARS).join('');
}

/**
 * Chooses each row's entry name. Names from row numbers are unique by construction, so only the
 * names taken from `filename` are remembered: memory grows with the rows that name themselves, not
 * with the batch.
 */
export class EntryNamer {
  private readonly taken = new Set<string>();
  /** Rows named by their `filename` (the others carry their number). */
  private readonly named = new Set<number>();
  private readonly width: number;
  private current = 0;

  /** `rows`, when known, sets the width of the numbers (at least 6 digits). */
  constructor(rows?: number) {
    this.width = Math.max(6, String(rows ?? 0).length);
  }

  /** The entry name of `row`; rows come in increasing order. */
  name(row: number, filename: string | undefined, extension: string): string {
    this.current = row;
    const own = filename === undefined ? '' : sanitiseName(filename, extension);
    if (own !== '') this.named.add(row);
    const base = own || this.numbered(row);
    if (own === '' && !this.taken.has(base)) return base + extension;
    let candidate = base;
    for (let n = 2; this.taken.has(candidate) || this.isEarlierNumber(candidate); n++) candidate = `${base}-${n}`;
    this.taken.add(candidate);
    return candidate + extension;
  }

  private numbered(row: number): string {
    return String(row).padStart(this.width, '0');
  }

  /** True when `base` is the name an earlier row without a `filename` has by its number. */
  private isEarlierNumber(base: string): boolean {
    if (!/^\d+$/.test(base)) return false;
    const row = Number(base);
    return row >= 1 && row < this.current && !this.named.has(row) && this.numbered(row) === base;
  }
}
