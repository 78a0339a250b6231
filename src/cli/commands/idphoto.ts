/**
 * `qrw idphoto`: an ID photo (and optionally its print sheet and report) from one portrait, or from
 * every file in a folder, made in this process through the same use case as POST /api/v1/idphoto.
 * The option flags come from IDPHOTO_OPTION_SPECS and are parsed by parseIdPhotoOptions, so a bad
 * value reads as the API's error does.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { IdPhotoService, idPhotoCodec, inProcessIdPhotoEngine } from '../../app/idphoto.js';
import { ResultCache } from '../../app/image-cache.js';
import { isQrwError, QrwError } from '../../errors.js';
import type { EncodedImage, IdPhotoResult } from '../../idphoto/make.js';
import { IDPHOTO_OPTION_SPECS, parseIdPhotoOptions, type IdPhotoOptions, type IdPhotoOptionSpec } from '../../idphoto/options.js';
import type { IdPhotoReport } from '../../idphoto/report.js';
import { loadConfig } from '../../platform/config.js';
import { listImages, noImagesIn } from '../batch/inputs.js';
import { CliExit, EXIT_INPUT, EXIT_USAGE } from '../exit.js';
import { ProgressDisplay } from '../progress.js';

interface CommandFlags {
  out?: string;
  sheetOut?: string;
  report?: boolean;
  json?: boolean;
  [attribute: string]: unknown;
}

/** One commander Option per registry entry, and the attribute commander stores its value under. */
function optionOf(spec: IdPhotoOptionSpec): Option {
  const fallback = spec.default === undefined ? '' : ` (default ${String(spec.default)})`;
  const bounds = spec.type === 'number' ? ` [${spec.min}-${spec.max}]` : '';
  const values = spec.type === 'enum' && spec.values && !spec.cli.includes('|') ? ` (${spec.values.join(', ')})` : '';
  const description = spec.description.replace(/`/g, '');
  // A --no-X flag turns off what the option describes.
  if (spec.cli.startsWith('--no-')) return new Option(spec.cli, `leave out the ${description.replace(/^(a|an|the) /, '')}`);
  return new Option(spec.cli, `${description}${values}${bounds}${spec.type === 'boolean' ? '' : fallback}`);
}

const OPTIONS = IDPHOTO_OPTION_SPECS.map((spec) => ({ spec, option: optionOf(spec) }));

const FORMAT_BY_EXTENSION: Readonly<Record<string, 'jpeg' | 'png'>> = { '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png' };

/** The raw option values for parseIdPhotoOptions: only what was given, with the format of -o's extension when --format was not. */
function rawOptions(flags: CommandFlags, outFile: string | undefined): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const { spec, option } of OPTIONS) {
    const value = flags[option.attributeName()];
    if (value === undefined) continue;
    // --no-cut-lines: commander's default is true; pass only the flag as given.
    if (spec.type === 'boolean' && option.negate && value === true) continue;
    raw[spec.name] = value;
  }
  if (raw.format === undefined && outFile) {
    const format = FORMAT_BY_EXTENSION[extname(outFile).toLowerCase()];
    if (format) raw.format = format;
  }
  return raw;
}

/** parseIdPhotoOptions, its message naming the flag as well as the option. */
function parseOptions(raw: Record<string, unknown>): IdPhotoOptions {
  try {
    return parseIdPhotoOptions(raw);
  } catch (err) {
    if (isQrwError(err) && err.code === 'INVALID_OPTION') {
      const name = err.details?.option;
      const flag = IDPHOTO_OPTION_SPECS.find((s) => s.name === name)?.cli.split(' ')[0];
      throw new CliExit(EXIT_USAGE, flag ? `${err.message} (${flag})` : err.message);
    }
    throw err;
  }
}

const extensionOf = (image: EncodedImage): string => (image.contentType === 'image/png' ? '.png' : '.jpg');

async function readPortrait(file: string): Promise<Uint8Array> {
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new QrwError('MISSING_IMAGE', err.code === 'ENOENT' ? 'no such file' : `cannot read the file (${err.code ?? err.message})`);
  });
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const mark = (passed: boolean): string => (passed ? 'PASS' : 'FAIL');

/** The compliance report for a terminal: the measurements, each rule passed or failed with its numbers, the warnings. */
export function formatReport(report: IdPhotoReport): string {
  const lines: string[] = [];
  const s = report.spec;
  lines.push(`spec: ${s.name} (${s.id}), ${s.width}x${s.height} px at ${s.dpi} dpi, crown = top of the ${s.crown}; engine ${report.engine}`);
  lines.push(
    `faces found: ${report.faces}${report.facesInPhoto !== report.faces ? `, ${report.facesInPhoto} in the photo` : ''} (score ${report.face.score})${report.face.yaw !== undefined ? `; face turned ${Math.abs(report.face.yaw)}° from the camera` : ''}`,
  );
  lines.push(`head height: ${report.headHeight.mm} mm (${report.headHeight.percent} % of the height); crown margin ${report.crownMargin.mm} mm; hair top ${report.hairTop.mm} mm`);
  lines.push(`eye line: ${report.eyeLine.fromBottomMm} mm above the bottom (${report.eyeLine.percentFromBottom} %); roll corrected ${report.roll.measured}°; scale x${report.upscale}`);
  const bg = report.background;
  lines.push(`background: ${bg.text.includes(bg.hex) ? bg.text : `${bg.text} (${bg.hex})`}, ${Math.round(bg.share * 100)} % of the photo, mean ΔE ${bg.meanDeltaE} from the colour asked for`);
  if (report.file) lines.push(`file: ${report.file.format}, ${report.file.kb} KB${report.file.quality !== undefined ? `, quality ${report.file.quality}` : ''}`);
  lines.push('rules:');
  const width = Math.max(...report.rules.map((r) => r.rule.length));
  for (const r of report.rules) lines.push(`  ${mark(r.passed)}  ${r.rule.padEnd(width)}  ${r.value} (expected ${r.expected})`);
  if (report.warnings.length > 0) {
    lines.push('warnings:');
    for (const w of report.warnings) lines.push(`  - ${w}`);
  }
  const failed = report.rules.filter((r) => !r.passed).length;
  const rules = report.rules.length === 1 ? '1 rule' : `${report.rules.length} rules`;
  lines.push(failed === 0 ? `result: ${report.rules.length === 1 ? 'the' : 'all'} ${rules} passed` : `result: ${failed} of ${rules} failed`);
  return lines.join('\n') + '\n';
}

/** One step per photo on the shared progress display; a failure stays on screen above the bar. */
class Progress {
  private readonly display = new ProgressDisplay();
  private done = 0;

  constructor(private readonly total: number) {}

  step(file: string, outcome: string): void {
    this.done++;
    this.display.show(this.done, this.total, `${file}: ${outcome}`);
    if (this.done === this.total) this.display.finish();
  }

  fail(file: string, message: string): void {
    if (this.display.tty) this.display.note(`${file}: error: ${message}`);
    this.step(file, this.display.tty ? 'failed' : `error: ${message}`);
  }
}

const errorOf = (err: unknown): { code: string; message: string } =>
  err instanceof CliExit
    ? { code: 'CLI', message: err.message }
    : isQrwError(err)
      ? { code: err.code, message: err.message }
      : { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };

async function writeResult(result: IdPhotoResult, photoPath: string, sheetPath: string | undefined): Promise<string[]> {
  const written = [photoPath];
  await writeFile(photoPath, result.photo.data);
  if (result.hires) {
    const hires = photoPath.slice(0, photoPath.length - extname(photoPath).length) + '-hires' + extensionOf(result.hires);
    await writeFile(hires, result.hires.data);
    written.push(hires);
  }
  if (result.sheet && sheetPath) {
    await writeFile(sheetPath, result.sheet.data);
    written.push(sheetPath);
  }
  return written;
}

function printOutcome(file: string, result: IdPhotoResult, flags: CommandFlags, written: readonly string[], many: boolean): void {
  if (flags.json) {
    process.stdout.write(JSON.stringify(many ? { file, outputs: written, report: result.report } : result.report) + '\n');
  } else if (flags.report) {
    process.stdout.write((many ? `== ${file}\n` : '') + formatReport(result.report));
  }
}

const summary = (result: IdPhotoResult): string => {
  const failed = result.report.rules.filter((r) => !r.passed).length;
  const warnings = result.report.warnings.length;
  return `${result.photo.width}x${result.photo.height} px at ${result.photo.dpi} dpi, ${failed === 0 ? 'all rules passed' : `${failed} rule(s) failed`}${warnings > 0 ? `, ${warnings} warning(s)` : ''}`;
};

async function one(service: IdPhotoService, file: string, options: IdPhotoOptions, flags: CommandFlags): Promise<void> {
  if (options.sheet === undefined && flags.sheetOut) throw new CliExit(EXIT_USAGE, '--sheet-out needs --sheet SIZE');
  if (!flags.out && !flags.json && !flags.report && process.stdout.isTTY)
    throw new CliExit(EXIT_USAGE, 'refusing to write image bytes to a terminal; use -o FILE, --report or --json, or redirect the output');
  let result: IdPhotoResult;
  try {
    result = await service.photo(await readPortrait(file), options, 'photo');
  } catch (err) {
    throw new CliExit(EXIT_INPUT, `${file}: ${errorOf(err).message}`);
  }
  let sheetPath = flags.sheetOut;
  if (result.sheet && !sheetPath && flags.out) sheetPath = flags.out.slice(0, flags.out.length - extname(flags.out).length) + '-sheet' + extensionOf(result.sheet);
  const wanted = flags.out ? FORMAT_BY_EXTENSION[extname(flags.out).toLowerCase()] : undefined;
  if (wanted && extensionOf(result.photo) !== (wanted === 'png' ? '.png' : '.jpg')) process.stderr.write(`qrw: warning: the photo is ${result.photo.contentType} but ${flags.out} says otherwise\n`);
  const written = flags.out ? await writeResult(result, flags.out, sheetPath) : [];
  if (!flags.out && !flags.json && !flags.report) process.stdout.write(result.photo.data);
  printOutcome(file, result, flags, written, false);
  if (written.length > 0) process.stderr.write(`wrote ${written.join(', ')}: ${summary(result)}\n`);
}

async function folder(service: IdPhotoService, dir: string, options: IdPhotoOptions, flags: CommandFlags): Promise<void> {
  if (!flags.out) throw new CliExit(EXIT_USAGE, 'a folder of photos needs -o OUTDIR');
  if (flags.sheetOut) throw new CliExit(EXIT_USAGE, '--sheet-out names one file; with a folder each sheet is written as NAME-sheet beside its photo');
  if (resolve(flags.out) === resolve(dir)) throw new CliExit(EXIT_USAGE, 'the output folder must not be the input folder');
  await mkdir(flags.out, { recursive: true });
  const skipped: string[] = [];
  const files = await listImages(dir, false, skipped);
  if (files.length === 0) throw new CliExit(EXIT_INPUT, noImagesIn(dir));
  if (skipped.length > 0) process.stderr.write(`qrw: skipped ${skipped.length} file(s) that are not images by their name: ${skipped.join(', ')}\n`);
  const progress = new Progress(files.length);
  let failures = 0;
  const made = { all: 0, ruleFailed: 0, warned: 0 };
  for (const name of files) {
    const file = join(dir, name);
    try {
      const result = await service.photo(await readPortrait(file), options, 'photo');
      const stem = basename(name, extname(name));
      const written = await writeResult(result, join(flags.out, stem + extensionOf(result.photo)), result.sheet ? join(flags.out, `${stem}-sheet${extensionOf(result.sheet)}`) : undefined);
      printOutcome(file, result, flags, written, true);
      progress.step(name, `${summary(result)} -> ${written.join(', ')}`);
      made.all++;
      if (!result.report.passed) made.ruleFailed++;
      if (result.report.warnings.length > 0) made.warned++;
    } catch (err) {
      failures++;
      const error = errorOf(err);
      if (flags.json) process.stdout.write(JSON.stringify({ file, error }) + '\n');
      progress.fail(name, error.message);
    }
  }
  if (made.all > 0)
    process.stderr.write(
      `qrw: ${made.all} photo(s) made: ${made.all - made.ruleFailed} passed every rule, ${made.ruleFailed} failed a rule; ${made.warned} with warnings${made.warned > 0 && !flags.report ? ' (--report prints them)' : ''}\n`,
    );
  if (failures > 0) throw new CliExit(EXIT_INPUT, `${failures} of ${files.length} photo(s) failed; the others were written to ${flags.out}`);
}

async function idphoto(input: string, flags: CommandFlags): Promise<void> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new CliExit(EXIT_INPUT, `${input}: no such file or folder`);
  const many = info.isDirectory();
  const options = parseOptions(rawOptions(flags, many ? undefined : flags.out));
  const config = loadConfig();
  const limits = { maxPixels: config.maxImagePixels, maxSide: config.idphotoMaxSide };
  const engine = inProcessIdPhotoEngine(limits, { device: config.idphotoDevice, isnetProfile: config.idphotoIsnetProfile });
  // No cache: each photo is made once here.
  const service = new IdPhotoService(engine, new ResultCache(0, idPhotoCodec));
  try {
    await (many ? folder(service, input, options, flags) : one(service, input, options, flags));
  } finally {
    // The models hold native threads and memory: released so the process exits.
    await engine.close();
  }
}

/** `qrw idphoto`: one flag per ID-photo option, from the option registry. */
export function addIdPhotoCommand(program: Command): void {
  const command = program
    .command('idphoto')
    .description('make an ID photo from a portrait (or from every photo in a folder): background replaced, head placed by the spec, DPI in the file')
    .argument('<input>', 'a portrait (JPEG, PNG, WebP, ...) or a folder of them')
    .option('-o, --out <path>', 'the photo file (its extension picks the format unless --format is given); for a folder, the output folder')
    .option('--sheet-out <file>', 'the print sheet file (with --sheet; default OUT-sheet.EXT)')
    .option('--report', 'print the compliance report: measurements, each rule passed or failed, warnings')
    .option('--json', 'print the compliance report as JSON (one line per photo for a folder)');
  for (const { option } of OPTIONS) command.addOption(option);
  command.action(idphoto);
}
