import { execFileSync, spawnSync } from 'node:child_process';

/** zbarimg (Debian's zbar-tools) is the independent reader; .ci/run installs it, so CI fails rather than skips without it. */
export const hasZbar = spawnSync('zbarimg', ['--version']).status === 0;
export const requireZbar = process.env.CI === 'true' || hasZbar;

/** Decodes a file with zbarimg; -Sbinary returns the payload bytes untouched (zbar's own charset guess mangles UTF-8). */
export function zbarDecode(file: string): string[] {
  const out = execFileSync('zbarimg', ['--quiet', '--raw', '-Sbinary', '-Sqrcode.enable', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  return [out.toString('utf8')];
}
