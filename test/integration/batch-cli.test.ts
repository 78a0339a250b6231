/**
 * `qrw batch` as a user runs it (the built CLI in its own process): generate a ZIP from a CSV and read
 * images from a folder or a ZIP, on this machine's worker pool and through a real server's job API.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceProcess } from '../helpers/process.js';
import { qrw } from '../helpers/cli.js';
import { sharedPath } from '../helpers/shared.js';
import { makeZip } from '../helpers/zips.js';
import { hasZbar, requireZbar, zbarDecode } from '../helpers/zbar.js';

/** Every entry of a ZIP file, by name. */
async function unzip(file: string): Promise<Map<string, Buffer>> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });
  const entries = new Map<string, Buffer>();
  for await (const entry of zip.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return entries;
}

const ROWS = 50;

/** 50 rows: every third with its own error correction, odd ones named. */
function writeRows(file: string): void {
  const lines = ['text,filename,ec'];
  for (let i = 1; i <= ROWS; i++) lines.push(`https://example.com/item/${i},${i % 2 ? `item-${i}` : ''},${i % 3 === 0 ? 'H' : ''}`);
  writeFileSync(file, lines.join('\n') + '\n');
}

/** Four corpus photos (../shared/corpus) and the text each holds. */
const PHOTOS = ['1', '13', '17', '8'].map((n) => ({
  name: `${n}.webp`,
  path: sharedPath(`corpus/zxing-cpp/qrcode-1/${n}.webp`),
  text: readFileSync(sharedPath(`corpus/zxing-cpp/qrcode-1/${n}.txt`), 'utf8').replace(/\n$/, ''),
}));

interface Line {
  file: string;
  texts?: string[];
  error?: { code: string; message: string };
}

const ndjson = (text: string): Line[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

/** The ZIP holds one PNG per row and a manifest with no error; the named rows keep their names; a few read back with zbarimg. */
async function expectCodes(file: string): Promise<void> {
  const entries = await unzip(file);
  const pngs = [...entries.keys()].filter((n) => n.endsWith('.png'));
  expect(pngs).toHaveLength(ROWS);
  expect(pngs).toContain('item-1.png');
  const manifest = entries.get('manifest.csv')!.toString().trim().split('\n');
  expect(manifest[0]).toBe('row,file,version,error');
  expect(manifest).toHaveLength(ROWS + 1);
  expect(manifest.filter((l) => !l.endsWith(','))).toEqual(['row,file,version,error']);
  if (!hasZbar) {
    expect(requireZbar).toBe(false);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'qrw-batch-read-'));
  for (const row of [1, 2, 3, 50]) {
    const name = manifest[row]!.split(',')[1]!;
    writeFileSync(join(dir, name), entries.get(name)!);
    expect(zbarDecode(join(dir, name))).toEqual([`https://example.com/item/${row}`]);
  }
}

