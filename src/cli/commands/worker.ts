import type { Command } from 'commander';

async function work(flags: { concurrency?: string; port?: string }): Promise<void> {
  if (flags.concurrency !== undefined) process.env.JOB_CONCURRENCY = flags.concurrency;
  if (flags.port !== undefined) process.env.PORT = flags.port;
  await import('../../worker.js').then((m) => m.workerMain());
}

export function addWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run jobs from the Redis queue (REDIS_URL) on this machine; /health, /ready and /metrics on PORT')
    .option('-c, --concurrency <n>', 'jobs run at once (default: JOB_CONCURRENCY, at least 1)')
    .option('-p, --port <n>', 'port of /health and /metrics (default: PORT or 8080)')
    .action(work);
}
