import { deflateRawSync, crc32 } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ZipWriter } from '../../../src/batch/zip-writer.js';
import { readZip, zipNames } from '../../helpers/read-zip.js';

/** Runs `fill` against a writer over an in-memory stream and returns the archive. */
async function archive(fill: (zip: ZipWriter) => void | Promise<void>, options?: ConstructorParameters<typeof ZipWriter>[1]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const zip = new ZipWriter(out, options);
  await fill(zip);
  await zip.finish();
  out.end();
  return Buffer.concat(chunks);
}

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('ZipWriter', () => {
  it('writes stored and deflated entries that yauzl reads back with their CRCs', async () => {
    const text = 'a line of text that repeats. '.repeat(200);
    const zip = await archive((z) => {
      z.add('one.png', bytes('\u0089PNG not really'));
      z.add('two.svg', bytes(text), true);
      z.add('名前.txt', bytes('unicode name'));
    });
    const entries = await readZip(zip);
    expect([...entries.keys()]).toEqual(['one.png', 'two.svg', '名前.txt']);
    expect(entries.get('two.svg')!.toString()).toBe(text);
    expect(entries.get('名前.txt')!.toString()).toBe('unicode name');
    expect(zip.length).toBeLessThan(text.length); // the svg was deflated
  });

  it('adds an entry deflated elsewhere, in pieces', async () => {
    const content = Buffer.from('row,file\n1,a.png\n'.repeat(100));
    const deflated = deflateRawSync(content);
    const zip = await archive((z) => z.addDeflated('manifest.csv', { chunks: [deflated.subarray(0, 10), deflated.subarray(10)], crc: crc32(content), size: content.length }));
    expect((await readZip(zip)).get('manifest.csv')).toEqual(content);
  });

  it('writes ZIP64 end records when asked, and readers still find every entry', async () => {
    const zip = await archive((z) => ['a', 'b'].forEach((n) => z.add(`${n}.txt`, bytes(n))), { forceZip64: true });
    expect(zip.indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBeGreaterThan(0); // the ZIP64 end record
    expect(Object.fromEntries([...(await readZip(zip))].map(([k, v]) => [k, v.toString()]))).toEqual({ 'a.txt': 'a', 'b.txt': 'b' });
  });

  it('writes a valid ZIP64 archive of more than 65,535 entries (the directory deflated in blocks)', async () => {
    const count = 70_000;
    const zip = await archive((z) => {
      for (let i = 0; i < count; i++) z.add(`${String(i).padStart(6, '0')}.txt`, bytes(String(i)));
    });
    const names = await zipNames(zip);
    expect(names).toHaveLength(count);
    expect(names[0]).toBe('000000.txt');
    expect(names[count - 1]).toBe('069999.txt');
    expect(zip.indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x07]))).toBeGreaterThan(0); // the ZIP64 locator
  }, 30_000);

  it('waits for drain when the output is full', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const zip = new ZipWriter(out);
    for (let i = 0; i < 20; i++) zip.add(`${i}.bin`, new Uint8Array(64 * 1024));
    let drained = false;
    const waiting = zip.drained().then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    expect(drained).toBe(false);
    out.resume();
    await waiting;
    expect(drained).toBe(true);
  });

  it('rejects the wait when the output closes first', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const zip = new ZipWriter(out);
    zip.add('big.bin', new Uint8Array(512 * 1024));
    const waiting = zip.drained();
    out.destroy();
    await expect(waiting).rejects.toThrow(/closed/);
  });
});
