import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import yauzl from 'yauzl';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { openZip, entryLabel, type BatchItem, type ZipLimits } from '../../../src/batch/zip-reader.js';
import { CORPUS_PHOTO, centralRecord, endRecord, localRecord, makeZip, renameEntry } from '../../helpers/zips.js';

const MiB = 1024 * 1024;
const limits: ZipLimits = { maxEntryBytes: 10 * MiB, maxTotalBytes: 40 * MiB, maxRatio: 200 };
const dir = mkdtempSync(join(tmpdir(), 'zip-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function readAll(source: string | Uint8Array, l: ZipLimits = limits): Promise<BatchItem[]> {
  const archive = await openZip(source, l);
  try {
    const items: BatchItem[] = [];
    for await (const item of archive.items()) items.push(item);
    return items;
  } finally {
    archive.close();
  }
}

const errorOf = (item: BatchItem | undefined) => (item && 'error' in item ? item.error : undefined);
const bytesOf = (item: BatchItem | undefined) => (item && 'bytes' in item ? Buffer.from(item.bytes) : undefined);

describe('openZip: reading', () => {
  it('yields the images in archive order, duplicates kept, directories, __MACOSX and dotfiles skipped, from a buffer and from a path alike', async () => {
    const other = randomBytes(5000);
    const zip = await makeZip([
      { name: 'a.webp', bytes: CORPUS_PHOTO.bytes },
      { name: '__MACOSX/._a.webp', bytes: Buffer.from('resource fork') },
      { name: '.DS_Store', bytes: Buffer.from('finder') },
      { name: 'sub/.hidden/x.png', bytes: Buffer.from('hidden') },
      { name: 'sub/b.bin', bytes: other, compress: false },
      { name: 'a.webp', bytes: other },
    ]);
    const path = join(dir, 'plain.zip');
    writeFileSync(path, zip);
    for (const source of [zip, path]) {
      const archive = await openZip(source, limits);
      expect(archive.entryCount).toBe(6);
      expect(await archive.scan()).toBe(3);
      archive.close();
      const items = await readAll(source);
      expect(items.map((i) => i.name)).toEqual(['a.webp', 'sub/b.bin', 'a.webp']);
      expect(bytesOf(items[0])).toEqual(CORPUS_PHOTO.bytes);
      expect(bytesOf(items[1])).toEqual(other);
      expect(bytesOf(items[2])).toEqual(other);
    }
  });

  it('skips directory entries', async () => {
    const yazl = (await import('yazl')).default;
    const z = new yazl.ZipFile();
    z.addEmptyDirectory('photos/');
    z.addBuffer(CORPUS_PHOTO.bytes, 'photos/a.webp');
    z.end();
    const chunks: Buffer[] = [];
    for await (const c of z.outputStream as AsyncIterable<Buffer>) chunks.push(c);
    const items = await readAll(Buffer.concat(chunks));
    expect(items.map((i) => i.name)).toEqual(['photos/a.webp']);
  });

  it('inflates an entry only when the consumer asks for it', async () => {
    const zip = await makeZip([1, 2, 3].map((n) => ({ name: `${n}.bin`, bytes: randomBytes(2000) })));
    const opened = vi.spyOn(yauzl.ZipFile.prototype, 'openReadStream');
    const archive = await openZip(zip, limits);
    const iterator = archive.items()[Symbol.asyncIterator]();
    expect(opened).toHaveBeenCalledTimes(0);
    await iterator.next();
    expect(opened).toHaveBeenCalledTimes(1);
    await iterator.next();
    expect(opened).toHaveBeenCalledTimes(2);
    await iterator.return?.();
    archive.close();
  });
});

describe('openZip: hostile archives', () => {
  it('refuses an entry declaring more than one image may be, without inflating it; the next entry is still read', async () => {
    const zip = await makeZip([
      { name: 'bomb.png', bytes: Buffer.alloc(50 * MiB) },
      { name: 'ok.webp', bytes: CORPUS_PHOTO.bytes },
    ]);
    expect(zip.length).toBeLessThan(MiB);
    const opened = vi.spyOn(yauzl.ZipFile.prototype, 'openReadStream');
    const items = await readAll(zip);
    expect(errorOf(items[0])).toMatchObject({ code: 'ENTRY_TOO_LARGE', details: { limit: limits.maxEntryBytes } });
    expect(bytesOf(items[1])).toEqual(CORPUS_PHOTO.bytes);
    expect(opened).toHaveBeenCalledTimes(1);
  });

  it('refuses an absurd compression ratio within the per-image limit', async () => {
    const zip = await makeZip([{ name: 'flat.bmp', bytes: Buffer.alloc(8 * MiB) }]);
    const items = await readAll(zip);
    expect(errorOf(items[0])).toMatchObject({ code: 'ENTRY_TOO_LARGE' });
    expect(errorOf(items[0])?.message).toMatch(/ratio/);
  });

  it('stops inflating once the archive has spent its total budget', async () => {
    const zip = await makeZip([1, 2, 3, 4].map((n) => ({ name: `${n}.bin`, bytes: randomBytes(400_000) })));
    const items = await readAll(zip, { ...limits, maxTotalBytes: 1_000_000 });
    expect(items.map((i) => errorOf(i)?.code)).toEqual([undefined, undefined, 'ENTRY_TOO_LARGE', 'ENTRY_TOO_LARGE']);
  });

  it('an entry that inflates to more than it declares is an error and never more than the declared bytes are kept', async () => {
    const zip = await makeZip([
      { name: 'liar.bin', bytes: Buffer.alloc(200_000, 7) },
      { name: 'ok.bin', bytes: Buffer.from('fine') },
    ]);
    zip.writeUInt32LE(1000, centralRecord(zip, 0).uncompressedSize);
    const items = await readAll(zip, { ...limits, maxRatio: 1e9 });
    expect(errorOf(items[0])).toMatchObject({ code: 'INVALID_ARCHIVE' });
    expect(bytesOf(items[1])?.toString()).toBe('fine');
  });

  it('an entry that inflates to less than it declares is an error', async () => {
    const zip = await makeZip([{ name: 'short.bin', bytes: randomBytes(1000) }]);
    zip.writeUInt32LE(5000, centralRecord(zip, 0).uncompressedSize);
    expect(errorOf((await readAll(zip))[0])).toMatchObject({ code: 'INVALID_ARCHIVE' });
  });

  it('a stored entry whose two sizes disagree makes the whole archive INVALID_ARCHIVE before anything is read', async () => {
    const zip = await makeZip([{ name: 'stored.bin', bytes: randomBytes(1000), compress: false }]);
    zip.writeUInt32LE(900, centralRecord(zip, 0).uncompressedSize);
    const archive = await openZip(zip, limits);
    await expect(archive.scan()).rejects.toMatchObject({ code: 'INVALID_ARCHIVE' });
  });

  it('reports damaged bytes (checksum) as the entry error', async () => {
    const bytes = randomBytes(3000);
    const zip = await makeZip([{ name: 'damaged.bin', bytes, compress: false }]);
    const at = localRecord(zip, 0).dataStart + 100;
    zip[at] = zip[at]! ^ 0xff;
    expect(errorOf((await readAll(zip))[0])).toMatchObject({ code: 'INVALID_ARCHIVE', message: expect.stringMatching(/checksum/) });
  });

  it('reports traversal, absolute and drive names sanitised, as labels only', async () => {
    const names = ['aa/aa/aa/passwd.png', 'aabs/x.png', 'aa\\win\\y.png'];
    let zip = await makeZip(names.map((name) => ({ name: name.replace(/\\/g, '_'), bytes: Buffer.from(name) })));
    zip = renameEntry(zip, 'aa/aa/aa/passwd.png', '../../../passwd.png');
    zip = renameEntry(zip, 'aabs/x.png', '/abs/x.png');
    zip = renameEntry(zip, 'aa_win_y.png', 'C:\\win\\y.png');
    const items = await readAll(zip);
    expect(items.map((i) => i.name)).toEqual(['passwd.png', 'abs/x.png', 'win/y.png']);
    expect(items.every((i) => 'bytes' in i)).toBe(true);
  });

  it('sanitises control characters and bounds the length of a label', () => {
    expect(entryLabel('a\u0000b\nc.png')).toBe('a_b_c.png');
    expect(entryLabel('./../')).toBe('unnamed');
    expect(entryLabel(`${'x'.repeat(1000)}.png`)).toHaveLength(255);
  });

  it('refuses an encrypted entry with its own error line', async () => {
    const zip = await makeZip([
      { name: 'secret.png', bytes: randomBytes(100) },
      { name: 'open.png', bytes: Buffer.from('open') },
    ]);
    for (const at of [centralRecord(zip, 0).flags, localRecord(zip, 0).flags]) zip.writeUInt16LE(zip.readUInt16LE(at) | 1, at);
    const items = await readAll(zip);
    expect(errorOf(items[0])).toMatchObject({ code: 'INVALID_ARCHIVE', message: expect.stringMatching(/encrypted/) });
    expect(bytesOf(items[1])?.toString()).toBe('open');
  });

  it('does not open nested archives, by name or by signature', async () => {
    const inner = await makeZip([{ name: 'a.webp', bytes: CORPUS_PHOTO.bytes }]);
    const zip = await makeZip([
      { name: 'inner.zip', bytes: inner },
      { name: 'photos.tar.gz', bytes: gzipSync(Buffer.from('tar')) },
      { name: 'disguised.png', bytes: inner },
      { name: 'a.webp', bytes: CORPUS_PHOTO.bytes },
    ]);
    const items = await readAll(zip);
    expect(items.map((i) => errorOf(i)?.code)).toEqual(['UNSUPPORTED_IMAGE', 'UNSUPPORTED_IMAGE', 'UNSUPPORTED_IMAGE', undefined]);
  });

  it('knows the declared entry count from the end record before walking anything, and a count the directory does not hold is INVALID_ARCHIVE', async () => {
    const zip = await makeZip([{ name: 'a.bin', bytes: Buffer.from('a') }]);
    const end = endRecord(zip);
    zip.writeUInt16LE(65535, end.entriesOnDisk);
    zip.writeUInt16LE(65535, end.entries);
    const archive = await openZip(zip, limits);
    expect(archive.entryCount).toBe(65535);
    await expect(archive.scan()).rejects.toMatchObject({ code: 'INVALID_ARCHIVE' });
    archive.close();
  });

  it('refuses what is not a ZIP, or a truncated one, as INVALID_ARCHIVE', async () => {
    const zip = await makeZip([{ name: 'a.webp', bytes: CORPUS_PHOTO.bytes }]);
    for (const bytes of [randomBytes(4000), Buffer.alloc(0), zip.subarray(0, zip.length - 30), zip.subarray(0, 200), CORPUS_PHOTO.bytes]) {
      await expect(openZip(bytes, limits)).rejects.toMatchObject({ code: 'INVALID_ARCHIVE' });
    }
    await expect(openZip(join(dir, 'missing.zip'), limits)).rejects.toMatchObject({ code: 'INVALID_ARCHIVE' });
  });

  it('a damaged central directory is INVALID_ARCHIVE from scan()', async () => {
    const zip = await makeZip([
      { name: 'a.bin', bytes: Buffer.from('a') },
      { name: 'b.bin', bytes: Buffer.from('b') },
    ]);
    const second = centralRecord(zip, 1).flags - 8;
    zip.writeUInt32LE(0xdeadbeef, second);
    const archive = await openZip(zip, limits);
    await expect(archive.scan()).rejects.toMatchObject({ code: 'INVALID_ARCHIVE' });
  });
});
