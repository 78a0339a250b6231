import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/redis.js';
import { ROOT, ServiceProcess } from '../helpers/process.js';
import { multipart } from '../helpers/server.js';
import { sharedPath } from '../helpers/shared.js';

const NGINX = '/usr/sbin/nginx';
/** Debian's nginx; .ci/run installs it, so CI fails rather than skips without it. */
const requireNginx = process.env.CI === 'true' || existsSync(NGINX);
const SITE = readFileSync(join(ROOT, 'deploy/nginx/qr-workshop.conf'), 'utf8');
const PHOTO = readFileSync(sharedPath('anchors/bench/images/qr_000.jpg'));

/**
 * deploy/nginx/qr-workshop.conf as shipped, with its upstream server lines turned into the given
 * loopback ports (same parameters): the QR replicas (`server qrw:8080`) and the ID-photo service
 * (`server idphoto:8080`); its listen addresses (80: the site, 81: the ID-photo service alone) moved to free loopback ports.
 */
function siteFor(ports: number[], listen: number, idphoto: { port: number; listen: number }): string {
  const upstream = (host: string, to: number[]): [string, string] => {
    const server = new RegExp(`^(\\s*)server ${host}:8080 (.*);$`, 'm').exec(SITE);
    if (!server) throw new Error(`deploy/nginx/qr-workshop.conf has no "server ${host}:8080 ...;" line`);
    return [server[0], to.map((p) => `${server[1]}server 127.0.0.1:${p} ${server[2]};`).join('\n')];
  };
  const [qr, qrServers] = upstream('qrw', ports);
  const [photo, photoServers] = upstream('idphoto', [idphoto.port]);
  return SITE.replace(qr, qrServers)
    .replace(photo, photoServers)
    .replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${listen};`)
    .replace(/^(\s*)listen 81;$/m, `$1listen 127.0.0.1:${idphoto.listen};`);
}

describe.runIf(requireNginx)('nginx in front of 3 service processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qrw-nginx-'));
  let nginx: ChildProcess | undefined;
  let base = '';
  let idphotoBase = '';
  const replicas: ServiceProcess[] = [];
  let idphoto: ServiceProcess | undefined;

  beforeAll(async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    // As in compose.yaml: the QR tool in the replicas, the ID-photo tool in a service of its own.
    for (const port of ports) replicas.push(new ServiceProcess({ PORT: String(port), TRUST_PROXY: 'true', TOOLS: 'qr' }));
    const idphotoPort = await freePort();
    idphoto = new ServiceProcess({ PORT: String(idphotoPort), TRUST_PROXY: 'true', TOOLS: 'idphoto', IDPHOTO_THREADS: '1' });
    await Promise.all([...replicas.map((r) => r.start()), idphoto.start()]);
    const listen = await freePort();
    const idphotoListen = await freePort();
    // nginx's workers drop root to "nobody": its temp folders must be theirs to write.
    for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) chmodSync((mkdirSync(join(dir, sub), { recursive: true }), join(dir, sub)), 0o777);
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'qr-workshop.conf'), siteFor(ports, listen, { port: idphotoPort, listen: idphotoListen }));
    writeFileSync(
      join(dir, 'nginx.conf'),
      `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  include ${dir}/qr-workshop.conf;
}
`,
    );
    const check = spawnSync(NGINX, ['-t', '-p', dir, '-c', join(dir, 'nginx.conf')], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
    nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
    base = `http://127.0.0.1:${listen}`;
    idphotoBase = `http://127.0.0.1:${idphotoListen}`;
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${base}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await Promise.all([...replicas.map((r) => r.stop('SIGKILL')), idphoto?.stop('SIGKILL')]);
  });

  it('routes ID photos and the original ID-photo API to the ID-photo service, the rest to the QR replicas', async () => {
    // The QR replicas do not serve ID photos (404): a 415 for a text upload is the ID-photo service's answer.
    const photo = await fetch(`${base}/api/v1/idphoto`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: 'not a portrait' });
    expect(photo.status).toBe(415);
    expect(((await photo.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_IMAGE');
    const qr = await fetch(`${base}/api/v1/generate?text=routed`);
    expect([qr.status, qr.headers.get('content-type')]).toEqual([200, 'image/png']);
    // Port 81: the ID-photo service alone, where POST /api/v1/generate is the original's job route; its result is on the site too.
    const job = await fetch(`${idphotoBase}/api/v1/generate`, { method: 'POST', body: multipart('file', new TextEncoder().encode('not a portrait'), 'me.jpg', 'image/jpeg') });
    expect(job.status).toBe(200);
    const { result_url: resultUrl } = (await job.json()) as { result_url: string };
    const result = await fetch(`${base}${resultUrl}`);
    expect(result.status).toBe(415);
    expect((await fetch(`${base}/result/${crypto.randomUUID()}.jpg`)).status).toBe(404);
    const served = await (await fetch(`${idphoto!.base}/metrics`)).text();
    expect(served).toMatch(/^http_requests_total\{method="POST",route="\/api\/v1\/idphoto",status="415"\} 1$/m);
  });

  async function generateCount(replica: ServiceProcess): Promise<number> {
    const text = await (await fetch(`${replica.base}/metrics`)).text();
    return [...text.matchAll(/^http_requests_total\{method="(?:GET|POST)",route="\/api\/v1\/(?:generate|decode)",status="200"\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  }

  it('loses no request when one replica is SIGKILLed and another SIGTERMed mid-run; restarted replicas get traffic again', async () => {
    const outcomes = { sent: 0, ok: 0, failed: [] as string[] };
    let running = true;
    const client = async (id: number): Promise<void> => {
      for (let i = 0; running; i++) {
        outcomes.sent++;
        const request =
          i % 2 === 0
            ? fetch(`${base}/api/v1/generate?text=${encodeURIComponent(`failover ${id} ${i}`)}&size=600`)
            : fetch(`${base}/api/v1/decode`, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: PHOTO });
        try {
          const res = await request;
          await res.arrayBuffer();
          if (res.status === 200) outcomes.ok++;
          else outcomes.failed.push(`HTTP ${res.status}`);
        } catch (err) {
          outcomes.failed.push(String(err));
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, id) => client(id));
    await new Promise((r) => setTimeout(r, 1500));
    await replicas[0]!.stop('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    const terminated = replicas[1]!.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 2000));
    running = false;
    await Promise.all(clients);
    expect(await terminated).toBe(0);
    console.log(`nginx failover: ${outcomes.sent} requests sent, ${outcomes.ok} answered 200, ${outcomes.failed.length} failed (one replica SIGKILLed, one SIGTERMed mid-run)`);
    expect(outcomes.failed).toEqual([]);
    expect(outcomes.ok).toBe(outcomes.sent);

    // Bring both back on their ports; once nginx's fail_timeout (5 s) has passed they are used again.
    await Promise.all([replicas[0]!.start(), replicas[1]!.start()]);
    await new Promise((r) => setTimeout(r, 5500));
    // The first requests are nginx's probes of the returning replicas; the rounds after spread by least_conn.
    for (let round = 0; round < 3; round++) {
      const after = Array.from({ length: 40 }, (_, i) => fetch(`${base}/api/v1/generate?text=after-${round}-${i}&size=800`).then((r) => r.status));
      expect(new Set(await Promise.all(after))).toEqual(new Set([200]));
    }
    const served = await Promise.all(replicas.map(generateCount));
    console.log(`after restart, of 120 requests the replicas served: ${served.join(', ')} (restarted, restarted, survivor)`);
    expect(served[0]).toBeGreaterThan(5);
    expect(served[1]).toBeGreaterThan(5);
  });
});
