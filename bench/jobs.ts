/**
 * Jobs over a long run: no disk growth, no memory growth. Starts the production build as `npm start`
 * does (JOB_RESULT_TTL short, JOBS_DIR a fresh directory; with --redis, jobs on the machine's Redis and
 * a `qrw worker` process running them, the API only queueing), then submits generate jobs (CSV rows)
 * and decode jobs (a ZIP of corpus photos) one after another for the whole run, downloading each
 * result, and samples every few seconds the bytes and job directories under JOBS_DIR and the RSS of
 * the processes. Prints the series and the verdict: the disk use after the first TTL stays within the
 * jobs alive at a time, whatever the number of jobs run.
 *
 *   npm run bench:jobs [-- --seconds 120] [--ttl 5] [--rows 2000] [--redis]
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { ROOT, freePort, startService, type Target } from './load-targets.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const SECONDS = Number(flag('--seconds', '120'));
const TTL = Number(flag('--ttl', '5'));
const ROWS = Number(flag('--rows', '2000'));
const REDIS = args.includes('--redis');
const SAMPLE_MS = 5000;

interface JobView {
  id: string;
  state: string;
  progress: { done: number; failed: number; total: number };
  result_url?: string;
}

/** Bytes and job directories under the jobs directory. */
function diskUse(dir: string): { bytes: number; jobs: number } {
  let bytes = 0;
  let jobs = 0;
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else bytes += statSync(full, { throwIfNoEntry: false })?.size ?? 0;
    }
  };
  try {
    jobs = readdirSync(dir).length;
    walk(dir);
  } catch {
    // the directory is created with the first job
  }
  return { bytes, jobs };
}

function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function corpusZip(): Promise<Buffer> {
  const dir = join(ROOT, '..', 'shared', 'corpus', 'zxing-cpp', 'qrcode-1');
  const zip = new yazl.ZipFile();
  for (const name of readdirSync(dir)
    .filter((n) => /\.(png|jpe?g|webp)$/i.test(n))
    .slice(0, 40))
    zip.addFile(join(dir, name), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function runJob(base: string, type: string, contentType: string, body: Buffer | string): Promise<JobView> {
  const submitted = await fetch(`${base}/api/v1/jobs?type=${type}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  if (submitted.status !== 202) throw new Error(`submit answered ${submitted.status}: ${await submitted.text()}`);
  const { id } = (await submitted.json()) as JobView;
  for (;;) {
    const view = (await (await fetch(`${base}/api/v1/jobs/${id}`)).json()) as JobView;
    if (view.state === 'completed') {
      const result = await fetch(`${base}${view.result_url!}`);
      await result.arrayBuffer();
      return view;
    }
    if (view.state !== 'queued' && view.state !== 'running') throw new Error(`job ${id} ended ${view.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The bench's own keys in the shared Redis. */
async function deleteKeys(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis('redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  client.disconnect();
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'qrw-bench-jobs-'));
  const prefix = `qrw-bench-jobs-${process.pid}:`;
  const env: Record<string, string> = {
    JOBS_DIR: dir,
    JOB_RESULT_TTL: String(TTL),
    LOG_LEVEL: 'warn',
    TOOLS: 'qr',
    ...(REDIS && { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: prefix, JOB_CONCURRENCY: '0' }),
  };
  const api: Target = await startService({ log: join(dir, '..', `qrw-bench-jobs-${process.pid}.log`), env });
  const workerPort = await freePort();
  const worker = REDIS
    ? spawn(process.execPath, [join(ROOT, 'dist/src/cli/main.js'), 'worker'], { env: { ...process.env, ...env, PORT: String(workerPort), HOST: '127.0.0.1' }, stdio: 'ignore' })
    : undefined;
  const rows = `text\n${Array.from({ length: ROWS }, (_, i) => `https://example.com/p/${i}`).join('\n')}\n`;
  const zip = await corpusZip();
  const samples: { t: number; mib: number; jobs: number; apiRss: number; workerRss: number; finished: number }[] = [];
  let finished = 0;
  let items = 0;
  const started = Date.now();
  const sample = (): void => {
    const { bytes, jobs } = diskUse(dir);
    samples.push({ t: (Date.now() - started) / 1000, mib: bytes / 2 ** 20, jobs, apiRss: rssMiB(api.pid), workerRss: rssMiB(worker?.pid), finished });
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    while (Date.now() - started < SECONDS * 1000) {
      const generate = await runJob(api.base, 'generate', 'text/csv', rows);
      const decode = await runJob(api.base, 'decode', 'application/zip', zip);
      finished += 2;
      items += generate.progress.done + decode.progress.done;
    }
    // One TTL and a sweep later, every finished job's files should be gone.
    await new Promise((resolve) => setTimeout(resolve, (TTL + 3) * 1000));
    sample();
  } finally {
    clearInterval(timer);
    worker?.kill('SIGTERM');
    await api.stop();
    await rm(dir, { recursive: true, force: true });
    if (REDIS) await deleteKeys(prefix);
  }
  const afterFirstTtl = samples.filter((s) => s.t > TTL + 2 && s !== samples.at(-1));
  const peak = Math.max(...afterFirstTtl.map((s) => s.mib));
  const last = samples.at(-1)!;
  console.log(`# bench:jobs — ${new Date().toISOString()}, ${REDIS ? 'Redis + qrw worker' : 'in-process jobs'}, JOB_RESULT_TTL=${TTL}s, load ${loadavg()[0]!.toFixed(2)}`);
  console.log(`\n${finished} jobs (${items} items: generate ${ROWS} rows, decode ${zip.length} B ZIP) in ${SECONDS} s\n`);
  console.log('| t (s) | jobs finished | job dirs | JOBS_DIR MiB | API RSS MiB |' + (REDIS ? ' worker RSS MiB |' : ''));
  console.log('|---:|---:|---:|---:|---:|' + (REDIS ? '---:|' : ''));
  for (const s of samples) console.log(`| ${s.t.toFixed(0)} | ${s.finished} | ${s.jobs} | ${s.mib.toFixed(2)} | ${s.apiRss.toFixed(0)} |` + (REDIS ? ` ${s.workerRss.toFixed(0)} |` : ''));
  const firstHalf = afterFirstTtl.slice(0, Math.ceil(afterFirstTtl.length / 2));
  const secondHalf = afterFirstTtl.slice(Math.ceil(afterFirstTtl.length / 2));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  console.log(
    `\nJOBS_DIR after the first TTL: peak ${peak.toFixed(2)} MiB, mean ${mean(firstHalf.map((s) => s.mib)).toFixed(2)} MiB (first half) vs ${mean(secondHalf.map((s) => s.mib)).toFixed(2)} MiB (second half); ` +
      `${last.jobs} job directories and ${last.mib.toFixed(2)} MiB left one TTL after the last job.`,
  );
  console.log(`API RSS: ${mean(firstHalf.map((s) => s.apiRss)).toFixed(0)} MiB (first half) vs ${mean(secondHalf.map((s) => s.apiRss)).toFixed(0)} MiB (second half).`);
  if (last.jobs !== 0) process.exitCode = 1;
}

await main();
