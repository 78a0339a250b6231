import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { humanLines } from '../../../src/cli/batch/output.js';
import { ProgressDisplay } from '../../../src/cli/progress.js';

/** A stream that keeps what is written, posing as a terminal or not. */
function fakeStream(tty: boolean): NodeJS.WriteStream & { text: string } {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      stream.text += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: string };
  stream.text = '';
  Object.assign(stream, { isTTY: tty, columns: 60 });
  return stream;
}

async function human(input: (string | Buffer)[]): Promise<{ out: string; notes: string[] }> {
  const notes: string[] = [];
  const transform = humanLines((line) => notes.push(line));
  const sink = new PassThrough();
  let out = '';
  sink.on('data', (c: Buffer) => (out += c.toString()));
  transform.pipe(sink);
  for (const piece of input) transform.write(piece);
  transform.end();
  await new Promise((resolve) => sink.on('end', resolve));
  return { out, notes };
}

describe('humanLines: NDJSON decode lines as `file: text`', () => {
  it('one line per text, split anywhere (even inside a UTF-8 character); no code and errors go to the notes', async () => {
    const lines = [
      { file: 'a.png', texts: ['hello', '你好'], codes: [], sequences: [] },
      { file: 'b.png', texts: [], codes: [], sequences: [] },
      { file: 'c.png', error: { code: 'UNSUPPORTED_IMAGE', message: 'not an image' } },
      { file: 'd.png', texts: ['part'], codes: [], sequences: [{ text: 'whole' }] },
    ];
    const bytes = Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const cut = bytes.indexOf(Buffer.from('你')) + 1;
    const { out, notes } = await human([bytes.subarray(0, cut), bytes.subarray(cut)]);
    expect(out).toBe('a.png: hello\na.png: 你好\nd.png: part\nd.png: whole\n');
    expect(notes).toEqual(['b.png: no code found', 'c.png: error: not an image']);
  });

  it('a batch-level error line (no file) becomes a note; a last line without a newline is read', async () => {
    const { out, notes } = await human([`{"file":"x.png","texts":["t"],"codes":[],"sequences":[]}\n{"error":{"code":"INVALID_ARCHIVE","message":"damaged"}}`]);
    expect(out).toBe('x.png: t\n');
    expect(notes).toEqual(['error: damaged']);
  });
});

describe('ProgressDisplay', () => {
  it('not a terminal: one plain `[done/total] label` line per update', () => {
    const stream = fakeStream(false);
    const progress = new ProgressDisplay(stream);
    progress.show(1, 4, '0 failed');
    progress.note('b.png: error: bad');
    progress.show(4, 4, '1 failed');
    progress.finish();
    expect(stream.text).toBe('[1/4] 0 failed\nb.png: error: bad\n[4/4] 1 failed\n');
  });

  it('a terminal: the bar is redrawn in place, a note is written above it, finish moves below it', () => {
    const stream = fakeStream(true);
    const progress = new ProgressDisplay(stream);
    progress.show(1, 4, '0 failed');
    progress.note('b.png: error: bad');
    progress.show(4, 4, '1 failed');
    progress.finish();
    expect(stream.text).toBe('\r\x1b[2K[######------------------] 1/4 0 failed' + '\r\x1b[2Kb.png: error: bad\n' + '\r\x1b[2K[########################] 4/4 1 failed' + '\n');
  });
});
