/**
 * Where jobs keep their input and result: one directory per job under JOBS_DIR, shared by every
 * process that serves or runs jobs. A result is written to a part file of its own attempt and renamed
 * into place only when whole, so a reader never sees half a result and a retried attempt never
 * appends to a dead one's.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { QrwError } from '../errors.js';

/** Job ids are UUIDs made here; anything else is never turned into a path. */
const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isJobId(id: string): boolean {
  return JOB_ID.test(id);
}

/** Passes bytes through until `limit`, then fails with BODY_TOO_LARGE naming the setting. */
function byteLimit(limit: number, setting: string): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(new QrwError('BODY_TOO_LARGE', `A job's body may be at most ${limit} bytes (${setting}).`, { limit }));
      else done(null, chunk);
    },
  });
}

export class JobStorage {
  constructor(readonly root: string) {}

  dir(id: string): string {
    if (!isJobId(id)) throw new QrwError('JOB_NOT_FOUND', 'No such job.');
    return join(this.root, id);
  }

  inputPath(id: string, name = 'input'): string {
    return join(this.dir(id), name);
  }

  resultPath(id: string): string {
    return join(this.dir(id), 'result');
  }

  async create(id: string): Promise<void> {
    await mkdir(this.dir(id), { recursive: true });
  }

  /** Streams `source` into the job's `name`, at most `limit` bytes in all (`used` already taken); returns the bytes written. */
  async receive(id: string, source: Readable, name: string, limit: number, used = 0, setting = 'JOB_MAX_BYTES'): Promise<number> {
    const path = this.inputPath(id, name);
    const counter = byteLimit(limit - used, setting);
    let written = 0;
    counter.on('data', (chunk: Buffer) => (written += chunk.length));
    await pipeline(source, counter, createWriteStream(path, { flags: 'wx' }));
    return written;
  }

  /** A fresh part file for one attempt at the result, and the step that puts it in place once whole. */
  async openResult(id: string, attempt: string): Promise<{ out: Writable; publish(): Promise<void>; discard(): Promise<void> }> {
    const part = join(this.dir(id), `result.${attempt.replace(/[^\w-]/g, '')}.part`);
    const out = createWriteStream(part, { flags: 'w' });
    await new Promise<void>((resolve, reject) => out.once('open', () => resolve()).once('error', reject));
    return {
      out,
      publish: async () => {
        await new Promise<void>((resolve, reject) => (out.writableFinished ? resolve() : out.once('finish', resolve).once('error', reject)));
        await rename(part, this.resultPath(id));
        // Attempts that died (a killed worker) left their part files: the published result replaces them all.
        const left = (await readdir(this.dir(id))).filter((name) => name.startsWith('result.') && name.endsWith('.part'));
        await Promise.all(left.map((name) => rm(join(this.dir(id), name), { force: true })));
      },
      discard: async () => {
        out.destroy();
        await rm(part, { force: true });
      },
    };
  }

  /** The finished result as a stream with its size, or undefined when it is not there. */
  async readResult(id: string): Promise<{ stream: Readable; bytes: number } | undefined> {
    const path = this.resultPath(id);
    const info = await stat(path).catch(() => undefined);
    return info && { stream: createReadStream(path), bytes: info.size };
  }

  async remove(id: string): Promise<void> {
    if (isJobId(id)) await rm(join(this.root, id), { recursive: true, force: true });
  }

  /** Job directories with their last change, for the sweep of those no queue knows any more. */
  async list(): Promise<{ id: string; changedAt: number }[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const dirs = await Promise.all(
      names.filter(isJobId).map(async (id) => {
        const info = await stat(join(this.root, id)).catch(() => undefined);
        return info && { id, changedAt: info.mtimeMs };
      }),
    );
    return dirs.filter((d): d is { id: string; changedAt: number } => d !== undefined);
  }
}
