import type { QrMatrix } from '../encode/encode.js';

/**
 * Two module rows per line with half blocks. Light modules are drawn as blocks
 * so the code scans on the usual light-on-dark terminal.
 */
export function renderText(matrix: QrMatrix, margin: number): string {
  const span = matrix.size + 2 * margin;
  const isLight = (x: number, y: number): boolean => {
    const mx = x - margin;
    const my = y - margin;
    if (mx < 0 || my < 0 || mx >= matrix.size || my >= matrix.size) return true;
    return !matrix.modules[my * matrix.size + mx];
  };
  const lines: string[] = [];
  for (let y = 0; y < span; y += 2) {
    let line = '';
    for (let x = 0; x < span; x++) {
      const top = isLight(x, y);
      const bottom = y + 1 < span ? isLight(x, y + 1) : false;
      line += top && bottom ? '█' : top ? '▀' : bottom ? '▄' : ' ';
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}
