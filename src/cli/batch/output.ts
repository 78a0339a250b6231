/**
 * Where a batch's result goes: a file (removed again if the batch does not finish) or stdout; and the
 * human-readable form of decode lines (`file: text`), made from the NDJSON the use case and the job API write.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { Transform, type Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { BatchLine } from '../../app/batch-decode.js';
import { CliExit, EXIT_USAGE } from '../exit.js';

export interface Output {
  readonly stream: Writable;
  /** Ends the stream and waits until every byte is written. */
  close(): Promise<void>;
  /** After a failure: a partial file is removed. */
  discard(): Promise<void>;
}

/** `-o FILE`, else stdout; bytes that are not text (a ZIP) are not written to a terminal. */
export function openOutput(path: string | undefined, binary: boolean): Output {
  if (path === undefined) {
    if (binary && process.stdout.isTTY) throw new CliExit(EXIT_USAGE, 'refusing to write a ZIP to a terminal; use -o FILE or redirect the output');
    return { stream: process.stdout, close: async () => undefined, discard: async () => undefined };
  }
  const stream = createWriteStream(path);
  return {
    stream,
    async close() {
      stream.end();
      await finished(stream);
    },
    async discard() {
      stream.destroy();
      await rm(path, { force: true });
    },
  };
}

/**
 * NDJSON decode lines in, `file: text` lines out (one per code); an image without a code or with an
 * error goes to `note` (stderr), as `qrw decode` does.
 */
export function humanLines(note: (line: string) => void): Transform {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const render = (json: string): string => {
    if (json.trim() === '') return '';
    const line = JSON.parse(json) as BatchLine | { error: { message: string } };
    if (!('file' in line)) {
      note(`error: ${line.error.message}`);
      return '';
    }
    if ('error' in line) {
      note(`${line.file}: error: ${line.error.message}`);
      return '';
    }
    const texts = [...line.texts, ...line.sequences.map((s) => s.text)];
    if (texts.length === 0) note(`${line.file}: no code found`);
    return texts.map((text) => `${line.file}: ${text}\n`).join('');
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop()!;
      done(null, lines.map(render).join(''));
    },
    flush(done) {
      done(null, render(rest + decoder.end()));
    },
  });
}
