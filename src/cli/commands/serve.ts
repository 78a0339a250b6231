import type { Command } from 'commander';

async function serve(flags: { port?: string; host?: string }): Promise<void> {
  if (flags.port !== undefined) process.env.PORT = flags.port;
  if (flags.host !== undefined) process.env.HOST = flags.host;
  await import('../../server.js').then((m) => m.main());
}

export function addServeCommand(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP service (see README for environment variables)')
    .option('-p, --port <n>', 'port (default: PORT or 8080)')
    .option('--host <addr>', 'address to bind (default: HOST or 0.0.0.0)')
    .action(serve);
}
