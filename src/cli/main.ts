#!/usr/bin/env node
/** `qrw`: the command line, a client of the same use cases as the HTTP API. */
import { Command, CommanderError } from 'commander';
import { isQrwError } from '../errors.js';
import { VERSION } from '../platform/version.js';
import { addBatchCommand } from './commands/batch.js';
import { addDecodeCommand } from './commands/decode.js';
import { addGenerateCommand } from './commands/generate.js';
import { addIdPhotoCommand } from './commands/idphoto.js';
import { addKeysCommand } from './commands/keys.js';
import { addServeCommand } from './commands/serve.js';
import { addWorkerCommand } from './commands/worker.js';
import { CliExit, EXIT_INPUT, EXIT_USAGE } from './exit.js';

export function buildCli(): Command {
  const program = new Command('qrw').description('QR Workshop: generate and read QR codes, make ID photos').version(VERSION).exitOverride();
  addServeCommand(program);
  addWorkerCommand(program);
  addGenerateCommand(program);
  addDecodeCommand(program);
  addIdPhotoCommand(program);
  addBatchCommand(program);
  addKeysCommand(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildCli().parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    if (err instanceof CliExit) {
      process.stderr.write(`qrw: ${err.message}\n`);
      return err.exitCode;
    }
    if (isQrwError(err)) {
      process.stderr.write(`qrw: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`qrw: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_INPUT;
  }
}

runCli(process.argv.slice(2)).then((code) => {
  // serve and worker keep running: only exit for the one-shot commands.
  if (code !== 0 || (process.argv[2] !== 'serve' && process.argv[2] !== 'worker')) process.exitCode = code;
});
