import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Whether exiftool is installed (the tests that use it are skipped without it). */
export const HAS_EXIFTOOL = ((): boolean => {
  try {
    execFileSync('exiftool', ['-ver'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
})();

/** Every tag exiftool finds in `bytes`, by group:name (the file system's, the file's own and the derived ones left out; ExifTool:Warning kept). */
export function exiftoolTags(bytes: Uint8Array, extension: string): Record<string, unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'qrw-exif-'));
  try {
    const file = join(dir, `photo.${extension}`);
    writeFileSync(file, bytes);
    const [tags] = JSON.parse(execFileSync('exiftool', ['-json', '-a', '-G1', '-n', file], { encoding: 'utf8' })) as Record<string, unknown>[];
    return Object.fromEntries(Object.entries(tags ?? {}).filter(([k]) => !/^(SourceFile|System:|File:|ExifTool:ExifToolVersion|Composite:)/.test(k)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
