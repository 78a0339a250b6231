import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/server.js';
import type { JobView } from '../../../src/jobs/job.js';
import { injectableApp } from '../../helpers/app.js';
import { readZip } from '../../helpers/read-zip.js';
import { CORPUS_PHOTO, makeZip } from '../../helpers/zips.js';

describe('job routes (in-process queue)', () => {
  let app: App;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qrw-job-routes-'));
    app = await injectableApp({ JOBS_DIR: dir, JOB_MAX_BYTES: '2000000' });
  });
  afterAll(async () => {
    await app.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const submit = (query: string, contentType: string, payload: string | Buffer) =>
    app.server.inject({ method: 'POST', url: `/api/v1/jobs?${query}`, headers: { 'content-type': contentType }, payload });

  async function finished(id: string): Promise<JobView> {
    for (let i = 0; i < 400; i++) {
      const view = (await app.server.inject({ method: 'GET', url: `/api/v1/jobs/${id}` })).json<JobView>();
      if (view.state !== 'queued' && view.state !== 'running') return view;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`job ${id} did not finish`);
  }

  it('generate: CSV rows -> 202 with the status URL -> completed -> the ZIP with a code per row and the manifest', async () => {
    const res = await submit('type=generate&ec=M', 'text/csv', 'text,filename\nhello,first\nworld,\n,empty\n');
    expect(res.statusCode).toBe(202);
    const queued = res.json<JobView>();
    expect(res.headers.location).toBe(queued.status_url);
    expect(queued).toMatchObject({ type: 'generate', progress: { done: 0, failed: 0, total: 3 } });
    const done = await finished(queued.id);
    expect(done).toMatchObject({ state: 'completed', progress: { done: 3, failed: 1, total: 3 }, result_url: `/api/v1/jobs/${queued.id}/result` });
    const result = await app.server.inject({ method: 'GET', url: done.result_url! });
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('application/zip');
    expect(result.headers['content-disposition']).toContain('.zip');
    const files = await readZip(result.rawPayload);
    expect([...files.keys()]).toEqual(['first.png', '2.png', 'manifest.csv'].map((n) => (n === '2.png' ? '000002.png' : n)));
    expect(files.get('first.png')!.subarray(1, 4).toString()).toBe('PNG');
    expect(files.get('manifest.csv')!.toString()).toMatch(/MISSING_TEXT/);
  });

  it('decode: a ZIP of photos -> NDJSON lines, or CSV when the submit asked for it', async () => {
    const zip = await makeZip([
      { name: 'a.webp', bytes: CORPUS_PHOTO.bytes },
      { name: 'b.txt', bytes: Buffer.from('not an image') },
    ]);
    const ndjson = await finished((await submit('type=decode', 'application/zip', zip)).json<JobView>().id);
    expect(ndjson).toMatchObject({ state: 'completed', progress: { done: 2, failed: 1, total: 2 } });
    const lines = (await app.server.inject({ method: 'GET', url: ndjson.result_url! })).body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; texts?: string[]; error?: { code: string } });
    expect(lines[0]).toMatchObject({ file: 'a.webp', texts: [CORPUS_PHOTO.text] });
    expect(lines[1]).toMatchObject({ file: 'b.txt', error: { code: expect.any(String) } });

    const csvSubmit = await app.server.inject({ method: 'POST', url: '/api/v1/jobs?type=decode', headers: { 'content-type': 'application/zip', accept: 'text/csv' }, payload: zip });
    const csv = await finished(csvSubmit.json<JobView>().id);
    const answer = await app.server.inject({ method: 'GET', url: csv.result_url! });
    expect(answer.headers['content-type']).toMatch(/^text\/csv/);
    expect(answer.body.split('\n')[0]).toBe('file,texts,formats,error');
  });

  it('decode: multipart files, in order, named as uploaded', async () => {
    const boundary = 'xyz';
    const part = (name: string, bytes: Buffer): Buffer =>
      Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), bytes, Buffer.from('\r\n')]);
    const body = Buffer.concat([part('one.webp', CORPUS_PHOTO.bytes), part('two.webp', CORPUS_PHOTO.bytes), Buffer.from(`--${boundary}--\r\n`)]);
    const res = await submit('type=decode', `multipart/form-data; boundary=${boundary}`, body);
    expect(res.statusCode).toBe(202);
    const done = await finished(res.json<JobView>().id);
    const files = (await app.server.inject({ method: 'GET', url: done.result_url! })).body
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { file: string }).file);
    expect(files).toEqual(['one.webp', 'two.webp']);
  });

  it('refuses bad submits with the usual errors, keeping nothing', async () => {
    const before = await readdir(dir);
    expect((await submit('type=nope', 'text/csv', 'text\na\n')).json()).toMatchObject({ error: { code: 'INVALID_OPTION' } });
    expect((await submit('type=generate', 'image/png', 'x')).json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
    expect((await submit('type=generate&ec=Z', 'text/csv', 'text\na\n')).json()).toMatchObject({ error: { code: 'INVALID_OPTION', details: { option: 'ec' } } });
    expect((await submit('type=generate&ecc=M', 'text/csv', 'text\na\n')).json()).toMatchObject({ error: { code: 'INVALID_OPTION', details: { option: 'ecc' } } });
    expect((await submit('type=generate', 'text/csv', 'filename\nx\n')).json()).toMatchObject({ error: { code: 'INVALID_ROWS' } });
    expect((await submit('type=decode', 'application/zip', 'PK not really')).json()).toMatchObject({ error: { code: 'INVALID_ARCHIVE' } });
    expect((await submit('type=decode&bogus=1', 'application/zip', await makeZip([{ name: 'a.webp', bytes: CORPUS_PHOTO.bytes }]))).json()).toMatchObject({ error: { code: 'INVALID_OPTION' } });
    expect((await submit('type=generate&callback=http://127.0.0.1/hook', 'text/csv', 'text\na\n')).json()).toMatchObject({ error: { code: 'INVALID_CALLBACK' } });
    const tooBig = await submit('type=generate', 'text/csv', `text\n${'a\n'.repeat(1_100_000)}`);
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE', details: { limit: 2000000 } } });
    expect(await readdir(dir)).toEqual(before);
  });

  it('answers 404 for unknown jobs, 409 for a result not there yet, and DELETE removes a finished job', async () => {
    expect((await app.server.inject({ method: 'GET', url: '/api/v1/jobs/00000000-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    expect((await app.server.inject({ method: 'GET', url: '/api/v1/jobs/nope/result' })).statusCode).toBe(404);
    const { id } = (await submit('type=generate', 'text/csv', `text\n${'code\n'.repeat(2000)}`)).json<JobView>();
    const early = await app.server.inject({ method: 'GET', url: `/api/v1/jobs/${id}/result` });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: { code: 'JOB_NOT_FINISHED', details: { state: expect.stringMatching(/queued|running/) } } });
    expect((await finished(id)).state).toBe('completed');
    const removed = await app.server.inject({ method: 'DELETE', url: `/api/v1/jobs/${id}` });
    expect(removed.statusCode).toBe(200);
    expect((await app.server.inject({ method: 'GET', url: `/api/v1/jobs/${id}` })).statusCode).toBe(404);
    await expect(readdir(join(dir, id))).rejects.toThrow();
  });
});
