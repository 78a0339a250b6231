/**
 * `qrw batch generate ROWS` and `qrw batch decode DIR|ZIP`: many codes made or read at once, on this
 * machine's cores through the same use cases as the service's batch routes, or by a server through its
 * job API (--server URL). Progress on stderr; exit 0 when every item went well, 1 when some failed
 * (their errors are in the manifest or their lines), 2 for bad usage or input.
 */
import { finished } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import type { BatchOutput } from '../../app/batch-decode.js';
import type { BatchControl, BatchProgress, BatchSummary } from '../../app/batch.js';
import type { RowFormat } from '../../batch/rows.js';
import { GENERATE_OPTION_NAMES, GENERATE_OPTION_SPECS, describeDefault, parseGenerateOptions, type RawGenerateOptions } from '../../qr/options.js';
import { parseFormats } from '../../recognise/index.js';
import { CliExit, EXIT_INPUT, EXIT_USAGE } from '../exit.js';
import { ProgressDisplay } from '../progress.js';
import { ROW_CONTENT_TYPES, ROW_FORMATS, imageSource, rowsFile } from '../batch/inputs.js';
import { decodeLocally, generateLocally } from '../batch/local.js';
import { humanLines, openOutput, type Output } from '../batch/output.js';
import { JobClient, imagesBody, rowsBody, runJob } from '../batch/remote.js';

/** The conventional exit status of a command stopped by Ctrl-C (128 + SIGINT). */
const EXIT_INTERRUPTED = 130;

interface CommonFlags {
  output?: string;
  server?: string;
}

type GenerateFlags = CommonFlags & { rowsFormat?: RowFormat } & Record<string, string | undefined>;

interface DecodeFlags extends CommonFlags {
  json?: boolean;
  csv?: boolean;
  recursive?: boolean;
  formats?: string;
}

/** Commander's attribute name for a flag: --symbol-version -> symbolVersion. */
const attribute = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The generate options given as flags, as raw strings: what the rows' own columns override. */
function generateDefaults(flags: GenerateFlags): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const name of GENERATE_OPTION_NAMES) {
    const value = flags[attribute(GENERATE_OPTION_SPECS[name].cli.flag)];
    if (value !== undefined) raw[name] = value;
  }
  // Refused here, before any row is read or anything is sent: the same message as the API's.
  parseGenerateOptions(raw as RawGenerateOptions);
  return raw;
}

/** Ctrl-C aborts the batch (a server's job is deleted); a second Ctrl-C is Node's own. */
function interruptible(): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort(new CliExit(EXIT_INTERRUPTED, 'interrupted; nothing was kept'));
  process.once('SIGINT', onInterrupt);
  return { signal: controller.signal, release: () => process.off('SIGINT', onInterrupt) };
}

/**
 * Runs a batch with its progress shown and its output kept only when it ends: the partial file of a
 * failed or interrupted batch is removed. Exit 1 when some items failed.
 */
async function runBatch(output: Output, sink: NodeJS.WritableStream, unit: string, run: (control: BatchControl) => Promise<BatchSummary>, where: string): Promise<void> {
  const progress = new ProgressDisplay();
  const interrupt = interruptible();
  let summary: BatchSummary;
  try {
    let shown = '';
    const onProgress = ({ done, failed, total }: BatchProgress): void => {
      // A job polled while it waits in the queue reports the same figures again: shown once.
      const figures = `${done}/${failed}/${total}`;
      if (figures !== shown) progress.show(done, total, `${failed} failed`);
      shown = figures;
    };
    summary = await run({ signal: interrupt.signal, onProgress });
    if (sink !== output.stream) {
      sink.end();
      await finished(sink);
    }
    await output.close();
  } catch (err) {
    progress.finish();
    await output.discard();
    throw err;
  } finally {
    interrupt.release();
  }
  progress.finish();
  const { done, failed, total } = summary;
  if (failed > 0) throw new CliExit(EXIT_INPUT, `${failed} of ${total} ${unit} failed${where}`);
  process.stderr.write(`${done} ${unit} done, none failed\n`);
}

