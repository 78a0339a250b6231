import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchIdPhotoService } from '../../../src/app/batch-idphoto.js';
import type { IdPhotoResult } from '../../../src/idphoto/make.js';
import type { IdPhotoReport } from '../../../src/idphoto/report.js';
import { idPhotoJobKind } from '../../../src/jobs/idphoto-kinds.js';
import type { JobSpec } from '../../../src/jobs/job.js';
import { FILES_DIR, INPUT_FILE } from '../../../src/jobs/kinds.js';
import { readZip } from '../../helpers/read-zip.js';
import { makeZip } from '../../helpers/zips.js';

// The kind's own work (options, counting, reading the stored input into the use case); the photos are the portraits' bytes, no models.
const photos = {
  saturated: false,
  photo: async (bytes: Uint8Array): Promise<IdPhotoResult & { cached: false }> => ({
    photo: { contentType: 'image/png', data: bytes, width: 1, height: 1, dpi: 300 },
    hires: null,
    sheet: null,
    report: { passed: true, headHeight: { px: 1, mm: 1, percent: 1 }, rules: [], warnings: [] } as unknown as IdPhotoReport,
    cached: false,
  }),
};
const kind = idPhotoJobKind(new BatchIdPhotoService(photos, 2), { maxBytes: 1024 * 1024, maxImageBytes: 64 * 1024 });
const spec = (contentType: string, total: number, options: Record<string, string> = {}): JobSpec => ({
  id: 'x',
  type: 'idphoto',
  contentType,
  options,
  resultType: 'application/zip',
  total,
  createdAt: 0,
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qrw-idphoto-kind-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runKind(jobSpec: JobSpec, jobDir: string): Promise<Map<string, Buffer>> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await kind.run!(jobSpec, jobDir, out, {});
  return readZip(Buffer.concat(chunks));
}

describe('idPhotoJobKind', () => {
  it('runs on the ID-photo queue, takes ZIPs and multipart files, answers a ZIP', () => {
    expect(kind.tool).toBe('idphoto');
    expect(kind.accepts).toEqual(['application/zip', 'application/x-zip-compressed', 'multipart/form-data']);
    expect(kind.resultType('text/csv', {})).toBe('application/zip');
  });

  it('refuses unknown and bad options by name, and takes good ones', () => {
    expect(() => kind.checkOptions({ formats: 'qr' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', details: { option: 'formats' } }));
    expect(() => kind.checkOptions({ spec: 'nowhere' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', details: { option: 'spec' } }));
    expect(() => kind.checkOptions({ spec: 'us-passport', background: 'white', sheet: '4x6' })).not.toThrow();
  });

  it('counts and runs a stored ZIP; refuses one over the row limit or not a ZIP', async () => {
    const zipDir = join(dir, 'zip');
    await mkdir(zipDir);
    await writeFile(
      join(zipDir, INPUT_FILE),
      await makeZip([
        { name: 'x/ana.jpg', bytes: Buffer.from('ana') },
        { name: 'ben.jpg', bytes: Buffer.from('ben') },
      ]),
    );
    expect(await kind.count(spec('application/zip', 0), zipDir, 10)).toBe(2);
    await expect(kind.count(spec('application/zip', 0), zipDir, 1)).rejects.toMatchObject({ code: 'BATCH_TOO_LARGE' });
    const entries = await runKind(spec('application/zip', 2, { format: 'png' }), zipDir);
    expect([...entries.keys()]).toEqual(['ana.png', 'ben.png', 'reports.ndjson', 'manifest.csv']);
    expect(entries.get('ana.png')!.toString()).toBe('ana');
    const notZip = join(dir, 'not-zip');
    await mkdir(notZip);
    await writeFile(join(notZip, INPUT_FILE), 'hello');
    await expect(kind.count(spec('application/zip', 0), notZip, 10)).rejects.toMatchObject({ code: 'INVALID_ARCHIVE' });
  });

  it('counts and runs saved multipart files in their order, named as uploaded', async () => {
    const filesDir = join(dir, 'files');
    await mkdir(join(filesDir, FILES_DIR), { recursive: true });
    const save = (i: number, name: string, body: string) => writeFile(join(filesDir, FILES_DIR, `${String(i).padStart(9, '0')}-${Buffer.from(name).toString('base64url')}`), body);
    await save(0, 'Zoë.jpg', 'z');
    await save(1, 'al.jpg', 'a');
    expect(await kind.count(spec('multipart/form-data', 0), filesDir, 10)).toBe(2);
    const entries = await runKind(spec('multipart/form-data', 2), filesDir);
    expect([...entries.keys()]).toEqual(['Zoë.png', 'al.png', 'reports.ndjson', 'manifest.csv']);
  });
});

describe('the ID-photo kind where the tool is not served', () => {
  it('checks the options and counts the portraits, but runs nothing (the processes that serve the tool do)', async () => {
    const descriptor = idPhotoJobKind(undefined, { maxBytes: 1024 * 1024, maxImageBytes: 64 * 1024 });
    expect(descriptor.run).toBeUndefined();
    expect(() => descriptor.checkOptions({ spec: 'nope' })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => descriptor.checkOptions({ spec: 'us-passport' })).not.toThrow();
  });
});
