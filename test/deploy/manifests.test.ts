import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { SETTINGS, loadConfig } from '../../dist/src/platform/config.js';
import { startCommand } from '../../bench/load-targets.js';
import { ROOT } from '../helpers/process.js';
import { multipart, startTestServer } from '../helpers/server.js';

const DEPLOY = join(ROOT, 'deploy');
const read = (path: string): string => readFileSync(join(DEPLOY, path), 'utf8');
const KNOWN_SETTINGS = new Set(SETTINGS.map((s) => s.env));
const DEFAULTS = loadConfig({});

/** Offline validation against the Kubernetes OpenAPI schemas shipped by kubernetes-models. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
};

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  data?: Record<string, string>;
}

describe('deploy/k8s (kustomize base)', () => {
  const kustomization = YAML.parse(read('k8s/kustomization.yaml')) as { resources: string[] };
  const objects = kustomization.resources.map((file) => YAML.parse(read(`k8s/${file}`)) as K8sObject);
  const byKind = (kind: string): K8sObject => objects.find((o) => o.kind === kind)!;

  it('lists every manifest in the folder, and each is valid against the Kubernetes schema', () => {
    const files = readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `no schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('the schema check catches a broken manifest', () => {
    const broken = structuredClone(byKind('Deployment'));
    broken.spec.template.spec.containers[0].readinessProbe.httpGet.port = { wrong: true };
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  it('matches the service: port, probe paths, shutdown timing, settings', () => {
    const deployment = byKind('Deployment').spec;
    const pod = deployment.template.spec;
    const container = pod.containers[0];
    const port = container.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(DEFAULTS.port);
    expect(container.env).toContainEqual({ name: 'PORT', value: String(port.containerPort) });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
    const configMap = byKind('ConfigMap');
    const shutdownMs = Number(configMap.data!.SHUTDOWN_TIMEOUT_MS ?? DEFAULTS.shutdownTimeoutMs);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + shutdownMs / 1000);
    expect(deployment.selector.matchLabels).toEqual(deployment.template.metadata.labels);
    for (const key of Object.keys(configMap.data!)) expect(KNOWN_SETTINGS, `ConfigMap key ${key}`).toContain(key);
    expect(() => loadConfig({ ...configMap.data })).not.toThrow();
    expect(container.envFrom[0].configMapRef.name).toBe(configMap.metadata.name);
  });

  it('wires Service, Ingress, HPA and PDB to the Deployment', () => {
    const deployment = byKind('Deployment');
    const labels = deployment.spec.template.metadata.labels;
    const service = byKind('Service');
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports[0].targetPort).toBe('http');
    const backend = byKind('Ingress').spec.rules[0].http.paths[0].backend.service;
    expect(backend).toEqual({ name: service.metadata.name, port: { name: service.spec.ports[0].name } });
    const hpa = byKind('HorizontalPodAutoscaler').spec;
    expect(hpa.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect([hpa.minReplicas, hpa.maxReplicas, hpa.metrics[0].resource.target.averageUtilization]).toEqual([2, 20, 60]);
    expect(byKind('PodDisruptionBudget').spec.selector.matchLabels).toEqual(labels);
  });
});

describe('deploy/compose.yaml and its monitoring', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const compose = YAML.parse(read('compose.yaml'), { merge: true }) as { services: Record<string, any> };

  it('runs nginx in front of 3 replicas with Redis, Prometheus and Grafana, each with limits and a restart policy', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['qrw', 'nginx', 'redis', 'prometheus', 'grafana']));
    expect(compose.services.qrw.deploy.replicas).toBe(3);
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.deploy?.resources?.limits?.memory, name).toBeDefined();
    }
    for (const key of Object.keys(compose.services.qrw.environment)) expect(KNOWN_SETTINGS, `compose env ${key}`).toContain(key);
    for (const service of Object.values(compose.services)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(() => readFileSync(join(DEPLOY, source)), source).not.toThrow(/ENOENT/);
      }
    }
  });

  it('Prometheus scrapes every replica on the service port', () => {
    const prometheus = YAML.parse(read('prometheus/prometheus.yml')) as { scrape_configs: { job_name: string; metrics_path: string; dns_sd_configs: { names: string[]; port: number }[] }[] };
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'qr-workshop')!;
    expect(job.metrics_path).toBe('/metrics');
    expect(job.dns_sd_configs[0]).toMatchObject({ names: ['qrw'], port: DEFAULTS.port });
  });

  describe('the Grafana dashboard', () => {
    let server: Awaited<ReturnType<typeof startTestServer>>;
    beforeAll(async () => {
      server = await startTestServer({ POOL_THREADS: '1' });
    });
    afterAll(() => server.shutdown());

    it('charts only metrics the service exports (req/s, latency, errors, pool, cache per instance)', async () => {
      const dashboard = JSON.parse(read('grafana/dashboards/qr-workshop.json')) as { panels: { title: string; targets: { expr: string }[] }[] };
      // Exercise the routes so that every labelled series exists.
      await fetch(`${server.base}/api/v1/generate?text=dashboard`);
      await fetch(`${server.base}/api/v1/generate?text=dashboard`);
      const png = new Uint8Array(await (await fetch(`${server.base}/api/v1/generate?text=decode`)).arrayBuffer());
      await fetch(`${server.base}/api/v1/decode`, { method: 'POST', body: multipart('image', png) });
      const exported = new Set([...(await (await fetch(`${server.base}/metrics`)).text()).matchAll(/^([a-z_:][a-z0-9_:]*)(?:\{| )/gm)].map((m) => m[1]!));
      const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
      for (const topic of ['requests per second', 'latency', 'error rate', 'pool saturation', 'cache hit ratio']) expect(titles).toContain(topic);
      const used = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/([a-z_:][a-z0-9_:]*)\{job="qr-workshop"/g)].map((m) => m[1]!)));
      expect(used.length).toBeGreaterThan(10);
      for (const metric of used) expect(exported, metric).toContain(metric);
    });
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('is multi-stage, runs as a non-root user with a HEALTHCHECK on /health, and starts what npm start starts', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health/m);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    const start = startCommand();
    expect(dockerfile).toContain(`CMD ${JSON.stringify(['node', ...start.nodeArgs, start.script]).replaceAll(',', ', ')}`);
  });
});
