// Builds the optional native luma decoders (native/luma.c) at install time. They need a C compiler,
// libdeflate and libjpeg-turbo's headers (Debian: libdeflate-dev libturbojpeg0-dev; Alpine:
// libdeflate-dev libjpeg-turbo-dev). Without them the install still succeeds and decoding uses the
// portable path (NATIVE_DECODE in the README says how to require or turn off the native one).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = ['rebuild'];
// Node's own headers, where the installation ships them (Debian's nodejs, the official images): no download.
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
// npm puts its bundled node-gyp on the PATH of install scripts; run directly, fall back to npm's copy.
const npmGyp = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const [command, commandArgs] = existsSync(npmGyp) ? [process.execPath, [npmGyp, ...args]] : ['node-gyp', args];
const result = spawnSync(command, commandArgs, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (result.status === 0) {
  console.log('qr-workshop: native luma decoders built (libdeflate, libjpeg-turbo)');
} else {
  const why = result.error ? result.error.message : (result.stderr || result.stdout).trim().split('\n').slice(-12).join('\n');
  console.warn(`qr-workshop: the optional native luma decoders were not built; decoding uses the portable path.\n${why}`);
}
