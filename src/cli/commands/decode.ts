import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DecodeService, sequencesAcross, type DecodeAnswer } from '../../app/decode.js';
import { inProcessEngine } from '../../app/qr-engine.js';
import { isQrwError, QrwError } from '../../errors.js';
import { loadConfig } from '../../platform/config.js';
import { setNativeDecode } from '../../recognise/index.js';
import { CliExit, EXIT_INPUT } from '../exit.js';

interface DecodeFlags {
  json?: boolean;
  formats?: string;
}

async function readImage(file: string): Promise<Uint8Array> {
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new QrwError('MISSING_IMAGE', err.code === 'ENOENT' ? 'no such file' : `cannot read the file (${err.code ?? err.message})`);
  });
  return new Uint8Array(bytes);
}

async function decode(files: string[], flags: DecodeFlags): Promise<void> {
  const config = loadConfig();
  setNativeDecode(config.nativeDecode);
  const service = new DecodeService(inProcessEngine(), { maxSide: config.decodeMaxSide, maxPixels: config.maxImagePixels });
  let failures = 0;
  const seen: DecodeAnswer[] = [];
  for (const file of files) {
    let result: DecodeAnswer;
    try {
      result = await service.decode({ bytes: await readImage(file), formats: flags.formats });
    } catch (err) {
      failures++;
      // The reader runs here, so an unexpected error is the user's to see, not a server's to hide.
      const error = isQrwError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: String(err) };
      if (flags.json) process.stdout.write(JSON.stringify({ file, error }) + '\n');
      else process.stderr.write(`${file}: error: ${error.message}\n`);
      continue;
    }
    seen.push(result);
    if (flags.json) {
      process.stdout.write(JSON.stringify({ file, texts: result.texts, codes: result.codes, sequences: result.sequences, width: result.width, height: result.height }) + '\n');
    } else if (result.texts.length === 0) {
      process.stderr.write(`${file}: no code found\n`);
    } else {
      for (const text of [...result.texts, ...result.sequences.map((s) => s.text)]) process.stdout.write(files.length > 1 ? `${file}: ${text}\n` : `${text}\n`);
    }
  }
  // Structured append spread over several files: merged once every part has been read.
  for (const sequence of sequencesAcross(seen)) {
    if (flags.json) process.stdout.write(JSON.stringify({ sequence }) + '\n');
    else process.stdout.write(`structured append ${sequence.id} (${sequence.parts} parts): ${sequence.text}\n`);
  }
  if (failures > 0) throw new CliExit(EXIT_INPUT, `${failures} of ${files.length} file(s) could not be read`);
}

export function addDecodeCommand(program: Command): void {
  program
    .command('decode')
    .description('read every code in one or more image files')
    .argument('<files...>', 'PNG, JPEG, BMP, WebP, GIF or TIFF files')
    .option('--json', 'one JSON object per file per line')
    .option('--formats <list>', 'barcode formats, comma-separated (default QRCode; e.g. QRCode,DataMatrix,EAN13 or all)')
    .action(decode);
}
