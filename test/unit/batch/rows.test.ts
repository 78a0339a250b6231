import { describe, expect, it } from 'vitest';
import { countRows, readRows, rowFormatFor, type BatchRow, type RowFormat, type RowLimits } from '../../../src/batch/rows.js';
import { QrwError } from '../../../src/errors.js';

const limits: RowLimits = { maxRows: 100, maxTextBytes: 64, optionNames: ['ec', 'scale', 'format'] };

/** The body in pieces of `size` characters, so that rows and strings straddle the pieces. */
async function* inPieces(body: string, size: number): AsyncIterable<string> {
  for (let i = 0; i < body.length; i += size) yield body.slice(i, i + size);
}

async function rows(body: string, format: RowFormat, piece = 3, l = limits): Promise<BatchRow[]> {
  const found: BatchRow[] = [];
  for await (const row of readRows(inPieces(body, piece), format, l)) found.push(row);
  return found;
}

async function failure(promise: Promise<unknown>): Promise<QrwError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QrwError);
  return err as QrwError;
}

describe('row formats', () => {
  it('knows the content types', () => {
    expect(rowFormatFor('text/csv; charset=utf-8')).toBe('csv');
    expect(rowFormatFor('application/x-ndjson')).toBe('ndjson');
    expect(rowFormatFor('application/jsonl')).toBe('ndjson');
    expect(rowFormatFor('application/json')).toBe('json');
    expect(rowFormatFor('application/xml')).toBeUndefined();
  });
});

describe('CSV rows', () => {
  it('reads text, filename and option columns (quoted fields, a BOM, CRLF, empty cells left to the defaults)', async () => {
    const body = '\ufefftext,filename,ec,scale\r\n"a, ""quoted"" text",one,L,4\r\nplain,,,\r\n';
    expect(await rows(body, 'csv')).toEqual([
      { row: 1, text: 'a, "quoted" text', filename: 'one', options: { ec: 'L', scale: '4' } },
      { row: 2, text: 'plain', filename: undefined, options: {} },
    ]);
  });

  it('refuses a header without text, and an unknown column, as a whole', async () => {
    expect((await failure(rows('name\nx\n', 'csv'))).code).toBe('INVALID_ROWS');
    const unknown = await failure(rows('text,colour\nx,red\n', 'csv'));
    expect(unknown.code).toBe('INVALID_ROWS');
    expect(unknown.details).toEqual({ column: 'colour' });
  });

  it('refuses a record with the wrong number of fields', async () => {
    expect((await failure(rows('text,ec\na,L,extra\n', 'csv'))).code).toBe('INVALID_ROWS');
  });

  it('gives a text over the byte limit its own error and goes on', async () => {
    const found = await rows(`text\n${'é'.repeat(40)}\nok\n`, 'csv');
    expect(found[0]!.error?.code).toBe('QR_DATA_TOO_LONG');
    expect(found[1]).toMatchObject({ row: 2, text: 'ok' });
  });
});

describe('NDJSON rows', () => {
  it('reads one object a line, skipping blank lines', async () => {
    const body = '{"text":"a","scale":3}\n\n{"text":"b","filename":"f"}\n';
    expect(await rows(body, 'ndjson')).toEqual([
      { row: 1, text: 'a', filename: undefined, options: { scale: 3 } },
      { row: 2, text: 'b', filename: 'f', options: {} },
    ]);
  });

  it('refuses a line that is not JSON or not an object, naming the line', async () => {
    const err = await failure(rows('{"text":"a"}\n{oops\n', 'ndjson'));
    expect(err.code).toBe('INVALID_ROWS');
    expect(err.details).toEqual({ line: 2 });
    expect((await failure(rows('[1]\n', 'ndjson'))).code).toBe('INVALID_ROWS');
  });

  it('gives a row with an unknown field or a nested value its own error', async () => {
    const found = await rows('{"text":"a","colour":"red"}\n{"text":"b","ec":{"x":1}}\n{"text":"c"}\n', 'ndjson');
    expect(found.map((r) => r.error?.code)).toEqual(['INVALID_OPTION', 'INVALID_OPTION', undefined]);
  });
});

describe('JSON array rows', () => {
  it('streams the objects of an array, strings with brackets, commas and escapes included', async () => {
    const body = ' [ {"text":"a],}{\\"b"}, {"text":"x","filename":"n[1]","ec":"Q"} ] ';
    for (const piece of [1, 2, 5, 1000]) {
      expect(await rows(body, 'json', piece)).toEqual([
        { row: 1, text: 'a],}{"b', filename: undefined, options: {} },
        { row: 2, text: 'x', filename: 'n[1]', options: { ec: 'Q' } },
      ]);
    }
  });

  it('reads an empty array as no rows', async () => {
    expect(await rows('[]', 'json')).toEqual([]);
  });

  it('refuses what is not an array of objects, or is cut short', async () => {
    for (const body of ['{"text":"a"}', '[1,2]', '[{"text":"a"}', '[{"text":"a"}] x', '[{"text": nope}]']) {
      expect((await failure(rows(body, 'json'))).code, body).toBe('INVALID_ROWS');
    }
  });
});

describe('limits', () => {
  it('refuses more rows than the limit with BATCH_TOO_LARGE pointing to the jobs route', async () => {
    const body = `text\n${Array.from({ length: 5 }, (_, i) => `t${i}`).join('\n')}\n`;
    const err = await failure(rows(body, 'csv', 7, { ...limits, maxRows: 4 }));
    expect(err.code).toBe('BATCH_TOO_LARGE');
    expect(err.details).toEqual({ limit: 4, jobs: '/api/v1/jobs?type=generate' });
  });

  it('counts the rows of a whole body', async () => {
    const body = new TextEncoder().encode(`text\n${Array.from({ length: 1000 }, (_, i) => `t${i}`).join('\n')}\n`);
    expect(await countRows(body, 'csv', { ...limits, maxRows: 1000 })).toBe(1000);
    expect((await failure(countRows(body, 'csv', { ...limits, maxRows: 999 }))).code).toBe('BATCH_TOO_LARGE');
  });
});
