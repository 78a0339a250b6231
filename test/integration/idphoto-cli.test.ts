import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { qrw } from '../helpers/cli.js';
import { sharedPath } from '../helpers/shared.js';

const portrait = (name: string): string => sharedPath(`idphoto/portraits/${name}`);

describe('qrw idphoto', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qrw-idphoto-'));

  it('makes a JPEG at 300 dpi with its print sheet, and --report lists each rule passed or failed', async () => {
    const r = await qrw(dir, ['idphoto', portrait('011.jpg'), '--spec', 'us-passport', '--bg', 'white', '-o', 'out.jpg', '--sheet', '4x6', '--sheet-out', 'sheet.jpg', '--report']);
    expect(r.stderr).toContain('wrote out.jpg, sheet.jpg');
    expect(r.status).toBe(0);
    const photo = await sharp(join(dir, 'out.jpg')).metadata();
    expect(photo.format).toBe('jpeg');
    expect(photo.density).toBe(300);
    expect([photo.width, photo.height]).toEqual([600, 600]);
    const sheet = await sharp(join(dir, 'sheet.jpg')).metadata();
    expect(sheet.density).toBe(300);
    expect(sheet.width! * sheet.height!).toBe(1200 * 1800);
    expect(r.stdout).toContain('spec: US passport (us-passport)');
    expect(r.stdout).toMatch(/^rules:$/m);
    expect(r.stdout).toMatch(/^ {2}(PASS|FAIL) {2}one face +1 found/m);
    expect(r.stdout).toMatch(/^ {2}(PASS|FAIL) {2}head height/m);
    expect(r.stdout).toMatch(/^ {2}PASS {2}background colour/m);
    expect(r.stdout).toMatch(/^result: (all \d+ rules passed|\d+ of \d+ rules failed)$/m);
  });

  it('--json prints the report as JSON; the format follows -o (.png)', async () => {
    const r = await qrw(dir, ['idphoto', portrait('016.jpg'), '--spec', 'cn-1inch', '--bg', 'blue', '-o', 'blue.png', '--json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { spec: { id: string; dpi: number }; rules: { rule: string; passed: boolean }[]; timings: Record<string, number> };
    expect(report.spec).toMatchObject({ id: 'cn-1inch', dpi: 300 });
    expect(report.rules.length).toBeGreaterThan(2);
    expect(Object.keys(report.timings)).toEqual(expect.arrayContaining(['decode', 'face', 'matting', 'refinement', 'composition', 'encoding']));
    const meta = await sharp(join(dir, 'blue.png')).metadata();
    expect(meta.format).toBe('png');
    expect(meta.density).toBe(300);
  });

  it('a text file: exit 1 and a message naming the file and the problem', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'not a photo\n');
    const r = await qrw(dir, ['idphoto', 'notes.txt', '-o', 'notes.jpg']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('qrw: notes.txt: The data is not an image in a supported format');
    expect(existsSync(join(dir, 'notes.jpg'))).toBe(false);
  });

  it('a bad option: exit 2 with the API’s message and the flag', async () => {
    const r = await qrw(dir, ['idphoto', portrait('011.jpg'), '-o', 'x.jpg', '--spec', 'nowhere-passport']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^qrw: Unknown spec nowhere-passport; .*\(--spec\)$/m);
    const bad = await qrw(dir, ['idphoto', portrait('011.jpg'), '-o', 'x.jpg', '--max-kb', 'lots']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('maxKb must be a number from 1 to 102400. (--max-kb)');
  });

  it('a folder of 2 portraits, a broken .jpg and a text file: 2 photos written, the broken one reported, the text file skipped, exit 1', async () => {
    const input = join(dir, 'batch');
    mkdirSync(input);
    copyFileSync(portrait('011.jpg'), join(input, 'a.jpg'));
    copyFileSync(portrait('016.jpg'), join(input, 'b.jpg'));
    writeFileSync(join(input, 'c.jpg'), 'not a photo\n');
    writeFileSync(join(input, 'readme.txt'), 'notes\n');
    const r = await qrw(dir, ['idphoto', 'batch', '-o', 'batch-out', '--spec', 'uk-passport', '--dpi', '600']);
    expect(r.status).toBe(1);
    expect(readdirSync(join(dir, 'batch-out')).sort()).toEqual(['a.jpg', 'b.jpg']);
    expect(r.stderr).toContain('qrw: skipped 1 file(s) that are not images by their name: readme.txt');
    // Not a terminal: one plain progress line per file.
    expect(r.stderr).toMatch(/^\[1\/3\] a\.jpg: /m);
    expect(r.stderr).toMatch(/^\[2\/3\] b\.jpg: /m);
    expect(r.stderr).toMatch(/^\[3\/3\] c\.jpg: error: The data is not an image/m);
    expect(r.stderr).toMatch(/^qrw: 2 photo\(s\) made: \d passed every rule, \d failed a rule; \d with warnings/m);
    expect(r.stderr).toContain('qrw: 1 of 3 photo(s) failed');
    expect((await sharp(join(dir, 'batch-out', 'a.jpg')).metadata()).density).toBe(600);
  });
});
