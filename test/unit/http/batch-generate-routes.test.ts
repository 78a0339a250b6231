import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/server.js';
import { manifestLines, readZip, zipNames } from '../../helpers/read-zip.js';
import { injectableApp } from '../../helpers/app.js';
import { hasZbar, requireZbar, zbarDecode } from '../../helpers/zbar.js';

describe('POST /api/v1/batch/generate', () => {
  let app: App;
  beforeAll(async () => {
    app = await injectableApp({ BATCH_MAX_ROWS: '10000', BATCH_MAX_BYTES: '200000' });
  });
  afterAll(async () => {
    await app.server.close();
  });

  const post = (body: string, contentType: string, query = '') => app.server.inject({ method: 'POST', url: `/api/v1/batch/generate${query}`, headers: { 'content-type': contentType }, payload: body });

  it('turns CSV rows into a ZIP of PNGs that a separate reader decodes, with the manifest last', async () => {
    const res = await post('text,filename,ec\nhello batch,greeting,Q\nsecond row,,\n', 'text/csv');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="qr-batch-2\.zip"$/);
    const entries = await readZip(res.rawPayload);
    expect([...entries.keys()]).toEqual(['greeting.png', '000002.png', 'manifest.csv']);
    expect(manifestLines(entries.get('manifest.csv')!)).toEqual([
      ['1', 'greeting.png', expect.stringMatching(/^\d+$/), ''],
      ['2', '000002.png', expect.stringMatching(/^\d+$/), ''],
    ]);
    if (!requireZbar && !hasZbar) return;
    const dir = mkdtempSync(join(tmpdir(), 'qrw-batch-'));
    try {
      for (const [name, text] of [
        ['greeting.png', 'hello batch'],
        ['000002.png', 'second row'],
      ] as const) {
        writeFileSync(join(dir, name), entries.get(name)!);
        expect(zbarDecode(join(dir, name))).toEqual([text]);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads NDJSON and JSON arrays, the query string giving every row its defaults', async () => {
    const ndjson = await post('{"text":"a"}\n{"text":"b","format":"txt"}\n', 'application/x-ndjson', '?format=svg');
    expect(await zipNames(ndjson.rawPayload)).toEqual(['000001.svg', '000002.txt', 'manifest.csv']);
    const json = await post('[{"text":"a","filename":"x"},{"text":"b","filename":"x"}]', 'application/json; charset=utf-8');
    expect(await zipNames(json.rawPayload)).toEqual(['x.png', 'x-2.png', 'manifest.csv']);
  });

  it('puts a row with a bad option in the manifest and makes the others', async () => {
    const res = await post('text,scale\ngood,4\nbad,0\n', 'text/csv');
    expect(res.statusCode).toBe(200);
    const entries = await readZip(res.rawPayload);
    const lines = manifestLines(entries.get('manifest.csv')!);
    expect(lines[0]).toEqual(['1', '000001.png', '1', '']);
    expect(lines[1]!.slice(0, 3)).toEqual(['2', '', '']);
    expect(lines[1]![3]).toMatch(/^INVALID_OPTION: .*scale/);
  });

  it('refuses other content types with 415', async () => {
    const res = await post('<rows/>', 'application/xml');
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses unreadable rows and bad defaults before any ZIP', async () => {
    const rows = await post('name\nx\n', 'text/csv');
    expect(rows.statusCode).toBe(400);
    expect(rows.json().error.code).toBe('INVALID_ROWS');
    const defaults = await post('text\nx\n', 'text/csv', '?ec=Z');
    expect(defaults.statusCode).toBe(422);
    expect(defaults.json().error.code).toBe('INVALID_OPTION');
  });

  it('refuses too many rows and too many bytes with 413 pointing to the jobs route', async () => {
    const rows = await post(`text\n${'r\n'.repeat(10_001)}`, 'text/csv');
    expect(rows.statusCode).toBe(413);
    expect(rows.json().error).toMatchObject({ code: 'BATCH_TOO_LARGE', details: { limit: 10000, jobs: '/api/v1/jobs?type=generate' } });
    const bytes = await post(`text\n${'x'.repeat(200_001)}\n`, 'text/csv');
    expect(bytes.statusCode).toBe(413);
    expect(bytes.json().error).toMatchObject({ code: 'BATCH_TOO_LARGE', details: { limit: 200000, jobs: '/api/v1/jobs?type=generate' } });
  });

  it('streams a 10,000-row batch: every entry and manifest line', async () => {
    const body = `text\n${Array.from({ length: 10_000 }, (_, i) => `SKU-${String(i + 1).padStart(9, '0')}`).join('\n')}\n`;
    const res = await post(body, 'text/csv');
    expect(res.statusCode).toBe(200);
    const names = await zipNames(res.rawPayload);
    expect(names).toHaveLength(10_001);
    expect(names.at(-1)).toBe('manifest.csv');
    expect(names[9_999]).toBe('010000.png');
    const lines = manifestLines((await readZip(res.rawPayload)).get('manifest.csv')!);
    expect(lines).toHaveLength(10_000);
    expect(lines.every((l, i) => l[0] === String(i + 1) && l[1] === names[i] && l[3] === '')).toBe(true);
  }, 60_000);
});
