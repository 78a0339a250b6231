/**
 * The processes a load run compares: the production build of this service and
 * the original design (../shared/anchors/seed-py under gunicorn), each started
 * in its own process group on a free 127.0.0.1 port and stopped with SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the first folder above this file with a package.json (bench/ from the sources, dist-bench/bench/ built). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const ANCHORS = join(ROOT, '../shared/anchors');
export const GUNICORN = '/usr/bin/gunicorn';

function findRoot(dir: string): string {
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = dirname(dir);
  }
  return dir;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  server.close();
  return port;
}

export interface Target {
  /** Label in the tables. */
  readonly name: string;
  /** run.sh's target config (paths and field names). */
  readonly conf: 'qr-workshop' | 'seed-py';
  readonly base: string;
  /** Top process of the server tree, sampled for CPU and RSS; undefined for a --compare URL. */
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

async function waitHealthy(base: string, child: ChildProcess | undefined, log: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${base} exited with ${child.exitCode} before it was healthy; see ${log}`);
    const ok = await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${base}/health did not answer within 30 s; see ${log}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    process.kill(-child.pid!, 'SIGTERM');
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
}

function launch(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; log: string }): ChildProcess {
  const out = openSync(options.log, 'a');
  return spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', out, out] });
}

export interface ServiceOptions {
  readonly poolThreads?: number;
  readonly env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeArgs?: readonly string[];
  readonly log: string;
}

export interface StartCommand {
  readonly env: Record<string, string>;
  readonly nodeArgs: string[];
  readonly script: string;
}

/** `npm start` as package.json spells it (`VAR=value ... node --flag ... script`), so the bench runs what users run. */
export function startCommand(): StartCommand {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (words[0]?.includes('=')) {
    const word = words.shift()!;
    env[word.slice(0, word.indexOf('='))] = word.slice(word.indexOf('=') + 1);
  }
  if (words.shift() !== 'node') throw new Error(`package.json's start script does not run node: ${start}`);
  const script = words.pop();
  if (!script || words.some((w) => !w.startsWith('--'))) throw new Error(`package.json's start script is not "[VAR=value ...] node [--flag ...] script": ${start}`);
  return { env, nodeArgs: words, script };
}

/** The production build started as `npm start` starts it (LOG_LEVEL info, logs to a file). */
export async function startService(options: ServiceOptions): Promise<Target> {
  const port = await freePort();
  const start = startCommand();
  const env = { ...process.env, ...start.env, HOST: '127.0.0.1', PORT: String(port), ...(options.poolThreads ? { POOL_THREADS: String(options.poolThreads) } : {}), ...options.env };
  const child = launch(process.execPath, [...start.nodeArgs, ...(options.nodeArgs ?? []), join(ROOT, start.script)], { cwd: ROOT, env, log: options.log });
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base, child, options.log);
  return { name: options.poolThreads ? `qr-workshop (${options.poolThreads} thr)` : 'qr-workshop', conf: 'qr-workshop', base, pid: child.pid, stop: stopper(child) };
}

export function seedAvailable(): string | undefined {
  if (!existsSync(GUNICORN)) return `${GUNICORN} is missing (apt-get install gunicorn python3-flask python3-qrcode python3-pil python3-pyzbar python3-opencv)`;
  if (!existsSync(join(ANCHORS, 'seed-py/app.py'))) return `${ANCHORS}/seed-py/app.py is missing`;
  return undefined;
}

/** The original design as its README starts it: gunicorn, 4 sync workers. */
export async function startSeed(log: string, workers = 4): Promise<Target> {
  const port = await freePort();
  const child = launch(GUNICORN, ['-w', String(workers), '-b', `127.0.0.1:${port}`, 'app:app'], { cwd: join(ANCHORS, 'seed-py'), env: process.env, log });
  const base = `http://127.0.0.1:${port}`;
  await waitHealthy(base, child, log);
  return { name: `seed-py (gunicorn -w ${workers})`, conf: 'seed-py', base, pid: child.pid, stop: stopper(child) };
}

export function externalReference(base: string, pid: number | undefined): Target {
  return { name: `reference ${base}`, conf: 'seed-py', base: base.replace(/\/+$/, ''), pid, stop: () => Promise.resolve() };
}

/** Resident set of a process and its descendants, MiB (from /proc). */
export function treeRssMiB(pid: number): number {
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  let kib = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      kib += Number(m?.[1] ?? 0);
    } catch {
      continue;
    }
    stack.push(...children(p));
  }
  return kib / 1024;
}
