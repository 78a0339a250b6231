/** Deterministic texts of every length class and mode mix, so every version range and mask gets exercised. */
export function texts(n: number): string[] {
  const alphabet = 'abcXYZ0123456789 -./:#é你好🎉';
  const out: string[] = [];
  let x = 987654321;
  for (let i = 0; i < n; i++) {
    const length = 1 + (i % 7 === 0 ? (i * 37) % 1200 : (i * 13) % 160);
    let s = '';
    for (let k = 0; k < length; k++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      s += [...alphabet][x % [...alphabet].length];
    }
    out.push(s);
  }
  return out;
}