async function batchGenerate(rows: string, flags: GenerateFlags): Promise<void> {
  const defaults = generateDefaults(flags);
  const input = await rowsFile(rows, flags.rowsFormat);
  const output = openOutput(flags.output, true);
  const where = `; their errors are in manifest.csv${flags.output ? ` in ${flags.output}` : ''}`;
  await runBatch(
    output,
    output.stream,
    'rows',
    async (control) => {
      if (!flags.server) return generateLocally(input.path, input.format, defaults, output.stream, control);
      const body = await rowsBody(input.path, ROW_CONTENT_TYPES[input.format]);
      return runJob(new JobClient(flags.server), { type: 'generate', options: defaults, body }, output.stream, control);
    },
    where,
  );
}

async function batchDecode(input: string, flags: DecodeFlags): Promise<void> {
  if (flags.json && flags.csv) throw new CliExit(EXIT_USAGE, '--json and --csv: choose one');
  parseFormats(flags.formats);
  const source = await imageSource(input, flags.recursive === true);
  const output = openOutput(flags.output, false);
  // Human-readable lines are made from NDJSON; --json and --csv are the use case's (or the server's) own bytes.
  const format: BatchOutput = flags.csv ? 'csv' : 'ndjson';
  const progress = new ProgressDisplay();
  const human = flags.json || flags.csv ? undefined : humanLines((line) => progress.note(line));
  human?.pipe(output.stream, { end: false });
  const sink = human ?? output.stream;
  const options: Record<string, string> = flags.formats ? { formats: flags.formats } : {};
  await runBatch(
    output,
    sink,
    'images',
    async (control) => {
      if (!flags.server) return decodeLocally(source, flags.formats, format, sink, control);
      const body = await imagesBody(source);
      return runJob(new JobClient(flags.server), { type: 'decode', options, body, accept: flags.csv ? 'text/csv' : 'application/x-ndjson' }, sink, control);
    },
    '',
  );
}

function generateOptions(): Option[] {
  return GENERATE_OPTION_NAMES.map((name) => {
    const spec = GENERATE_OPTION_SPECS[name];
    const option = new Option(`${spec.cli.flag} <${spec.cli.value}>`, `${spec.description}, for rows that do not set it (default ${describeDefault(spec)})`);
    return spec.type === 'enum' ? option.choices([...spec.accepts]) : option;
  });
}

const serverOption = (): Option => new Option('--server <url>', 'run it on a QR Workshop server as a job (its job API) instead of on this machine');

export function addBatchCommand(program: Command): void {
  const batch = program.command('batch').description('generate or read many codes at once, here on every core or on a server (--server)');

  const generate = batch
    .command('generate')
    .description('a ZIP of one code per row and a manifest.csv (row, file, version, error) from a CSV, NDJSON or JSON file of rows')
    .argument('<rows>', 'rows: CSV with a header (text, optional filename and option columns), NDJSON, or a JSON array of objects')
    .option('-o, --output <file>', 'the ZIP to write (default stdout, unless it is a terminal)')
    .addOption(new Option('--rows-format <format>', "the rows file's format (default from its extension: .csv .ndjson .jsonl .json)").choices([...ROW_FORMATS]))
    .addOption(serverOption());
  for (const option of generateOptions()) generate.addOption(option);
  generate.action(batchGenerate);

  batch
    .command('decode')
    .description('read every code in a folder of images or a ZIP of them: one line per image')
    .argument('<input>', 'a folder of images (PNG, JPEG, BMP, WebP, GIF, TIFF) or a ZIP archive of them')
    .option('-o, --output <file>', 'write the lines to a file (default stdout)')
    .option('--json', 'one JSON object per image per line (NDJSON): file, texts, codes, or error')
    .option('--csv', 'CSV: file, texts, formats, error')
    .option('--recursive', "a folder's sub-folders too")
    .option('--formats <list>', 'barcode formats, comma-separated (default QRCode; e.g. QRCode,DataMatrix,EAN13 or all)')
    .addOption(serverOption())
    .action(batchDecode);
}
