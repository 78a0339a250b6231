import { mkdtemp, readFile, readdir, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { progressReporter } from '../../../src/app/batch.js';
import { QrwError } from '../../../src/errors.js';
import type { JobView } from '../../../src/jobs/job.js';
import { INPUT_FILE, type JobKinds } from '../../../src/jobs/kinds.js';
import { JobService, type JobSettings } from '../../../src/jobs/service.js';
import { REDIS_URL, deleteKeys, requireRedis } from '../../helpers/redis.js';

/**
 * A kind for the queue's own tests: its input is lines of text; it writes each line upper-cased, one
 * at a time with a pause, fails on a line "FAIL", and stops when aborted.
 */
const lines: JobKinds = {
  lines: {
    tool: 'qr',
    accepts: ['text/plain'],
    resultType: () => 'text/plain',
    checkOptions: (options) => {
      if (options.pause !== undefined && !/^\d+$/.test(options.pause)) throw new QrwError('INVALID_OPTION', 'pause', { option: 'pause' });
    },
    count: async (_spec, dir) => (await readFile(join(dir, INPUT_FILE), 'utf8')).split('\n').filter(Boolean).length,
    run: async (spec, dir, out: Writable, control) => {
      const items = (await readFile(join(dir, INPUT_FILE), 'utf8')).split('\n').filter(Boolean);
      const progress = progressReporter(control, items.length);
      for (const line of items) {
        control.signal?.throwIfAborted();
        if (line === 'FAIL') throw new QrwError('INVALID_ROWS', 'a line said FAIL');
        await new Promise((resolve) => setTimeout(resolve, Number(spec.options.pause ?? 0)));
        out.write(`${line.toUpperCase()}\n`);
        progress.item(false);
      }
      return progress.flush();
    },
  },
};

const log = pino({ level: 'silent' });

/** Every test's keys start with it, so the shared Redis is left as it was found. */
const KEY_PREFIX = `qrw-test-jobs-${process.pid}-`;

function settings(dir: string, redis: boolean, overrides: Partial<JobSettings> = {}): JobSettings {
  return {
    redisUrl: redis ? REDIS_URL : undefined,
    redisKeyPrefix: `${KEY_PREFIX}${Math.random().toString(36).slice(2)}:`,
    jobsDir: dir,
    jobMaxBytes: 1 << 20,
    jobMaxRows: 1000,
    jobMaxQueued: 100,
    jobResultTtlSeconds: 3600,
    jobConcurrency: 1,
    jobLockMs: 30_000,
    jobCallbackPrivate: false,
    ...overrides,
  };
}

function submit(jobs: JobService, body: string, options: Record<string, string> = {}): Promise<JobView> {
  return jobs.submit({
    type: 'lines',
    contentType: 'text/plain; charset=utf-8',
    options,
    store: (storage, id) => storage.receive(id, Readable.from([body]), INPUT_FILE, 1 << 20).then(() => undefined),
  });
}

async function until(jobs: JobService, id: string, done: (view: JobView) => boolean): Promise<JobView> {
  for (let i = 0; i < 400; i++) {
    const view = await jobs.get(id);
    if (done(view)) return view;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${id} never got there: ${JSON.stringify(await jobs.get(id))}`);
}

async function text(jobs: JobService, id: string): Promise<string> {
  const result = await jobs.result(id);
  const chunks: Buffer[] = [];
  for await (const chunk of result.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

for (const engine of ['in-process', 'redis'] as const) {
  describe.skipIf(engine === 'redis' && !requireRedis)(`job queue (${engine})`, () => {
    const redis = engine === 'redis';
    let dir: string;
    const open: JobService[] = [];
    const start = async (overrides: Partial<JobSettings> = {}, runJobs = 1): Promise<JobService> => {
      const service = await JobService.start(settings(dir, redis, overrides), lines, log, undefined, runJobs);
      open.push(service);
      return service;
    };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'qrw-jobs-'));
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
      if (redis) await deleteKeys(`${KEY_PREFIX}*`);
    });

    it('runs a job to completion: progress over the items counted at submit, then the result', async () => {
      const jobs = await start();
      const queued = await submit(jobs, 'a\nb\nc\n');
      expect(queued).toMatchObject({ type: 'lines', state: 'queued', progress: { done: 0, failed: 0, total: 3 }, status_url: `/api/v1/jobs/${queued.id}` });
      const done = await until(jobs, queued.id, (v) => v.state === 'completed');
      expect(done.progress).toEqual({ done: 3, failed: 0, total: 3 });
      expect(done.result_url).toBe(`/api/v1/jobs/${queued.id}/result`);
      expect(Date.parse(done.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(done.startedAt!));
      expect(await text(jobs, queued.id)).toBe('A\nB\nC\n');
      // Only the published result is left beside the input: no part file of the attempt.
      expect((await readdir(join(dir, queued.id))).sort()).toEqual(['input', 'result']);
    });

    it('refuses a bad option or content type before anything is stored', async () => {
      const jobs = await start();
      await expect(submit(jobs, 'a\n', { pause: 'soon' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
      await expect(jobs.submit({ type: 'lines', contentType: 'application/zip', options: {}, store: async () => undefined })).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
      await expect(jobs.submit({ type: 'nope', contentType: 'text/plain', options: {}, store: async () => undefined })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
      const before = await readdir(dir);
      await expect(
        jobs.submit({ type: 'lines', contentType: 'text/plain', options: {}, store: (s, id) => s.receive(id, Readable.from(['x'.repeat(2048)]), INPUT_FILE, 1024).then(() => undefined) }),
      ).rejects.toMatchObject({
        code: 'BODY_TOO_LARGE',
      });
      expect(await readdir(dir)).toEqual(before);
    });

    it("records a failed job's error", async () => {
      const jobs = await start();
      const { id } = await submit(jobs, 'a\nFAIL\n');
      const failed = await until(jobs, id, (v) => v.state === 'failed');
      expect(failed.error).toMatchObject({ code: 'INVALID_ROWS', message: 'a line said FAIL' });
      await expect(jobs.result(id)).rejects.toMatchObject({ code: 'JOB_NOT_FINISHED', details: { state: 'failed' } });
    });

    it('cancels a running job: it stops, its files go, the state says cancelled', async () => {
      const jobs = await start();
      const { id } = await submit(jobs, 'a\nb\nc\nd\ne\nf\ng\nh\n', { pause: '200' });
      await until(jobs, id, (v) => v.state === 'running' && v.progress.done >= 1);
      const cancelled = await jobs.cancel(id);
      expect(cancelled.state).toBe('cancelled');
      const later = await until(jobs, id, (v) => v.state === 'cancelled');
      expect(later.progress.done).toBeLessThan(8);
      await expect(readdir(join(dir, id))).rejects.toThrow();
      await expect(jobs.result(id)).rejects.toMatchObject({ code: 'JOB_NOT_FINISHED' });
    });

    it('cancels a queued job before it runs', async () => {
      // With Redis a process that runs no jobs only queues them; in-process, a long job ahead keeps the next one waiting.
      const jobs = await start({}, redis ? 0 : 1);
      if (!redis) await submit(jobs, 'a\nb\nc\nd\n', { pause: '300' });
      const { id } = await submit(jobs, 'x\n');
      expect((await jobs.get(id)).state).toBe('queued');
      expect((await jobs.cancel(id)).state).toBe('cancelled');
      expect((await jobs.get(id)).state).toBe('cancelled');
      await expect(readdir(join(dir, id))).rejects.toThrow();
    });

    it('deletes finished jobs and their files once JOB_RESULT_TTL has passed, and directories no job owns', async () => {
      const jobs = await start({ jobResultTtlSeconds: 1 });
      const { id } = await submit(jobs, 'a\n');
      await until(jobs, id, (v) => v.state === 'completed');
      const orphan = join(dir, '00000000-0000-4000-8000-000000000000');
      await mkdir(orphan);
      await writeFile(join(orphan, 'input'), 'left by a submit that died');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      // The periodic sweep may have got there first: what counts is that both are gone.
      await jobs.sweep();
      await expect(jobs.get(id)).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
      await expect(readdir(join(dir, id))).rejects.toThrow();
      await expect(readdir(orphan)).rejects.toThrow();
    });

    it('answers JOB_NOT_FOUND for an unknown or malformed id', async () => {
      const jobs = await start();
      await expect(jobs.get('9b2c3c1e-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
      await expect(jobs.get('../../etc/passwd')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
      await expect(jobs.cancel('../x')).rejects.toMatchObject({ code: 'JOB_NOT_FOUND' });
    });

    it('takes jobs of a tool it does not run only with Redis, where the processes that serve it run them', async () => {
      const elsewhere: JobKinds = { ...lines, elsewhere: { ...lines.lines!, tool: 'idphoto', run: undefined } };
      const jobs = await JobService.start(settings(dir, redis), elsewhere, log, undefined, 1);
      open.push(jobs);
      const submitting = jobs.submit({
        type: 'elsewhere',
        contentType: 'text/plain',
        options: {},
        store: (storage, id) => storage.receive(id, Readable.from(['a\n']), INPUT_FILE, 1024).then(() => undefined),
      });
      if (!redis) return void (await expect(submitting).rejects.toMatchObject({ code: 'INVALID_OPTION', details: { option: 'type' } }));
      const { id } = await submitting;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await jobs.get(id)).state).toBe('queued');
      expect((await jobs.cancel(id)).state).toBe('cancelled');
    });

    it('refuses more waiting jobs than JOB_MAX_QUEUED', async () => {
      const jobs = await start({ jobMaxQueued: 1 }, redis ? 0 : 1);
      if (!redis) await submit(jobs, 'a\nb\n', { pause: '300' });
      await submit(jobs, 'x\n');
      await expect(submit(jobs, 'y\n')).rejects.toMatchObject({ code: 'SATURATED' });
    });
  });
}
