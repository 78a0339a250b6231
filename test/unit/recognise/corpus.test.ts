import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifest, scoreCorpus, scoreImage } from '../../../bench/corpus.js';
import { decodeImage, type DecodeResult } from '../../../src/recognise/index.js';
import { loadReader } from '../../../src/recognise/reader/zxing.js';

const manifest = fileURLToPath(new URL('../../../../shared/corpus/manifest.tsv', import.meta.url));
const baselineFile = new URL('../../corpus-baseline.json', import.meta.url);
const present = existsSync(manifest);

interface Baseline {
  folders: Record<string, { passed: number; total: number }>;
  labelConflicts: Array<{ path: string; sameImageAs: string }>;
}

/** The public corpus sits beside the repo in ../shared (CI has it); a clone without it skips, CI must not. */
describe.runIf(present || process.env.CI === 'true')('public corpus (upright)', () => {
  it('passes at least the recorded baseline in every folder, with no misread and no false positive', async () => {
    const reader = await loadReader();
    const results: Array<{ case: ReturnType<typeof loadManifest>[number]; result: DecodeResult | undefined }> = [];
    for (const c of loadManifest(manifest)) {
      const result = await decodeImage(reader, new Uint8Array(readFileSync(c.file)), { formats: ['QRCode'], maxSide: 1200, maxPixels: 25_000_000 });
      results.push({ case: c, result });
    }
    const scores = scoreCorpus(results);
    const baseline = JSON.parse(readFileSync(baselineFile, 'utf8')) as Baseline;
    // A misread on an image whose upstream labels disagree is allowed only when the text is the other label.
    const excused = new Map<string, number>();
    for (const conflict of baseline.labelConflicts) {
      const entry = results.find((r) => r.case.path === conflict.path);
      const other = results.find((r) => r.case.path === conflict.sameImageAs);
      if (!entry || !other) throw new Error(`labelConflicts names an image the corpus does not have: ${conflict.path} / ${conflict.sameImageAs}`);
      if (!entry.result || !scoreImage(entry.case, entry.result).misread) continue;
      expect(
        entry.result.codes.map((c) => c.text),
        `${conflict.path}: a misread that is not the other label`,
      ).toContain(other.case.rows[0]!.expected);
      excused.set(entry.case.category, (excused.get(entry.case.category) ?? 0) + 1);
    }
    const table = Object.fromEntries([...scores].map(([k, v]) => [k, `${v.passed}/${v.total}`]));
    console.log('corpus pass counts:', JSON.stringify(table));
    for (const [folder, expected] of Object.entries(baseline.folders)) {
      const got = scores.get(folder);
      expect(got, `folder ${folder} is missing from the corpus`).toBeDefined();
      expect(got!.total, `${folder}: total`).toBe(expected.total);
      expect(got!.passed, `${folder}: passed fell below the baseline`).toBeGreaterThanOrEqual(expected.passed);
    }
    for (const [folder, s] of scores) {
      expect(s.misreads - (excused.get(folder) ?? 0), `${folder}: misreads`).toBe(0);
      expect(s.falsePositives, `${folder}: false positives`).toBe(0);
    }
  });
});
