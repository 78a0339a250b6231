import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { README, generatedTables, withGeneratedTables } from '../../scripts/readme-tables.js';

describe('README', () => {
  const readme = readFileSync(README, 'utf8');

  it('shows every table derived from the code as the code defines it (npm run docs rewrites them)', () => {
    expect(withGeneratedTables(readme)).toBe(readme);
  });

  it('has every generated block, each once', () => {
    for (const name of Object.keys(generatedTables())) expect(readme.split(`<!-- generated:${name} -->`).length - 1, name).toBe(1);
  });

  it('stays a user document under 24 KB (two tools)', () => {
    expect(Buffer.byteLength(readme)).toBeLessThan(24_000);
  });
});