describe('qrw batch, on this machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qrw-batch-cli-'));
  const photos = join(dir, 'photos');

  beforeAll(() => {
    writeRows(join(dir, 'rows.csv'));
    mkdirSync(photos);
    for (const p of PHOTOS) copyFileSync(p.path, join(photos, p.name));
  });

  it('generate: a CSV of 50 rows -> a ZIP of 50 PNGs and the manifest; plain progress lines when stderr is not a terminal', async () => {
    const r = await qrw(dir, ['batch', 'generate', 'rows.csv', '-o', 'codes.zip', '--ec', 'M', '--size', '200']);
    expect(r.stderr).toMatch(/^\[50\/50\] 0 failed$/m);
    expect(r.stderr).toContain('50 rows done, none failed');
    expect(r.status).toBe(0);
    await expectCodes(join(dir, 'codes.zip'));
  });

  it('generate: a row that cannot be encoded -> its error in the manifest, the others written, exit 1 saying how many', async () => {
    writeFileSync(join(dir, 'some-bad.ndjson'), ['{"text":"fine"}', `{"text":"${'x'.repeat(4000)}"}`, '{"text":"also fine","ec":"Z"}', '{"text":"last"}'].join('\n'));
    const r = await qrw(dir, ['batch', 'generate', 'some-bad.ndjson', '-o', 'some-bad.zip']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('qrw: 2 of 4 rows failed; their errors are in manifest.csv in some-bad.zip');
    const entries = await unzip(join(dir, 'some-bad.zip'));
    expect([...entries.keys()].filter((n) => n.endsWith('.png'))).toHaveLength(2);
    const manifest = entries.get('manifest.csv')!.toString();
    expect(manifest).toMatch(/^2,,,QR_DATA_TOO_LONG: /m);
    expect(manifest).toMatch(/^3,,,"INVALID_OPTION: /m);
  });

  it('generate: bad input or usage -> exit 2 with the reason, no output file', async () => {
    writeFileSync(join(dir, 'no-text.csv'), 'name,ec\nx,M\n');
    const noText = await qrw(dir, ['batch', 'generate', 'no-text.csv', '-o', 'no-text.zip']);
    expect(noText.status).toBe(2);
    expect(noText.stderr).toContain('The CSV header has no "text" column.');
    expect(existsSync(join(dir, 'no-text.zip'))).toBe(false);
    const missing = await qrw(dir, ['batch', 'generate', 'nothing.csv', '-o', 'x.zip']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('qrw: nothing.csv: no such file or folder');
    writeFileSync(join(dir, 'rows.txt'), 'text\nhello\n');
    const unknown = await qrw(dir, ['batch', 'generate', 'rows.txt', '-o', 'x.zip']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('--rows-format');
    const given = await qrw(dir, ['batch', 'generate', 'rows.txt', '--rows-format', 'csv', '-o', 'txt.zip']);
    expect(given.status).toBe(0);
    const badOption = await qrw(dir, ['batch', 'generate', 'rows.csv', '-o', 'x.zip', '--margin', '999']);
    expect(badOption.status).toBe(2);
    expect(badOption.stderr).toMatch(/margin/);
    expect(existsSync(join(dir, 'x.zip'))).toBe(false);
  });

  it('decode: a folder of corpus photos -> one NDJSON line per image, in name order, with the texts they hold', async () => {
    writeFileSync(join(photos, 'notes.txt'), 'not an image, not picked');
    const r = await qrw(dir, ['batch', 'decode', 'photos', '--json']);
    expect(r.status).toBe(0);
    const lines = ndjson(r.stdout);
    const expected = [...PHOTOS].sort((a, b) => a.name.localeCompare(b.name));
    expect(lines.map((l) => l.file)).toEqual(expected.map((p) => p.name));
    for (const [i, p] of expected.entries()) expect(lines[i]!.texts).toEqual([p.text]);
    expect(r.stderr).toContain('4 images done, none failed');
  });

  it('decode: human-readable lines by default, a damaged image reported and counted (exit 1); --csv; a ZIP of the photos', async () => {
    const mixed = join(dir, 'mixed');
    mkdirSync(mixed);
    copyFileSync(PHOTOS[1]!.path, join(mixed, 'a.webp'));
    writeFileSync(join(mixed, 'b.png'), 'not really a PNG');
    const text = await qrw(dir, ['batch', 'decode', 'mixed']);
    expect(text.status).toBe(1);
    expect(text.stdout).toBe(`a.webp: ${PHOTOS[1]!.text}\n`);
    expect(text.stderr).toMatch(/^b\.png: error: The data is not an image/m);
    expect(text.stderr).toContain('qrw: 1 of 2 images failed');

    const csv = await qrw(dir, ['batch', 'decode', 'mixed', '--csv', '-o', 'mixed.csv']);
    expect(csv.status).toBe(1);
    const rows = readFileSync(join(dir, 'mixed.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('file,texts,formats,error');
    expect(rows[1]).toBe(`a.webp,${PHOTOS[1]!.text},QRCode,`);
    expect(rows[2]).toMatch(/^b\.png,,,"?UNSUPPORTED_IMAGE: /);

    writeFileSync(join(dir, 'photos.zip'), await makeZip(PHOTOS.map((p) => ({ name: `in/${p.name}`, bytes: readFileSync(p.path) }))));
    const zip = await qrw(dir, ['batch', 'decode', 'photos.zip', '--json']);
    expect(zip.status).toBe(0);
    expect(ndjson(zip.stdout).map((l) => [l.file, l.texts])).toEqual(PHOTOS.map((p) => [`in/${p.name}`, [p.text]]));
  });

  it('decode: sub-folders only with --recursive, named by their relative paths', async () => {
    const nested = join(dir, 'nested');
    mkdirSync(join(nested, 'sub'), { recursive: true });
    copyFileSync(PHOTOS[0]!.path, join(nested, 'top.webp'));
    copyFileSync(PHOTOS[1]!.path, join(nested, 'sub', 'deep.webp'));
    const flat = await qrw(dir, ['batch', 'decode', 'nested']);
    expect(flat.stdout).toBe(`top.webp: ${PHOTOS[0]!.text}\n`);
    const deep = await qrw(dir, ['batch', 'decode', 'nested', '--recursive']);
    expect(deep.status).toBe(0);
    expect(deep.stdout).toBe(`sub/deep.webp: ${PHOTOS[1]!.text}\ntop.webp: ${PHOTOS[0]!.text}\n`);
  });

  it('decode: neither a folder nor a ZIP -> exit 2', async () => {
    const r = await qrw(dir, ['batch', 'decode', 'rows.csv']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('qrw: rows.csv: neither a folder of images nor a ZIP archive');
    const both = await qrw(dir, ['batch', 'decode', 'photos', '--json', '--csv']);
    expect(both.status).toBe(2);
  });
});

describe('qrw batch --server: the same work through a server’s job API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qrw-batch-remote-'));
  const jobsDir = join(dir, 'jobs');
  const service = new ServiceProcess({ PORT: '0', JOBS_DIR: jobsDir, TOOLS: 'qr' });
  let base = '';

  beforeAll(async () => {
    mkdirSync(jobsDir);
    base = await service.start();
    writeRows(join(dir, 'rows.csv'));
    mkdirSync(join(dir, 'photos'));
    for (const p of PHOTOS) copyFileSync(p.path, join(dir, 'photos', p.name));
  });
  afterAll(async () => {
    await service.stop();
  });

  it('generate: the ZIP comes back as it would locally; the job is deleted from the server once downloaded', async () => {
    const r = await qrw(dir, ['batch', 'generate', 'rows.csv', '-o', 'codes.zip', '--server', base, '--ec', 'M']);
    expect(r.stderr).toMatch(/^\[50\/50\] 0 failed$/m);
    expect(r.status).toBe(0);
    await expectCodes(join(dir, 'codes.zip'));
    expect(readdirSync(jobsDir)).toEqual([]);
  });

  it('decode: a folder sent as multipart files -> the lines with the expected texts', async () => {
    const r = await qrw(dir, ['batch', 'decode', 'photos', '--json', '--server', base]);
    expect(r.status).toBe(0);
    const lines = ndjson(r.stdout);
    expect(lines.map((l) => [l.file, l.texts])).toEqual(PHOTOS.map((p) => [p.name, [p.text]]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  });

  it('the server’s refusal is exit 2 with its message; an unreachable server is exit 1', async () => {
    writeFileSync(join(dir, 'no-text.csv'), 'name\nx\n');
    const refused = await qrw(dir, ['batch', 'generate', 'no-text.csv', '-o', 'x.zip', '--server', base]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('INVALID_ROWS');
    expect(existsSync(join(dir, 'x.zip'))).toBe(false);
    const away = await qrw(dir, ['batch', 'decode', 'photos', '--server', 'http://127.0.0.1:9']);
    expect(away.status).toBe(1);
    expect(away.stderr).toContain('qrw: cannot reach http://127.0.0.1:9');
  });

  it('Ctrl-C while the job runs: the job is deleted on the server, no partial file, exit 130', async () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => JSON.stringify({ text: `https://example.com/p/${i}` }));
    writeFileSync(join(dir, 'big.ndjson'), lines.join('\n'));
    let sent = false;
    const r = await qrw(dir, ['batch', 'generate', 'big.ndjson', '-o', 'big.zip', '--server', base], (stderr, child) => {
      // Interrupted once the job has been accepted and reports its progress.
      if (!sent && /^\[\d+\/200000\]/m.test(stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(r.status).toBe(130);
    expect(r.stderr).toContain('qrw: interrupted; nothing was kept');
    expect(existsSync(join(dir, 'big.zip'))).toBe(false);
    expect(readdirSync(jobsDir)).toEqual([]);
  });
});
