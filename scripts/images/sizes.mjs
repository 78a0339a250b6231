// An image's size, layer by layer: uncompressed (its docker-archive's layer tarballs, from `tar -tvf`)
// and as gzip-compressed layer tarballs (its OCI layout, as a registry stores them), beside the Dockerfile
// step that made each layer. Usage: node sizes.mjs ARCHIVE_LISTING ARCHIVE_MANIFEST OCI_DIR < buildah-inspect.json
import { readFileSync } from 'node:fs';

const [listing, archiveManifest, oci] = process.argv.slice(2);
const tarSizes = new Map(
  readFileSync(listing, 'utf8')
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 6)
    .map((f) => [f.at(-1), Number(f[2])]),
);
const plain = JSON.parse(readFileSync(archiveManifest, 'utf8'))[0].Layers.map((name) => tarSizes.get(name));
const blob = (digest) => JSON.parse(readFileSync(`${oci}/blobs/${digest.replace(':', '/')}`, 'utf8'));
const gzip = blob(JSON.parse(readFileSync(`${oci}/index.json`, 'utf8')).manifests[0].digest).layers.map((l) => l.size);
const steps = JSON.parse(readFileSync(0, 'utf8'))
  .History.filter((h) => !h.empty_layer)
  .map((h) => h.created_by.replace(/^\/bin\/sh -c (#\(nop\) )?/, '').replace(/\s+/g, ' '));
if (plain.length !== gzip.length || plain.length !== steps.length) throw new Error(`layer counts differ: ${plain.length}, ${gzip.length}, ${steps.length}`);

const mb = (bytes) => (bytes / 1e6).toFixed(1).padStart(6);
const sum = (list) => list.reduce((a, b) => a + b, 0);
console.log(`uncompressed ${mb(sum(plain))} MB, gzip layers ${mb(sum(gzip))} MB, ${plain.length} layers:`);
console.log('  uncompr.     gzip  step');
plain.forEach((size, i) => console.log(`  ${mb(size)} ${mb(gzip[i])} MB  ${steps[i].slice(0, 100)}`));
