import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** Absolute, so the precompress step finds the bundle whatever directory vite is run from. */
const OUT_DIR = fileURLToPath(new URL('./dist/web', import.meta.url));
const COMPRESSIBLE = /\.(html|js|css|svg|json|wasm)$/;

/** Writes .br and .gz beside each text asset so the service sends them precompressed (@fastify/static preCompressed). */
function precompress(): Plugin {
  return {
    name: 'qrw-precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
      for (const file of walk(OUT_DIR).filter((f) => COMPRESSIBLE.test(f))) {
        const bytes = readFileSync(file);
        writeFileSync(`${file}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
      }
    },
  };
}

export default defineConfig({
  root: 'web',
  base: '/',
  build: { outDir: OUT_DIR, emptyOutDir: true, target: 'es2022', assetsInlineLimit: 0, reportCompressedSize: true },
  worker: { format: 'es' },
  plugins: [precompress()],
  server: { proxy: { '/api': 'http://127.0.0.1:8080', '/docs': 'http://127.0.0.1:8080' } },
});
