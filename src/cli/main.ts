#!/usr/bin/env node
import { readFile, writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { isQrwError, QrwError } from '../errors.js';
import { generateQr } from '../qr/generate.js';
import { OUTPUT_FORMATS, parseGenerateOptions, type OutputFormat } from '../qr/options.js';
import { parseFormats } from '../recognise/formats.js';
import { decodeImage, mergeSequences, type DecodeResult } from '../recognise/cascade.js';
import { loadReader } from '../recognise/reader/zxing.js';
import { loadConfig } from '../platform/config.js';
import { setNativeDecode } from '../recognise/input/native.js';
import { nodeDeflate } from '../platform/deflate.js';
import { VERSION } from '../platform/version.js';

/** Exit codes: 0 done, 1 an input could not be used, 2 bad usage or data that cannot be encoded. */
const EXIT_INPUT = 1;
const EXIT_USAGE = 2;

class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

const FORMAT_BY_EXTENSION: Record<string, OutputFormat> = { '.png': 'png', '.svg': 'svg', '.txt': 'txt', '.json': 'json' };

interface GenerateFlags {
  output?: string;
  ec?: string;
  format?: string;
  size?: string;
  scale?: string;
  margin?: string;
  dark?: string;
  light?: string;
  symbolVersion?: string;
  mask?: string;
}

async function generateCommand(text: string, flags: GenerateFlags): Promise<void> {
  const format = flags.format ?? (flags.output ? (FORMAT_BY_EXTENSION[extname(flags.output).toLowerCase()] ?? 'png') : 'txt');
  const options = parseGenerateOptions({
    ec: flags.ec,
    format,
    size: flags.size,
    scale: flags.scale,
    margin: flags.margin,
    dark: flags.dark,
    light: flags.light,
    version: flags.symbolVersion,
    mask: flags.mask,
  });
  const image = generateQr(text, options, nodeDeflate);
  if (flags.output) {
    await writeFile(flags.output, image.body);
    process.stderr.write(`wrote ${flags.output}: version ${image.symbol.version}-${image.symbol.ec}, ${image.symbol.pixels} px\n`);
    return;
  }
  if (options.format === 'png' && process.stdout.isTTY) throw new CliExit(EXIT_USAGE, 'refusing to write PNG bytes to a terminal; use -o FILE or redirect the output');
  process.stdout.write(image.body);
}

interface DecodeFlags {
  json?: boolean;
  formats?: string;
}

async function decodeCommand(files: string[], flags: DecodeFlags): Promise<void> {
  const config = loadConfig();
  setNativeDecode(config.nativeDecode);
  const formats = parseFormats(flags.formats);
  const reader = await loadReader();
  let failures = 0;
  const seen: DecodeResult[] = [];
  for (const file of files) {
    let result: DecodeResult;
    try {
      const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
        throw new QrwError('MISSING_IMAGE', err.code === 'ENOENT' ? 'no such file' : `cannot read the file (${err.code ?? err.message})`);
      });
      result = await decodeImage(reader, new Uint8Array(bytes), { formats, maxSide: config.decodeMaxSide, maxPixels: config.maxImagePixels });
    } catch (err) {
      failures++;
      const error = isQrwError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: String(err) };
      if (flags.json) process.stdout.write(JSON.stringify({ file, error }) + '\n');
      else process.stderr.write(`${file}: error: ${error.message}\n`);
      continue;
    }
    seen.push(result);
    const texts = result.codes.map((c) => c.text);
    if (flags.json) {
      process.stdout.write(JSON.stringify({ file, texts, codes: result.codes, sequences: result.sequences, width: result.width, height: result.height }) + '\n');
    } else if (texts.length === 0) {
      process.stderr.write(`${file}: no code found\n`);
    } else {
      for (const text of [...texts, ...result.sequences.map((s) => s.text)]) process.stdout.write(files.length > 1 ? `${file}: ${text}\n` : `${text}\n`);
    }
  }
  // Structured append spread over several files: merged once every part has been read.
  const withinOneFile = new Set(seen.flatMap((r) => r.sequences.map((q) => q.id)));
  const acrossFiles = mergeSequences(seen.flatMap((r) => r.codes)).filter((q) => !withinOneFile.has(q.id));
  for (const sequence of acrossFiles) {
    if (flags.json) process.stdout.write(JSON.stringify({ sequence }) + '\n');
    else process.stdout.write(`structured append ${sequence.id} (${sequence.parts} parts): ${sequence.text}\n`);
  }
  if (failures > 0) throw new CliExit(EXIT_INPUT, `${failures} of ${files.length} file(s) could not be read`);
}

async function serveCommand(flags: { port?: string; host?: string }): Promise<void> {
  if (flags.port !== undefined) process.env.PORT = flags.port;
  if (flags.host !== undefined) process.env.HOST = flags.host;
  await import('../server.js').then((m) => m.main());
}

export function buildCli(): Command {
  const program = new Command('qrw').description('QR Workshop: generate and read QR codes').version(VERSION).exitOverride();
  program
    .command('serve')
    .description('start the HTTP service (see README for environment variables)')
    .option('-p, --port <n>', 'port (default: PORT or 8080)')
    .option('--host <addr>', 'address to bind (default: HOST or 0.0.0.0)')
    .action(serveCommand);
  program
    .command('generate')
    .description('generate a QR code; prints it to the terminal unless -o is given')
    .argument('<text>', 'text to encode (UTF-8)')
    .option('-o, --output <file>', 'write to a file; the format follows the extension (.png .svg .txt .json)')
    .addOption(new Option('--ec <level>', 'error correction level (default H)').choices(['L', 'M', 'Q', 'H', 'l', 'm', 'q', 'h']))
    .addOption(new Option('-f, --format <format>', 'output format').choices([...OUTPUT_FORMATS]))
    .option('--size <px>', 'exact width/height in pixels')
    .option('--scale <px>', 'pixels per module (default 10)')
    .option('--margin <modules>', 'quiet zone in modules (default 4)')
    .option('--dark <colour>', 'dark colour, hex (default #000000)')
    .option('--light <colour>', 'light colour, hex or "transparent" (default #ffffff)')
    .option('--symbol-version <1-40>', 'force a symbol version')
    .option('--mask <0-7>', 'force a mask pattern')
    .action(generateCommand);
  program
    .command('decode')
    .description('read every code in one or more image files')
    .argument('<files...>', 'PNG, JPEG, BMP, WebP, GIF or TIFF files')
    .option('--json', 'one JSON object per file per line')
    .option('--formats <list>', 'barcode formats, comma-separated (default QRCode; e.g. QRCode,DataMatrix,EAN13 or all)')
    .action(decodeCommand);
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
  // serve keeps running: only exit for the one-shot commands.
  if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
});
