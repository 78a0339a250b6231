import type { QrMatrix } from '../encode/encode.js';
import { formatColour, type Rgba } from '../colour.js';
import type { Layout } from './layout.js';

function fill(c: Rgba): string {
  const hex = formatColour({ ...c, a: 255 });
  return c.a === 255 ? `fill="${hex}"` : `fill="${hex}" fill-opacity="${(c.a / 255).toFixed(3)}"`;
}

/** One path of horizontal runs in module units; the viewBox scales it to `layout.pixels`. */
export function renderSvg(matrix: QrMatrix, layout: Layout, dark: Rgba, light: Rgba): string {
  const { size, modules } = matrix;
  // The viewBox is in modules, so an exact pixel size may leave a fraction of a module of extra margin.
  const span = Number((layout.pixels / layout.scale).toFixed(3));
  const origin = -Number((layout.offset / layout.scale).toFixed(3));
  let d = '';
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!modules[y * size + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && modules[y * size + x]) x++;
      d += `M${start} ${y}h${x - start}v1H${start}z`;
    }
  }
  const background = light.a === 0 ? '' : `<rect x="${origin}" y="${origin}" width="${span}" height="${span}" ${fill(light)}/>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.pixels}" height="${layout.pixels}" viewBox="${origin} ${origin} ${span} ${span}" shape-rendering="crispEdges">` +
    `${background}<path ${fill(dark)} d="${d}"/></svg>\n`
  );
}
