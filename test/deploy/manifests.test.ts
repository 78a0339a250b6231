import { readFileSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { pino } from 'pino';
import { SETTINGS, loadConfig, type Config } from '../../dist/src/platform/config.js';
import { BullJobQueue, QUEUE_NAMES } from '../../dist/src/jobs/bullmq-queue.js';
import { parsePolicy } from '../../dist/src/accounts/policy.js';
import { openAccounts } from '../../dist/src/accounts/setup.js';
import { startCommand } from '../../bench/load-targets.js';
import { ROOT } from '../helpers/process.js';
import { REDIS_URL, deleteKeys, requireRedis } from '../helpers/redis.js';
import { multipart, startTestServer } from '../helpers/server.js';

const DEPLOY = join(ROOT, 'deploy');
const read = (path: string): string => readFileSync(join(DEPLOY, path), 'utf8');
const KNOWN_SETTINGS = new Set(SETTINGS.map((s) => s.env));
const DEFAULTS = loadConfig({});
/** `qrw worker` as the image runs it: the node flags of `npm start` (and of the image's CMD), then the CLI's worker command. */
const WORKER_COMMAND = ['node', ...startCommand().nodeArgs, 'dist/src/cli/main.js', 'worker'];
/** Nginx's sizes (`10m`, `1g`) in bytes. */
const nginxBytes = (size: string): number => Number(size.slice(0, -1)) * 1024 ** ' kmg'.indexOf(size.slice(-1).toLowerCase());

/** Offline validation against the Kubernetes OpenAPI schemas shipped by kubernetes-models. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  // KEDA's CRD schema, as @kubernetes-models/keda ships it.
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
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
  const named = (kind: string, name: string): K8sObject => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
    return found;
  };
  const byKind = (kind: string): K8sObject => named(kind, 'qr-workshop');
  /** The QR service and the ID-photo service (TOOLS=idphoto): the same image, each with its own settings, resources and autoscaling. */
  const DEPLOYMENTS = ['qr-workshop', 'qr-workshop-idphoto'];
  /** The job workers: the same image running `qrw worker`, behind no Service, scaled by KEDA on the queue's length. */
  const WORKER = 'qr-workshop-worker';
  const containerOf = (name: string) => named('Deployment', name).spec.template.spec.containers[0];
  /** A container's environment as Kubernetes gives it: its ConfigMaps in order (a later one wins), then `env`. */
  const envOf = (name: string): Record<string, string> => {
    const container = containerOf(name);
    const fromMaps = (container.envFrom as { configMapRef: { name: string } }[]).map((source) => named('ConfigMap', source.configMapRef.name).data!);
    const own = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    return Object.assign({}, ...fromMaps, own) as Record<string, string>;
  };
  const configOf = (name: string): Config => loadConfig(envOf(name));
  /** The claim mounted at `path` in a Deployment's pod. */
  const claimAt = (name: string, path: string): string | undefined => {
    const pod = named('Deployment', name).spec.template.spec;
    const mount = (containerOf(name).volumeMounts ?? []).find((m: { mountPath: string }) => m.mountPath === path);
    return pod.volumes?.find((v: { name: string }) => v.name === mount?.name)?.persistentVolumeClaim?.claimName;
  };

  it('lists every manifest in the folder, and each is valid against the Kubernetes schema', () => {
    const files = readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual([...DEPLOYMENTS, WORKER]);
    for (const object of objects) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `no schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
      expect(() => new Model!(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it('the schema check catches a broken manifest', () => {
    for (const name of DEPLOYMENTS) {
      const broken = structuredClone(named('Deployment', name));
      broken.spec.template.spec.containers[0].readinessProbe.httpGet.port = { wrong: true };
      expect(() => new Deployment(broken as never).validate(), name).toThrow();
    }
    const scaler = structuredClone(named('ScaledObject', WORKER));
    scaler.spec.triggers[0].metadata.listLength = 2;
    expect(() => new ScaledObject(scaler as never).validate()).toThrow();
    const claim = structuredClone(named('PersistentVolumeClaim', 'qr-workshop-jobs'));
    claim.spec.accessModes = 'ReadWriteMany';
    expect(() => new PersistentVolumeClaim(claim as never).validate()).toThrow();
  });

  it.each(DEPLOYMENTS)('%s matches the service: port, probe paths, shutdown timing, settings', (name) => {
    const deployment = named('Deployment', name).spec;
    const pod = deployment.template.spec;
    const container = pod.containers[0];
    const port = container.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(DEFAULTS.port);
    expect(container.env).toContainEqual({ name: 'PORT', value: String(port.containerPort) });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
    const configMap = named('ConfigMap', container.envFrom[0].configMapRef.name);
    const shutdownMs = Number(configMap.data!.SHUTDOWN_TIMEOUT_MS ?? DEFAULTS.shutdownTimeoutMs);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + shutdownMs / 1000);
    expect(deployment.selector.matchLabels).toEqual(deployment.template.metadata.labels);
    for (const key of Object.keys(configMap.data!)) expect(KNOWN_SETTINGS, `ConfigMap key ${key}`).toContain(key);
    expect(() => loadConfig({ ...configMap.data })).not.toThrow();
  });

  it('runs the QR tool and the ID-photo tool in their own deployments, the ID photos sized for their models', () => {
    const toolsOf = (name: string) => loadConfig({ ...named('ConfigMap', named('Deployment', name).spec.template.spec.containers[0].envFrom[0].configMapRef.name).data }).tools;
    expect(toolsOf('qr-workshop')).toEqual(['qr']);
    expect(toolsOf('qr-workshop-idphoto')).toEqual(['idphoto']);
    const container = named('Deployment', 'qr-workshop-idphoto').spec.template.spec.containers[0];
    expect(container.resources).toEqual({ requests: { cpu: '500m', memory: '600Mi' }, limits: { cpu: '2', memory: '1200Mi' } });
    const idphoto = loadConfig({ ...named('ConfigMap', 'qr-workshop-idphoto').data });
    // One thread per core of the limit (Node sees the node's cores), each with its models (~150 MB) under the memory limit.
    expect(idphoto.idphotoThreads).toBe(Number(container.resources.limits.cpu));
    expect(idphoto.idphotoThreads * 150 + 300).toBeLessThan(1200);
    expect(idphoto.idphotoRateLimitMax).toBe(10);
    expect(idphoto.redisUrl).toBeDefined();
  });

  it('wires each Deployment to its Service, HPA and PDB, and the Ingress sends ID photos to the ID-photo service', () => {
    const services = new Map<string, K8sObject>();
    for (const name of DEPLOYMENTS) {
      const labels = named('Deployment', name).spec.template.metadata.labels;
      const service = named('Service', name);
      expect(service.spec.selector, name).toEqual(labels);
      expect(service.spec.ports[0].targetPort, name).toBe('http');
      services.set(name, service);
      const hpa = named('HorizontalPodAutoscaler', name).spec;
      expect(hpa.scaleTargetRef, name).toMatchObject({ kind: 'Deployment', name });
      expect(hpa.minReplicas, name).toBeGreaterThanOrEqual(2);
      expect(hpa.metrics[0].resource.name, name).toBe('cpu');
      expect(named('PodDisruptionBudget', name).spec.selector.matchLabels, name).toEqual(labels);
    }
    const qrHpa = byKind('HorizontalPodAutoscaler').spec;
    expect([qrHpa.minReplicas, qrHpa.maxReplicas, qrHpa.metrics[0].resource.target.averageUtilization]).toEqual([2, 20, 60]);
    const rules = byKind('Ingress').spec.rules as { host: string; http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] } }[];
    const backendOf = (host: string, path: string) => rules.find((r) => r.host === host)!.http.paths.find((p) => p.path === path)!.backend.service;
    const backend = (name: string) => ({ name, port: { name: services.get(name)!.spec.ports[0].name } });
    expect(backendOf('qr.example.com', '/')).toEqual(backend('qr-workshop'));
    expect(backendOf('qr.example.com', '/api/v1/idphoto')).toEqual(backend('qr-workshop-idphoto'));
    expect(backendOf('qr.example.com', '/result')).toEqual(backend('qr-workshop-idphoto'));
    // The original ID-photo service's clients (its POST /api/v1/generate) on a host of their own.
    expect(backendOf('idphoto.example.com', '/')).toEqual(backend('qr-workshop-idphoto'));
    for (const rule of rules) for (const path of rule.http.paths) expect(services.has(path.backend.service.name), path.backend.service.name).toBe(true);
  });

  it('runs the job worker: the worker command, probes, shutdown timing, known settings, the QR pool sized to its CPU limit', () => {
    const pod = named('Deployment', WORKER).spec.template.spec;
    const container = containerOf(WORKER);
    expect(container.image).toBe(containerOf('qr-workshop').image);
    expect(container.command).toEqual(WORKER_COMMAND);
    expect(container.ports[0]).toMatchObject({ name: 'http', containerPort: DEFAULTS.port });
    expect(container.env).toContainEqual({ name: 'PORT', value: String(DEFAULTS.port) });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const env = envOf(WORKER);
    for (const key of Object.keys(env)) expect(KNOWN_SETTINGS, `worker env ${key}`).toContain(key);
    const config = configOf(WORKER);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(config.shutdownTimeoutMs / 1000);
    expect(config.jobConcurrency).toBeGreaterThanOrEqual(1);
    expect(config.tools).toEqual(['qr']);
    expect(config.poolThreads).toBe(Number(container.resources.limits.cpu));
    expect(config.redisUrl).toBe(configOf('qr-workshop').redisUrl);
    expect(named('Deployment', WORKER).spec.replicas, 'replicas are set by the ScaledObject').toBeUndefined();
    expect(named('PodDisruptionBudget', WORKER).spec.selector.matchLabels).toEqual(named('Deployment', WORKER).spec.template.metadata.labels);
  });

  it('the API only queues jobs; it and the workers mount the same ReadWriteMany claim at the JOBS_DIR their settings name', () => {
    const claim = named('PersistentVolumeClaim', 'qr-workshop-jobs').spec;
    expect(claim.accessModes).toEqual(['ReadWriteMany']);
    // Left to the cluster, which must offer a class with ReadWriteMany (the comment says which).
    expect(claim.storageClassName).toBeUndefined();
    expect(configOf('qr-workshop').jobConcurrency).toBe(0);
    for (const name of ['qr-workshop', WORKER]) {
      const config = configOf(name);
      expect(claimAt(name, config.jobsDir), name).toBe('qr-workshop-jobs');
      expect(config.jobsDir, name).toBe(configOf(WORKER).jobsDir);
      expect(config.jobResultTtlSeconds, name).toBe(configOf(WORKER).jobResultTtlSeconds);
      // The node user (uid 1000) owns what it writes on the volume.
      const security = named('Deployment', name).spec.template.spec.securityContext;
      expect(security.fsGroup, name).toBe(security.runAsGroup);
    }
  });

  it("scales the workers with KEDA's redis scaler on BullMQ's wait list, in the Redis the settings name", () => {
    const scaler = named('ScaledObject', WORKER).spec;
    expect(scaler.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: WORKER });
    expect(scaler.minReplicaCount).toBeGreaterThanOrEqual(1);
    expect(scaler.maxReplicaCount).toBeGreaterThan(scaler.minReplicaCount);
    expect(scaler.triggers).toHaveLength(1);
    const { type, metadata } = scaler.triggers[0] as { type: string; metadata: Record<string, string> };
    expect(type).toBe('redis');
    const config = configOf(WORKER);
    expect(metadata.listName).toBe(`${config.redisKeyPrefix}bull:${QUEUE_NAMES.qr}:wait`);
    expect(metadata.listName).toBe('qrw:bull:jobs:wait');
    const redis = new URL(config.redisUrl!);
    expect(metadata.address).toBe(`${redis.hostname}:${redis.port || 6379}`);
    expect(metadata.databaseIndex).toBe(redis.pathname.slice(1) || '0');
    expect(Number(metadata.listLength)).toBeGreaterThanOrEqual(1);
    // KEDA owns the worker's HPA: no other may target it.
    for (const hpa of objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')) expect(hpa.spec.scaleTargetRef.name).not.toBe(WORKER);
  });

  it('routes jobs and batches with bodies up to their limits, streamed both ways', () => {
    const ingress = named('Ingress', 'qr-workshop-jobs');
    const annotations = (ingress as unknown as { metadata: { annotations: Record<string, string> } }).metadata.annotations;
    expect(nginxBytes(annotations['nginx.ingress.kubernetes.io/proxy-body-size']!)).toBeGreaterThanOrEqual(configOf('qr-workshop').jobMaxBytes);
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off');
    expect(annotations['nginx.ingress.kubernetes.io/proxy-request-buffering']).toBe('off');
    expect(annotations['nginx.ingress.kubernetes.io/proxy-next-upstream']).not.toContain('non_idempotent');
    const paths = ingress.spec.rules[0].http.paths as { path: string; backend: { service: { name: string } } }[];
    expect(paths.map((p) => [p.path, p.backend.service.name])).toEqual([
      ['/api/v1/jobs', 'qr-workshop'],
      ['/api/v1/batch', 'qr-workshop'],
    ]);
    expect(ingress.spec.rules[0].host).toBe(byKind('Ingress').spec.rules[0].host);
  });

  describe.runIf(requireRedis)("against the real Redis: the scaler's list", () => {
    const prefix = `qrw-test-keda-${process.pid}:`;
    afterAll(() => deleteKeys(`${prefix}*`));

    it('is where the job queue keeps waiting jobs, and its length is the qrw_jobs{state="queued"} the processes export', async () => {
      const { listName } = named('ScaledObject', WORKER).spec.triggers[0].metadata as { listName: string };
      const configured = configOf(WORKER).redisKeyPrefix;
      expect(listName.startsWith(configured)).toBe(true);
      // The same list under this test's own prefix, filled by the real queue with no worker taking jobs (as the API runs it).
      const queue = await BullJobQueue.open({
        redisUrl: REDIS_URL,
        keyPrefix: prefix,
        queueName: QUEUE_NAMES.qr,
        kinds: {},
        storage: undefined as never,
        concurrency: 0,
        maxQueued: 10,
        lockMs: 30_000,
        ttlSeconds: 60,
        logger: pino({ level: 'silent' }),
      });
      try {
        for (let i = 0; i < 3; i++) await queue.submit({ id: `keda-${i}`, type: 'generate', contentType: 'text/csv', options: {}, resultType: 'application/zip', total: 1, createdAt: Date.now() });
        const { Redis } = await import('ioredis');
        const client = new Redis(REDIS_URL);
        try {
          expect(await client.llen(prefix + listName.slice(configured.length))).toBe(3);
        } finally {
          client.disconnect();
        }
        expect((await queue.counts()).queued).toBe(3);
      } finally {
        await queue.close();
      }
    });
  });
});

describe('deploy/compose.yaml and its monitoring', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const compose = YAML.parse(read('compose.yaml'), { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> };
  /** A service's environment as Compose gives it with nothing set on the host: `${VAR:-default}` is the default. */
  const composeEnv = (name: string): Record<string, string> =>
    Object.fromEntries(Object.entries(compose.services[name].environment as Record<string, unknown>).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));

  it('runs nginx in front of 3 replicas with Redis, Prometheus and Grafana, each with limits and a restart policy', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['qrw', 'idphoto', 'nginx', 'redis', 'prometheus', 'grafana']));
    expect(compose.services.qrw.deploy.replicas).toBe(3);
    for (const [name, service] of Object.entries(compose.services)) {
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.deploy?.resources?.limits?.memory, name).toBeDefined();
    }
    for (const name of ['qrw', 'idphoto', 'worker']) {
      for (const key of Object.keys(compose.services[name].environment)) expect(KNOWN_SETTINGS, `compose ${name} env ${key}`).toContain(key);
      expect(() => loadConfig(composeEnv(name)), name).not.toThrow();
    }
    for (const service of Object.values(compose.services)) {
      for (const volume of (service.volumes ?? []) as string[]) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(() => readFileSync(join(DEPLOY, source)), source).not.toThrow(/ENOENT/);
      }
    }
  });

  it('runs the ID-photo service apart (the same image, TOOLS=idphoto, its own limits), nginx routing ID photos to it', () => {
    const { qrw, idphoto, nginx } = compose.services;
    expect(loadConfig(composeEnv('qrw')).tools).toEqual(['qr']);
    const config = loadConfig(composeEnv('idphoto'));
    expect(config.tools).toEqual(['idphoto']);
    expect(idphoto.image).toBe(qrw.image);
    expect(idphoto.deploy.resources.limits).toEqual({ cpus: '2.0', memory: '1G' });
    expect(config.idphotoThreads).toBe(Number(idphoto.deploy.resources.limits.cpus));
    expect(config.redisUrl).toBe(loadConfig(composeEnv('qrw')).redisUrl);
    expect(Object.keys(nginx.depends_on)).toEqual(expect.arrayContaining(['qrw', 'idphoto']));
    expect(nginx.ports).toEqual(expect.arrayContaining(['8080:80', '8081:81']));
    const site = read('nginx/qr-workshop.conf');
    expect(site).toMatch(/^\s*server idphoto:8080 /m);
    expect(site).toMatch(/location \/api\/v1\/idphoto \{\s*proxy_pass http:\/\/qr_workshop_idphoto;/);
    expect(site).toMatch(/location \/result\/ \{\s*proxy_pass http:\/\/qr_workshop_idphoto;/);
  });

  it('runs job workers (the same image, the worker command), sharing the jobs volume at JOBS_DIR with the API, which only queues', () => {
    const { qrw, worker } = compose.services;
    expect(worker.image).toBe(qrw.image);
    expect(worker.command).toEqual(WORKER_COMMAND);
    expect(worker.deploy.replicas).toBe(2);
    const api = loadConfig(composeEnv('qrw'));
    const config = loadConfig(composeEnv('worker'));
    expect(api.jobConcurrency).toBe(0);
    expect(config.jobConcurrency).toBeGreaterThanOrEqual(1);
    expect(config.tools).toEqual(['qr']);
    expect(config.poolThreads).toBe(Number(worker.deploy.resources.limits.cpus));
    expect(config.redisUrl).toBe(api.redisUrl);
    expect(config.jobsDir).toBe(api.jobsDir);
    expect(config.jobResultTtlSeconds).toBe(api.jobResultTtlSeconds);
    expect(Object.keys(compose.volumes)).toContain('jobs');
    expect(qrw.volumes).toContain(`jobs:${api.jobsDir}`);
    expect(worker.volumes).toContain(`jobs:${config.jobsDir}`);
    // Compose's grace (`70s`) outlasts the worker's own shutdown.
    expect(Number(/^(\d+)s$/.exec(worker.stop_grace_period)![1])).toBeGreaterThan(config.shutdownTimeoutMs / 1000);
    expect(worker.depends_on.redis).toEqual({ condition: 'service_healthy' });
  });

  it('nginx takes job bodies up to JOB_MAX_BYTES and batches up to BATCH_MAX_BYTES, streaming their answers', () => {
    const site = read('nginx/qr-workshop.conf');
    const block = (path: string): string => new RegExp(`location ${path.replaceAll('/', '\\/')} \\{([^}]*)\\}`).exec(site)![1]!;
    const directive = (text: string, name: string): string => new RegExp(`^\\s*${name} ([^;]+);`, 'm').exec(text)![1]!;
    const api = loadConfig(composeEnv('qrw'));
    const jobs = block('/api/v1/jobs');
    expect(jobs).toMatch(/proxy_pass http:\/\/qr_workshop;/);
    expect(nginxBytes(directive(jobs, 'client_max_body_size'))).toBeGreaterThanOrEqual(api.jobMaxBytes);
    expect([directive(jobs, 'proxy_buffering'), directive(jobs, 'proxy_request_buffering')]).toEqual(['off', 'off']);
    // A submit streamed to a replica cannot be sent again, and must not be: it is not idempotent.
    expect(directive(jobs, 'proxy_next_upstream')).not.toContain('non_idempotent');
    const batch = block('/api/v1/batch/');
    expect(batch).toMatch(/proxy_pass http:\/\/qr_workshop;/);
    expect(nginxBytes(directive(batch, 'client_max_body_size'))).toBeGreaterThanOrEqual(api.batchMaxBytes);
    expect(directive(batch, 'proxy_buffering')).toBe('off');
  });

  it('Prometheus scrapes every replica on the service port', () => {
    const prometheus = YAML.parse(read('prometheus/prometheus.yml')) as { scrape_configs: { job_name: string; metrics_path: string; dns_sd_configs: { names: string[]; port: number }[] }[] };
    const job = prometheus.scrape_configs.find((j) => j.job_name === 'qr-workshop')!;
    expect(job.metrics_path).toBe('/metrics');
    expect(job.dns_sd_configs[0]).toMatchObject({ names: ['qrw'], port: DEFAULTS.port });
    expect(job.dns_sd_configs[1]).toMatchObject({ names: ['idphoto'], port: DEFAULTS.port });
    expect(job.dns_sd_configs[2]).toMatchObject({ names: ['worker'], port: DEFAULTS.port });
  });

  describe('the Grafana dashboard', () => {
    let server: Awaited<ReturnType<typeof startTestServer>>;
    // Keys on (optional), so that the per-key series exist once a keyed request has been answered.
    const accountsDb = join(tmpdir(), `qrw-dashboard-keys-${process.pid}.db`);
    let key: string;
    beforeAll(async () => {
      server = await startTestServer({ POOL_THREADS: '1', AUTH_MODE: 'optional', ACCOUNTS_DB: accountsDb });
      const accounts = await openAccounts(loadConfig({ ACCOUNTS_DB: accountsDb }), undefined);
      key = (await accounts.create('dashboard', parsePolicy({}))).key;
    });
    afterAll(async () => {
      await server.shutdown();
      await rm(accountsDb, { force: true });
      await rm(`${accountsDb}-wal`, { force: true });
      await rm(`${accountsDb}-shm`, { force: true });
    });

    it('charts only metrics the service exports (req/s, latency, errors, pool, cache per instance, ID photos)', async () => {
      const dashboard = JSON.parse(read('grafana/dashboards/qr-workshop.json')) as { panels: { title: string; targets?: { expr: string }[] }[] };
      // Exercise the routes so that every labelled series exists.
      await fetch(`${server.base}/api/v1/generate?text=dashboard`);
      await fetch(`${server.base}/api/v1/generate?text=dashboard`, { headers: { 'x-api-key': key } });
      const png = new Uint8Array(await (await fetch(`${server.base}/api/v1/generate?text=decode`)).arrayBuffer());
      await fetch(`${server.base}/api/v1/decode`, { method: 'POST', body: multipart('image', png) });
      // An ID photo refused for its upload counts (and times) an outcome without running a model.
      expect((await fetch(`${server.base}/api/v1/idphoto`, { method: 'POST', body: multipart('image', new TextEncoder().encode('not a portrait')) })).status).toBe(415);
      // A job run to its end (in-process here) counts its items, times its run and is counted by state.
      const submitted = await fetch(`${server.base}/api/v1/jobs?type=generate`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: 'text\ndashboard one\ndashboard two\n' });
      expect(submitted.status).toBe(202);
      const { status_url: statusUrl } = (await submitted.json()) as { status_url: string };
      let state = '';
      for (let i = 0; i < 200 && state !== 'completed'; i++) {
        state = ((await (await fetch(`${server.base}${statusUrl}`)).json()) as { state: string }).state;
        if (state !== 'completed') await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toBe('completed');
      const exported = new Set([...(await (await fetch(`${server.base}/metrics`)).text()).matchAll(/^([a-z_:][a-z0-9_:]*)(?:\{| )/gm)].map((m) => m[1]!));
      const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join(' | ');
      for (const topic of [
        'requests per second',
        'latency',
        'error rate',
        'pool saturation',
        'cache hit ratio',
        'id photos per second by outcome',
        'id photo duration',
        'id-photo pool',
        'batches and jobs',
        'job queue depth',
        'jobs by state',
        'job items per second by type and outcome',
        'job duration percentiles by type',
        'requests per api key',
      ])
        expect(titles).toContain(topic);
      const used = dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/([a-z_:][a-z0-9_:]*)\{job="qr-workshop"/g)].map((m) => m[1]!)));
      expect(used.length).toBeGreaterThan(10);
      for (const metric of used) expect(exported, metric).toContain(metric);
      expect(used).toEqual(expect.arrayContaining(['qrw_idphoto_total', 'qrw_idphoto_duration_seconds_bucket', 'qrw_jobs', 'qrw_job_items_total', 'qrw_job_duration_seconds_bucket']));
      const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
      expect(exprs).toContain('max(qrw_jobs{job="qr-workshop",state="queued"})');
      // The ID-photo panels chart the idphoto pool, which the test server runs (TOOLS defaults to both).
      const pools = dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/pool="(\w+)"/g)].map((m) => m[1]!)));
      expect(new Set(pools)).toEqual(new Set(['idphoto']));
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
