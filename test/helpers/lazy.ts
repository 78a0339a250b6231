import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Whether a fresh process has loaded files of `packageDir` (e.g. '/onnxruntime-node/') after importing
 * the TypeScript module at `source`, and after running `load` (JavaScript where `m` is that module).
 */
export function loadedBeforeAndAfter(source: URL, packageDir: string, load: string): { before: boolean; after: boolean } {
  const script = `
    import { createRequire } from 'node:module';
    const cache = createRequire(import.meta.url).cache;
    const loaded = () => Object.keys(cache).some((k) => k.includes(${JSON.stringify(packageDir)}));
    const m = await import(${JSON.stringify(fileURLToPath(source))});
    const before = loaded();
    ${load};
    console.log(JSON.stringify({ before, after: loaded() }));`;
  return JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' })) as { before: boolean; after: boolean };
}
