/**
 * The documents' tables that are facts of the code (settings, generate options, output formats,
 * barcode formats, ID-photo options and specs, error codes), generated from the registries that
 * define them, in README.md and docs/reference.md (the full reference the README links to).
 * `npm run docs` rewrites them; a test fails when a document differs from what this generates.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERRORS } from '../src/errors.js';
import { statusOf } from '../src/http/plugins/errors.js';
import { IDPHOTO_OPTION_SPECS } from '../src/idphoto/options.js';
import { SPECS } from '../src/idphoto/specs.js';
import { SETTINGS } from '../src/platform/config.js';
import { OUTPUT_FORMATS, OUTPUT_FORMAT_SPECS } from '../src/qr/formats.js';
import { GENERATE_OPTION_NAMES, GENERATE_OPTION_SPECS, describeDefault, type OptionSpec } from '../src/qr/options.js';
import { BARCODE_FORMATS, FORMAT_ALIASES } from '../src/recognise/formats.js';

export const README = fileURLToPath(new URL('../README.md', import.meta.url));
export const REFERENCE = fileURLToPath(new URL('../docs/reference.md', import.meta.url));
/** The documents that hold generated blocks. */
export const DOCUMENTS = [README, REFERENCE];

const code = (s: string | number): string => `\`${s}\``;
const cell = (s: string): string => s.replace(/\|/g, '\\|');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function values(spec: OptionSpec): string {
  if (spec.type === 'enum') return spec.values.map(code).join(', ') + (spec.accepts.length > spec.values.length ? ' (any case)' : '');
  if (spec.type === 'integer') return `${spec.min}-${spec.max}`;
  return 'hex colour or `transparent`';
}

export function generatedTables(): Record<string, string> {
  return {
    settings: table(
      ['variable', 'default', 'meaning'],
      SETTINGS.map((s) => [code(s.env), s.default, s.meaning]),
    ),
    'generate-options': table(
      ['option', 'values', 'default', 'meaning'],
      GENERATE_OPTION_NAMES.map((name) => {
        const spec = GENERATE_OPTION_SPECS[name];
        return [code(name), values(spec), describeDefault(spec), spec.description];
      }),
    ),
    'output-formats': table(
      ['format', 'content type', 'extension', 'what it is'],
      OUTPUT_FORMATS.map((f) => [code(f), code(OUTPUT_FORMAT_SPECS[f].contentType), code(OUTPUT_FORMAT_SPECS[f].extension), OUTPUT_FORMAT_SPECS[f].description]),
    ),
    'barcode-formats': `${BARCODE_FORMATS.map(code).join(' ')}; aliases ${Object.keys(FORMAT_ALIASES).map(code).join(', ')}.`,
    'idphoto-options': table(
      ['option', 'values', 'default', 'meaning'],
      IDPHOTO_OPTION_SPECS.map((o) => [
        code(o.name),
        o.values ? o.values.map(code).join(', ') : o.type === 'number' ? `${o.min}-${o.max}` : o.type,
        o.default === undefined ? '' : String(o.default),
        o.description,
      ]),
    ),
    'idphoto-specs': SPECS.map((s) => code(s.id)).join(', ') + '.',
    'error-codes': table(
      ['code', 'status', 'meaning'],
      ERRORS.map((e) => [code(e.code), String(statusOf(e.code)), e.meaning]),
    ),
  };
}

const BLOCK = /(<!-- generated:([\w-]+) -->\n)([\s\S]*?)(\n<!-- \/generated:\2 -->)/g;

/** The document with every generated block replaced; throws on a block this script does not know. */
export function withGeneratedTables(readme: string): string {
  const tables = generatedTables();
  return readme.replace(BLOCK, (_whole, open: string, name: string, _old: string, close: string) => {
    const body = tables[name];
    if (body === undefined) throw new Error(`a document has a generated block "${name}" that scripts/readme-tables.ts does not make`);
    return open + body + close;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const path of DOCUMENTS) {
    const before = readFileSync(path, 'utf8');
    const after = withGeneratedTables(before);
    writeFileSync(path, after);
    console.log(`${path}: ${before === after ? 'tables up to date' : 'tables regenerated'}`);
  }
}
