import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { toGenerateRequest } from '../../app/generate.js';
import { nodeDeflate } from '../../platform/deflate.js';
import { formatForFileName } from '../../qr/formats.js';
import { generateQr } from '../../qr/generate.js';
import { GENERATE_OPTION_NAMES, GENERATE_OPTION_SPECS, describeDefault, type GenerateOptionName } from '../../qr/options.js';
import { CliExit, EXIT_USAGE } from '../exit.js';

type GenerateFlags = Partial<Record<GenerateOptionName, string>> & { output?: string };

/** Commander's attribute name for a flag: --symbol-version -> symbolVersion. */
const attribute = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

async function generate(text: string, flags: Record<string, string | undefined>): Promise<void> {
  const raw: GenerateFlags = Object.fromEntries(GENERATE_OPTION_NAMES.map((name) => [name, flags[attribute(GENERATE_OPTION_SPECS[name].cli.flag)]]));
  // Without --format: the output file's extension, else text for the terminal.
  raw.format ??= flags.output ? (formatForFileName(flags.output) ?? 'png') : 'txt';
  const { data, options } = toGenerateRequest({ ...raw, text });
  const image = generateQr(data, options, nodeDeflate);
  if (flags.output) {
    await writeFile(flags.output, image.body);
    process.stderr.write(`wrote ${flags.output}: version ${image.symbol.version}-${image.symbol.ec}, ${image.symbol.pixels} px\n`);
    return;
  }
  if (options.format === 'png' && process.stdout.isTTY) throw new CliExit(EXIT_USAGE, 'refusing to write PNG bytes to a terminal; use -o FILE or redirect the output');
  process.stdout.write(image.body);
}

/** `qrw generate`: one flag per generate option, from the option registry. */
export function addGenerateCommand(program: Command): void {
  const command = program
    .command('generate')
    .description('generate a QR code; prints it to the terminal unless -o is given')
    .argument('<text>', 'text to encode (UTF-8)')
    .option('-o, --output <file>', 'write to a file; the format follows the extension (.png .svg .txt .json)');
  for (const name of GENERATE_OPTION_NAMES) {
    const spec = GENERATE_OPTION_SPECS[name];
    const short = name === 'format' ? '-f, ' : '';
    // The CLI's format follows the output file, or is text for the terminal, not the API's default.
    const fallback = name === 'format' ? 'the extension of -o, else txt' : describeDefault(spec);
    const option = new Option(`${short}${spec.cli.flag} <${spec.cli.value}>`, `${spec.description} (default ${fallback})`);
    command.addOption(spec.type === 'enum' ? option.choices([...spec.accepts]) : option);
  }
  command.action(generate);
}
