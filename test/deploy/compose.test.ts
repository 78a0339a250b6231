import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ROOT } from '../helpers/process.js';

/**
 * deploy/compose.yaml against the Compose Specification's JSON schema (compose-spec.schema.json: vendored
 * from github.com/compose-spec/compose-spec, schema/compose-spec.json at 170098ba07d9f53c383a41bfd4c5166b0a4529a6,
 * 2026-06-23, Apache-2.0, compose-spec.LICENSE; reformatted by Prettier only), and against what the
 * repository holds: every file it mounts or builds from, and its own images built by scripts/images.
 */
const DEPLOY = join(ROOT, 'deploy');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Service = Record<string, any>;
const compose = YAML.parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const schema = JSON.parse(readFileSync(join(ROOT, 'test/deploy/compose-spec.schema.json'), 'utf8')) as Record<string, unknown>;
// Ajv knows draft-07 under its http:// name; the schema names it https://. Compose's own formats (duration, ports) are not checked.
delete schema.$schema;
const validate = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
const errors = (document: unknown): string[] => (validate(document) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));

/** The tags scripts/images/build-and-test.sh builds (its IMAGES list: "tag|Dockerfile|target"), with their Dockerfiles. */
const script = readFileSync(join(ROOT, 'scripts/images/build-and-test.sh'), 'utf8');
const imagesList = /^IMAGES=\(\n([\s\S]*?)\n\)/m.exec(script)![1]!;
const BUILT = new Map([...imagesList.matchAll(/^\s*"([^|"]+)\|([^|"]+)\|[^"]*"/gm)].map((m) => [m[1]!, m[2]!]));
const ours = Object.entries(compose.services).filter(([, s]) => s.build || String(s.image).startsWith('qr-workshop'));

describe('deploy/compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(errors(compose)).toEqual([]);
  });

  it('the schema check catches a broken file', () => {
    const broken = structuredClone(compose);
    broken.services.qrw!.deploy.replicas = { count: 3 };
    broken.services.redis!.healthchek = broken.services.redis!.healthcheck;
    const found = errors(broken).join('\n');
    expect(found).toMatch(/\/services\/qrw\/deploy\/replicas must be/);
    expect(found).toMatch(/\/services\/redis must NOT have additional properties .*healthchek/);
  });

  it('mounts and builds only what the repository holds', () => {
    const named = new Set(Object.keys(compose.volumes ?? {}));
    let binds = 0;
    for (const [name, service] of Object.entries(compose.services)) {
      for (const volume of (service.volumes ?? []) as (string | { type: string; source: string })[]) {
        const source = typeof volume === 'string' ? volume.split(':')[0]! : volume.source;
        if (/^[./]/.test(source)) {
          expect(existsSync(resolve(DEPLOY, source)), `${name} mounts ${source}`).toBe(true);
          binds++;
        } else expect(named, `${name}: volume ${source} is declared`).toContain(source);
      }
      if (service.build) {
        const context = resolve(DEPLOY, service.build.context);
        expect(existsSync(join(context, service.build.dockerfile)), `${name} builds ${service.build.dockerfile}`).toBe(true);
      }
    }
    expect(binds).toBeGreaterThan(0);
  });

  it('runs only images that scripts/images builds and smoke-tests, from the Dockerfile it builds them with', () => {
    expect(ours.map(([name]) => name)).toEqual(expect.arrayContaining(['qrw', 'idphoto']));
    for (const [name, service] of ours) {
      expect(BUILT.has(service.image), `${name}: ${service.image} is built by scripts/images`).toBe(true);
      if (service.build) expect(join(service.build.context, service.build.dockerfile).replace(/^\.\.\//, ''), name).toBe(BUILT.get(service.image));
    }
  });

  it('each named volume mounted into our image is a directory the Dockerfile makes for its user', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    for (const [name, service] of ours)
      for (const volume of (service.volumes ?? []) as string[]) {
        const [source, target] = volume.split(':');
        // A new named volume starts as a copy of that directory, owner included; without it, root's and unwritable.
        if (!/^[./]/.test(source!)) expect(dockerfile, `${name}: ${target}`).toMatch(new RegExp(`install -d -o node -g node .*${target}`));
      }
  });
});
