import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The service as users run it: `node dist/src/server.js` (or another entry, e.g. `qrw worker`) in its own process, JSON logs on stdout. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  /** stdout: the JSON log lines. */
  logs = '';
  stderr = '';
  base = '';

  constructor(
    private readonly env: Record<string, string>,
    private readonly cwd = ROOT,
    /** What to run (under node) and the log line that carries its URL once it serves: the service by default. */
    private readonly entry: { readonly args: readonly string[]; readonly ready: RegExp } = { args: ['dist/src/server.js'], ready: /Server listening at (http:\/\/127\.0\.0\.1:\d+)/ },
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts and resolves with the base URL once the server logs that it listens. */
  start(): Promise<string> {
    const child = spawn(process.execPath, [join(this.cwd, this.entry.args[0]!), ...this.entry.args.slice(1)], {
      cwd: this.cwd,
      env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', POOL_THREADS: '1', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.logs = '';
    this.stderr = '';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${this.logs}${this.stderr}`)), 20_000);
      let listening = false;
      const onData = (chunk: Buffer): void => {
        this.logs += chunk.toString();
        const m = this.entry.ready.exec(this.logs);
        if (m && !listening) {
          listening = true;
          clearTimeout(timer);
          this.base = m[1]!;
          resolve(this.base);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`server exited with ${code}: ${this.logs}${this.stderr}`));
      });
    });
  }

  /** Sends a signal and waits for the exit code (null when killed by the signal). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = once(child, 'exit') as Promise<[number | null]>;
    child.kill(signal);
    return (await exited)[0];
  }
}

/** `qrw worker` as users run it: it logs its URL once it takes jobs. */
export function workerProcess(env: Record<string, string>): ServiceProcess {
  return new ServiceProcess(env, ROOT, { args: ['dist/src/cli/main.js', 'worker'], ready: /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*worker: taking jobs/ });
}
