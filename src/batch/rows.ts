/**
 * The rows of a generate batch, read as they stream in: CSV (a header with `text`, optional
 * `filename` and option columns), NDJSON (one object a line) or a JSON array of objects. A body
 * that cannot be read as rows is refused whole (INVALID_ROWS); a row with a bad field carries its
 * own error and the batch goes on. A JSON array is streamed too: a small scanner cuts it into its
 * objects, each parsed alone, so no reader ever holds more than one row beyond its input chunk.
 */
import { Readable } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import { QrwError } from '../errors.js';

export type RowFormat = 'csv' | 'ndjson' | 'json';

export type RowValue = string | number | boolean;

export interface BatchRow {
  /** 1-based, in body order. */
  readonly row: number;
  readonly text?: string | undefined;
  readonly filename?: string | undefined;
  /** Per-row options, raw (validated by the use case with the generate option registry). */
  readonly options: Readonly<Record<string, RowValue>>;
  /** What is wrong with this row alone: it is reported in the manifest, the others go on. */
  readonly error?: QrwError | undefined;
}

export interface RowLimits {
  /** More rows than this: BATCH_TOO_LARGE. */
  readonly maxRows: number;
  /** A text longer than this (UTF-8 bytes) is that row's error. */
  readonly maxTextBytes: number;
  /** The option columns or keys a row may carry besides `text` and `filename`. */
  readonly optionNames: readonly string[];
}

/** Where a batch too large for one request should go. */
export const GENERATE_JOBS_ROUTE = '/api/v1/jobs?type=generate';

/** Longest CSV record, NDJSON line or JSON object accepted, beyond the text itself. */
const ROW_OVERHEAD_BYTES = 64 * 1024;
/** A body given whole is fed to the parsers in pieces of this size, so that they yield as they go. */
const PIECE_BYTES = 64 * 1024;

const CONTENT_TYPES: Record<string, RowFormat> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'application/json': 'json',
};

export const ROW_CONTENT_TYPES = Object.keys(CONTENT_TYPES);

/** The row format a Content-Type names (parameters ignored), or undefined. */
export function rowFormatFor(contentType: string | undefined): RowFormat | undefined {
  return CONTENT_TYPES[(contentType ?? '').split(';')[0]!.trim().toLowerCase()];
}

export type RowSource = Uint8Array | AsyncIterable<Uint8Array | string>;

async function* pieces(source: RowSource): AsyncIterable<Uint8Array | string> {
  if (!(source instanceof Uint8Array)) {
    yield* source;
    return;
  }
  for (let at = 0; at < source.byteLength; at += PIECE_BYTES) yield source.subarray(at, at + PIECE_BYTES);
}

function invalidRows(message: string, details?: Record<string, unknown>): QrwError {
  return new QrwError('INVALID_ROWS', message, details);
}

export function tooManyRows(limit: number): QrwError {
  return new QrwError('BATCH_TOO_LARGE', `More than ${limit} rows: send a batch this large to ${GENERATE_JOBS_ROUTE}.`, { limit, jobs: GENERATE_JOBS_ROUTE });
}

/** A row's fields -> the row, with its error if one field is bad. */
function toRow(row: number, fields: Record<string, unknown>, limits: RowLimits): BatchRow {
  const options: Record<string, RowValue> = {};
  let text: string | undefined;
  let filename: string | undefined;
  let error: QrwError | undefined;
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined || value === null || value === '') continue;
    if (key === 'text' || key === 'filename') {
      if (typeof value !== 'string') error ??= new QrwError('INVALID_OPTION', `"${key}" must be a string.`, { option: key });
      else if (key === 'text') text = value;
      else filename = value;
    } else if (!limits.optionNames.includes(key)) {
      error ??= new QrwError('INVALID_OPTION', `Unknown field "${key}"; a row takes text, filename and ${limits.optionNames.join(', ')}.`, { option: key });
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      options[key] = value;
    } else {
      error ??= new QrwError('INVALID_OPTION', `Option "${key}" must be a string, a number or a boolean.`, { option: key });
    }
  }
  if (text !== undefined && Buffer.byteLength(text) > limits.maxTextBytes) {
    error ??= new QrwError('QR_DATA_TOO_LONG', `The text is longer than ${limits.maxTextBytes} bytes.`, { limit: limits.maxTextBytes });
  }
  return { row, text, filename, options, ...(error && { error }) };
}

