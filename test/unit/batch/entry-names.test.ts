import { describe, expect, it } from 'vitest';
import { EntryNamer, MAX_NAME_CHARS, sanitiseName } from '../../../src/batch/entry-names.js';

describe('entry names', () => {
  it('keeps no folders, no "..", no control characters, and a bounded length', () => {
    const traversal = sanitiseName('../../etc/passwd', '.png');
    expect(traversal).not.toMatch(/[/\\]|\.\./);
    expect(traversal).toMatch(/etc_passwd$/);
    expect(sanitiseName('a\\b/c', '.png')).toBe('a_b_c');
    expect(sanitiseName('bell\u0007.png', '.png')).toBe('bell_');
    expect(sanitiseName('..', '.png')).toBe('');
    expect(sanitiseName('.hidden', '.png')).toBe('hidden');
    expect(sanitiseName('x'.repeat(500), '.png')).toHaveLength(MAX_NAME_CHARS);
  });

  it('names rows by filename or zero-padded number, unique whatever the filenames say', () => {
    const namer = new EntryNamer(12);
    expect(namer.name(1, undefined, '.png')).toBe('000001.png');
    expect(namer.name(2, 'code.PNG', '.png')).toBe('code.png');
    expect(namer.name(3, 'code', '.png')).toBe('code-2.png');
    expect(namer.name(4, '000001', '.png')).toBe('000001-2.png'); // row 1's number name is taken
    expect(namer.name(5, '000009', '.png')).toBe('000009.png');
    expect(namer.name(9, undefined, '.png')).toBe('000009-2.png'); // taken by row 5's filename
    expect(namer.name(10, '..', '.png')).toBe('000010.png'); // nothing usable left: the number
  });

  it('widens the numbers for batches of a million rows or more', () => {
    expect(new EntryNamer(1_000_000).name(7, undefined, '.svg')).toBe('0000007.svg');
  });
});
