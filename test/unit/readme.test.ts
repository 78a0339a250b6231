import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOCUMENTS, README, generatedTables, withGeneratedTables } from '../../scripts/readme-tables.js';

describe('README and docs/reference.md', () => {
  const texts = DOCUMENTS.map((path) => readFileSync(path, 'utf8'));

  it('show every table derived from the code as the code defines it (npm run docs rewrites them)', () => {
    for (const text of texts) expect(withGeneratedTables(text)).toBe(text);
  });

  it('hold every generated block, each once', () => {
    for (const name of Object.keys(generatedTables())) expect(texts.join('\n').split(`<!-- generated:${name} -->`).length - 1, name).toBe(1);
  });

  it('keep the README a user document under 15 KB, the reference apart', () => {
    expect(Buffer.byteLength(readFileSync(README, 'utf8'))).toBeLessThan(15_000);
  });
});
