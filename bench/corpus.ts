/**
 * Scores a decoder on ../shared/corpus/manifest.tsv with the corpus README's rules:
 * a code passes when a returned text equals the expected text (hex payloads compare
 * the raw bytes); a misread is a single-code image with texts but no match; a
 * negative passes when nothing is returned; structured-append parts pass when the
 * merged text is found.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DecodeResult } from '../src/recognise/index.js';

export interface ManifestRow {
  readonly path: string;
  readonly expected: string;
  readonly payload: 'text' | 'hex' | 'none';
  readonly category: string;
  readonly kind: 'single' | 'multi' | 'sa-part' | 'negative';
  readonly note: string;
}

export interface ImageCase {
  readonly path: string;
  readonly file: string;
  readonly category: string;
  readonly rows: readonly ManifestRow[];
}

export interface ImageScore {
  readonly passed: number;
  readonly total: number;
  readonly misread: boolean;
  readonly falsePositive: boolean;
}

function unescape(s: string): string {
  return s.replace(/\\(\\|t|n|r|x[0-9a-fA-F]{2})/g, (_, e: string) => (e === '\\' ? '\\' : e === 't' ? '\t' : e === 'n' ? '\n' : e === 'r' ? '\r' : String.fromCharCode(parseInt(e.slice(1), 16))));
}

export function loadManifest(manifestPath: string): ImageCase[] {
  const base = dirname(manifestPath);
  const lines = readFileSync(manifestPath, 'utf8').split('\n').filter(Boolean);
  const header = lines.shift()!.split('\t');
  const col = (name: string): number => header.indexOf(name);
  const cases = new Map<string, { path: string; file: string; category: string; rows: ManifestRow[] }>();
  for (const line of lines) {
    const f = line.split('\t');
    const row: ManifestRow = {
      path: f[col('path')]!,
      expected: unescape(f[col('expected')] ?? ''),
      payload: f[col('payload')] as ManifestRow['payload'],
      category: f[col('category')]!,
      kind: f[col('kind')] as ManifestRow['kind'],
      note: f[col('note')] ?? '',
    };
    const existing = cases.get(row.path) ?? { path: row.path, file: join(base, row.path), category: row.category, rows: [] };
    existing.rows.push(row);
    cases.set(row.path, existing);
  }
  return [...cases.values()];
}

function candidates(result: DecodeResult): { texts: Set<string>; hex: Set<string> } {
  const texts = new Set<string>([...result.codes.map((c) => c.text), ...result.sequences.map((s) => s.text)]);
  const hex = new Set<string>(result.codes.filter((c) => c.bytes).map((c) => Buffer.from(c.bytes!, 'base64').toString('hex')));
  return { texts, hex };
}

/** Alternatives listed in a note ("either text is accepted") are not machine-readable, so the expected text is the rule. */
export function scoreImage(c: ImageCase, result: DecodeResult): ImageScore {
  const first = c.rows[0]!;
  if (first.kind === 'sa-part') throw new Error('structured-append parts are scored together: use scoreCorpus');
  if (first.kind === 'negative') {
    const fp = result.codes.length > 0;
    return { passed: fp ? 0 : 1, total: 1, misread: false, falsePositive: fp };
  }
  const { texts, hex } = candidates(result);
  const matches = (r: ManifestRow): boolean => (r.payload === 'hex' ? hex.has(r.expected.toLowerCase()) : texts.has(r.expected));
  const passed = c.rows.filter(matches).length;
  const misread = first.kind === 'single' && result.codes.length > 0 && passed === 0;
  return { passed, total: c.rows.length, misread, falsePositive: false };
}

export interface CategoryScore {
  passed: number;
  total: number;
  misreads: number;
  falsePositives: number;
}

/**
 * Per-category totals. Structured-append parts spread over several images count
 * as one code: it passes when the parts' texts, joined in file order, equal the
 * merged text (or one image already returned the merged text).
 */
export function scoreCorpus(results: ReadonlyArray<{ case: ImageCase; result: DecodeResult | undefined }>): Map<string, CategoryScore> {
  const scores = new Map<string, CategoryScore>();
  const get = (category: string): CategoryScore => {
    let s = scores.get(category);
    if (!s) scores.set(category, (s = { passed: 0, total: 0, misreads: 0, falsePositives: 0 }));
    return s;
  };
  const groups = new Map<string, Array<{ case: ImageCase; result: DecodeResult | undefined }>>();
  for (const entry of results) {
    const first = entry.case.rows[0]!;
    if (first.kind === 'sa-part') {
      const key = `${entry.case.category}\t${first.expected}`;
      groups.set(key, [...(groups.get(key) ?? []), entry]);
      continue;
    }
    const s = get(entry.case.category);
    const r = entry.result ? scoreImage(entry.case, entry.result) : { passed: 0, total: entry.case.rows.length, misread: false, falsePositive: false };
    s.passed += r.passed;
    s.total += r.total;
    s.misreads += Number(r.misread);
    s.falsePositives += Number(r.falsePositive);
  }
  for (const [key, parts] of groups) {
    const s = get(key.split('\t')[0]!);
    const expected = parts[0]!.case.rows[0]!.expected;
    const ordered = [...parts].sort((a, b) => a.case.path.localeCompare(b.case.path));
    const joined = ordered.map((p) => p.result?.codes.find((c) => c.sequence)?.text ?? '').join('');
    const mergedSomewhere = parts.some((p) => p.result?.sequences.some((q) => q.text === expected));
    s.total += 1;
    s.passed += Number(joined === expected || mergedSomewhere);
  }
  return scores;
}