async function* csvRecords(source: RowSource, limits: RowLimits): AsyncIterable<Record<string, unknown>> {
  const parser = Readable.from(pieces(source)).pipe(
    parseCsv({
      bom: true,
      skip_empty_lines: true,
      max_record_size: limits.maxTextBytes + ROW_OVERHEAD_BYTES,
      columns: (header: string[]) => {
        const names = header.map((h) => h.trim());
        if (!names.includes('text')) throw invalidRows('The CSV header has no "text" column.', { columns: names });
        const unknown = names.find((n) => n !== 'text' && n !== 'filename' && !limits.optionNames.includes(n));
        if (unknown !== undefined) throw invalidRows(`Unknown CSV column "${unknown}"; columns: text, filename, ${limits.optionNames.join(', ')}.`, { column: unknown });
        return names;
      },
    }),
  );
  try {
    for await (const record of parser) yield record as Record<string, unknown>;
  } catch (err) {
    if (err instanceof QrwError) throw err;
    throw invalidRows(`The CSV cannot be read: ${(err as Error).message}`);
  }
}

/** Splits a byte stream at newlines; each line is yielded without its line break. */
async function* lines(source: RowSource, maxBytes: number): AsyncIterable<string> {
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let rest = '';
  for await (const piece of pieces(source)) {
    rest += typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      yield rest.slice(0, nl);
      rest = rest.slice(nl + 1);
    }
    if (rest.length > maxBytes) throw invalidRows(`A line is longer than ${maxBytes} bytes.`);
  }
  rest += decoder.decode();
  if (rest.length > 0) yield rest;
}

function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidRows(`${where} is not a JSON object.`);
  return value as Record<string, unknown>;
}

async function* ndjsonRecords(source: RowSource, limits: RowLimits): AsyncIterable<Record<string, unknown>> {
  let line = 0;
  for await (const raw of lines(source, limits.maxTextBytes + ROW_OVERHEAD_BYTES)) {
    line++;
    const text = raw.trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw invalidRows(`Line ${line} is not JSON.`, { line });
    }
    yield asObject(value, `Line ${line}`);
  }
}

/**
 * The objects of a JSON array, one at a time: a scanner follows strings and nesting to find where
 * each top-level element ends, and JSON.parse reads that element alone.
 */
async function* jsonArrayRecords(source: RowSource, limits: RowLimits): AsyncIterable<Record<string, unknown>> {
  const maxElement = limits.maxTextBytes + ROW_OVERHEAD_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  type State = 'before' | 'element' | 'between' | 'after';
  let state = 'before' as State;
  let element = '';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let index = 0;
  const emit = (): Record<string, unknown> => {
    let value: unknown;
    try {
      value = JSON.parse(element);
    } catch {
      throw invalidRows(`Element ${index + 1} of the JSON array is not valid JSON.`, { element: index + 1 });
    }
    index++;
    element = '';
    return asObject(value, `Element ${index} of the JSON array`);
  };
  for await (const piece of pieces(source)) {
    const chunk = typeof piece === 'string' ? piece : decoder.decode(piece, { stream: true });
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (state === 'element') {
        if (inString) {
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          if (depth === 0) {
            // The array's own "]" right after an element.
            element += chunk.slice(start, i);
            yield emit();
            state = 'after';
            continue;
          }
          depth--;
        } else if (c === ',' && depth === 0) {
          element += chunk.slice(start, i);
          yield emit();
          state = 'between';
        }
        continue;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\ufeff') continue;
      if (state === 'before' && c === '[') state = 'between';
      else if (state === 'between' && c === ']' && index === 0) state = 'after';
      else if (state === 'between') {
        state = 'element';
        start = i;
        i--; // read this character again as the element's first
      } else throw invalidRows('The body is not a JSON array of objects.');
    }
    if (state === 'element') {
      element += chunk.slice(start);
      if (element.length > maxElement) throw invalidRows(`Element ${index + 1} of the JSON array is longer than ${maxElement} bytes.`);
    }
  }
  if (state !== 'after') throw invalidRows('The JSON array is not complete.');
}

const READERS: Record<RowFormat, (source: RowSource, limits: RowLimits) => AsyncIterable<Record<string, unknown>>> = {
  csv: csvRecords,
  ndjson: ndjsonRecords,
  json: jsonArrayRecords,
};

/** The rows of a body, as they arrive; throws INVALID_ROWS for a body that is not rows, BATCH_TOO_LARGE past `maxRows`. */
export async function* readRows(source: RowSource, format: RowFormat, limits: RowLimits): AsyncIterable<BatchRow> {
  let row = 0;
  for await (const fields of READERS[format](source, limits)) {
    if (++row > limits.maxRows) throw tooManyRows(limits.maxRows);
    yield toRow(row, fields, limits);
  }
}

/** Reads a whole body once to count its rows (and find any body-level error) before any work starts. */
export async function countRows(source: RowSource, format: RowFormat, limits: RowLimits): Promise<number> {
  let count = 0;
  for await (const row of readRows(source, format, limits)) count = row.row;
  return count;
}
