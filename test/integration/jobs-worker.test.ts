/**
 * Jobs on the real Redis with real processes: an API process that only queues (JOB_CONCURRENCY=0) and
 * `qrw worker` processes that run them. A worker SIGKILLed mid-job: another picks the job up and the
 * result holds every row exactly once. The API restarted with a job in flight: the job goes on and
 * the new API process reports and serves it. The job's work is counted once for the API key that
 * submitted it, by the worker that finished it.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Accounts } from '../../src/accounts/accounts.js';
import { parsePolicy } from '../../src/accounts/policy.js';
import { openAccounts } from '../../src/accounts/setup.js';
import type { JobView } from '../../src/jobs/job.js';
import { loadConfig } from '../../src/platform/config.js';
import { ServiceProcess, workerProcess } from '../helpers/process.js';
import { readZip } from '../helpers/read-zip.js';
import { REDIS_URL, deleteKeys, requireRedis } from '../helpers/redis.js';

const ROWS = 20_000;
const prefix = `qrw-test-worker-${process.pid}:`;

describe.skipIf(!requireRedis)('jobs across processes (Redis, qrw worker)', () => {
  let dir: string;
  let env: Record<string, string>;
  let redis: Redis;
  let accounts: Accounts;
  const processes: ServiceProcess[] = [];
  const start = async (process: ServiceProcess): Promise<string> => {
    processes.push(process);
    return process.start();
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qrw-jobs-worker-'));
    env = { REDIS_URL, REDIS_KEY_PREFIX: prefix, JOBS_DIR: dir, JOB_LOCK_TIMEOUT: '2s', POOL_THREADS: '1', PORT: '0', LOG_LEVEL: 'info', TOOLS: 'qr' };
    redis = new Redis(REDIS_URL);
    accounts = await openAccounts(loadConfig({ REDIS_KEY_PREFIX: prefix }), redis);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGKILL')));
    await rm(dir, { recursive: true, force: true });
    redis.disconnect();
    await deleteKeys(`${prefix}*`);
  });

  async function view(base: string, id: string): Promise<JobView> {
    return (await (await fetch(`${base}/api/v1/jobs/${id}`)).json()) as JobView;
  }

  async function until(base: () => string, id: string, test: (v: JobView) => boolean, what: string): Promise<JobView> {
    for (let i = 0; i < 2400; i++) {
      const current = await view(base(), id).catch(() => undefined);
      if (current && test(current)) return current;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`job ${id}: ${what} never happened`);
  }

  it('a worker SIGKILLed mid-job: another runs it again and the result holds every row exactly once; the API restarted meanwhile still serves it', async () => {
    const apiEnv = { ...env, JOB_CONCURRENCY: '0', AUTH_MODE: 'optional' };
    const { key } = await accounts.create('shop-jobs', parsePolicy({}));
    let api = new ServiceProcess(apiEnv);
    let base = await start(api);
    const firstWorker = workerProcess(env);
    await start(firstWorker);

    const rows = `text,filename\n${Array.from({ length: ROWS }, (_, i) => `SKU-${String(i).padStart(6, '0')},code-${i}`).join('\n')}\n`;
    const submitted = await fetch(`${base}/api/v1/jobs?type=generate&ec=M`, { method: 'POST', headers: { 'content-type': 'text/csv', 'x-api-key': key }, body: rows });
    expect(submitted.status).toBe(202);
    const { id } = (await submitted.json()) as JobView;

    const before = await until(
      () => base,
      id,
      (v) => v.state === 'running' && v.progress.done >= 1000,
      'progress past 1000 rows',
    );
    expect(await firstWorker.stop('SIGKILL')).toBeNull();
    console.log(`worker SIGKILLed with the job at ${before.progress.done}/${before.progress.total} rows`);

    // The API goes down and comes back while no worker holds the job.
    expect(await api.stop('SIGTERM')).toBe(0);
    api = new ServiceProcess(apiEnv);
    base = await start(api);
    expect((await view(base, id)).state).toMatch(/running|queued/);

    const secondWorker = workerProcess(env);
    await start(secondWorker);
    const done = await until(
      () => base,
      id,
      (v) => v.state === 'completed' || v.state === 'failed',
      'completion',
    );
    expect(done).toMatchObject({ state: 'completed', progress: { done: ROWS, failed: 0, total: ROWS } });
    expect(secondWorker.logs).toMatch(/running again after its worker stopped/);

    const result = await fetch(`${base}${done.result_url!}`);
    expect(result.status).toBe(200);
    const entries = await readZip(Buffer.from(await result.arrayBuffer()));
    const names = [...entries.keys()];
    const manifest = entries.get('manifest.csv')!.toString();
    const pngs = names.filter((n) => n.endsWith('.png'));
    expect(pngs).toHaveLength(ROWS);
    expect(new Set(pngs).size).toBe(ROWS);
    expect(pngs[0]).toBe('code-0.png');
    expect(pngs[ROWS - 1]).toBe(`code-${ROWS - 1}.png`);
    expect(names.at(-1)).toBe('manifest.csv');
    const manifestRows = manifest.trim().split('\n').slice(1);
    expect(manifestRows).toHaveLength(ROWS);
    expect(new Set(manifestRows.map((line) => line.split(',')[0])).size).toBe(ROWS);
    // One published result, no part file of the dead attempt left beside it.
    expect((await readdir(join(dir, id))).sort()).toEqual(['input', 'result']);
    console.log(`completed after the restart: ${pngs.length} PNGs, each row once in the manifest (${manifestRows.length} lines)`);
    // The dead attempt's codes are not counted; the second worker's are, once.
    let usage = (await accounts.usage('shop-jobs'))[0]!;
    for (let i = 0; i < 50 && usage.codes === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      usage = (await accounts.usage('shop-jobs'))[0]!;
    }
    expect(usage.codes).toBe(ROWS);
    expect(usage.requests).toContainEqual({ route: 'POST /api/v1/jobs', status: 202, count: 1 });
    console.log(`usage of the key that submitted it: ${usage.codes} codes`);

    // Cancelling a running job from the API reaches the worker that runs it.
    const second = (await (await fetch(`${base}/api/v1/jobs?type=generate`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: rows })).json()) as JobView;
    await until(
      () => base,
      second.id,
      (v) => v.state === 'running' && v.progress.done > 0,
      'the second job running',
    );
    const cancelled = (await (await fetch(`${base}/api/v1/jobs/${second.id}`, { method: 'DELETE' })).json()) as JobView;
    expect(cancelled.state).toBe('cancelled');
    const after = await view(base, second.id);
    expect(after.state).toBe('cancelled');
    expect(after.progress.done).toBeLessThan(ROWS);
    await expect(readdir(join(dir, second.id))).rejects.toThrow();
    expect(await secondWorker.stop('SIGTERM')).toBe(0);
  }, 240_000);
});
