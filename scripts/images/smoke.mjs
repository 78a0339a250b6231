// The HTTP half of an image's smoke test (scripts/images/build-and-test.sh starts the image's own
// command and stops it): the service answers, does its real work, and stays within a memory limit under
// a short load. Plain Node (20 or later), no dependencies, so it runs on the host beside the image.
// Usage: node smoke.mjs --url http://127.0.0.1:PORT --pid PID [--qr] [--no-qr] [--idphoto DIR]
//        [--load qr|idphoto] [--seconds N] [--rss-limit-mb N]
/* global fetch, FormData, Blob -- Node's own; eslint.config.js names only process and console for .mjs scripts */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    pid: { type: 'string' },
    qr: { type: 'boolean', default: false },
    'no-qr': { type: 'boolean', default: false },
    idphoto: { type: 'string' },
    load: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    'rss-limit-mb': { type: 'string' },
  },
});
const base = opts.url;

function check(ok, message) {
  if (!ok) throw new Error(message);
  console.log(`  ok  ${message}`);
}

/** Peak and current resident memory of the process, from the kernel (VmHWM is the peak since it started). */
function rss() {
  const status = readFileSync(`/proc/${opts.pid}/status`, 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)[1]);
  return { peak: kb('VmHWM') / 1024, now: kb('VmRSS') / 1024 };
}

async function generate(text) {
  const response = await fetch(`${base}/api/v1/generate?text=${encodeURIComponent(text)}`);
  if (!response.ok) throw new Error(`generate: HTTP ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function decode(png) {
  const form = new FormData();
  form.append('image', new Blob([png], { type: 'image/png' }), 'code.png');
  const response = await fetch(`${base}/api/v1/decode`, { method: 'POST', body: form });
  if (!response.ok) throw new Error(`decode: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()).texts;
}

const SPECS = ['cn-1inch', 'us-passport', 'uk-passport'];
async function idPhoto(file, spec) {
  const form = new FormData();
  form.append('image', new Blob([readFileSync(file)], { type: 'image/jpeg' }), 'portrait.jpg');
  form.append('spec', spec);
  const response = await fetch(`${base}/api/v1/idphoto`, { method: 'POST', body: form });
  if (!response.ok) throw new Error(`idphoto: HTTP ${response.status} ${await response.text()}`);
  return { type: response.headers.get('content-type'), bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** Runs `task(i)` from `workers` loops for `seconds`; every request must succeed. */
async function load(workers, seconds, task) {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = w; Date.now() < until; i += workers) {
        await task(i);
        done++;
      }
    }),
  );
  return done;
}

const health = await fetch(`${base}/health`);
const body = await health.json();
check(health.status === 200 && body.status === 'healthy', `GET /health: ${health.status} ${JSON.stringify(body)}`);
console.log(`  ..  RSS after start: ${rss().now.toFixed(0)} MB`);

if (opts.qr) {
  const text = `smoke ${new Date().toISOString()}`;
  const png = await generate(text);
  const texts = await decode(png);
  check(JSON.stringify(texts) === JSON.stringify([text]), `generate -> decode round trip: ${png.length} B PNG read back as ${JSON.stringify(texts)}`);
}
if (opts['no-qr']) {
  const response = await fetch(`${base}/api/v1/generate?text=x`);
  check(response.status === 404, `the QR tool is off: GET /api/v1/generate -> ${response.status}`);
}

const portraits = opts.idphoto
  ? readdirSync(opts.idphoto)
      .filter((f) => f.endsWith('.jpg'))
      .sort()
      .map((f) => join(opts.idphoto, f))
  : [];
if (opts.idphoto) {
  if (portraits.length === 0) throw new Error(`no portraits (*.jpg) in ${opts.idphoto}`);
  const started = Date.now();
  const photo = await idPhoto(portraits[0], 'us-passport');
  const jpeg = photo.bytes[0] === 0xff && photo.bytes[1] === 0xd8;
  check(photo.type === 'image/jpeg' && jpeg, `POST /api/v1/idphoto (${portraits[0].split('/').pop()}, us-passport): ${photo.type}, ${photo.bytes.length} B JPEG in ${Date.now() - started} ms`);
}

if (opts.load) {
  const seconds = Number(opts.seconds);
  const started = Date.now();
  let done;
  if (opts.load === 'qr') {
    const png = await generate('load');
    // Unique texts: every generate misses the cache; every decode is a full decode.
    done = await load(8, seconds, async (i) => {
      if (i % 2 === 0) await generate(`load ${i} ${started}`);
      else if ((await decode(png))[0] !== 'load') throw new Error('decode under load: wrong text');
    });
  } else {
    // Portrait x spec pairs, so that the result cache does not answer them.
    done = await load(2, seconds, (i) => idPhoto(portraits[i % portraits.length], SPECS[Math.floor(i / portraits.length) % SPECS.length]));
  }
  const elapsed = (Date.now() - started) / 1000;
  console.log(`  ..  load (${opts.load}): ${done} requests in ${elapsed.toFixed(1)} s (${(done / elapsed).toFixed(1)}/s), none failed`);
}

const memory = rss();
const limit = opts['rss-limit-mb'] ? Number(opts['rss-limit-mb']) : undefined;
const line = `peak RSS ${memory.peak.toFixed(0)} MB (now ${memory.now.toFixed(0)} MB)`;
if (limit === undefined) console.log(`  ..  ${line}`);
else check(memory.peak < limit, `${line} < ${limit} MB`);
