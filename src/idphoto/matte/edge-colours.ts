/**
 * Colour decontamination of the matte's edge (as "decontaminate colours" in photo editors): a refined matte reaches
 * 1 a few pixels before the old background has left the colours, and no foreground estimate can remove a background
 * the matte says is not there. So pixels near the soft band take the mean colour of the person's interior nearby,
 * counting only interior pixels of a similar colour (a joint bilateral mean), so that hair keeps a hair colour and an
 * edge with nothing like it inside (a matte cutting through hair, a strand over skin) keeps its own.
 */
import { boxFilter } from './box.js';
import { assertShape, createImage, type Image } from './image.js';

export interface EdgeColourOptions {
  /** The refinement's window radius in pixels: the ring treated reaches about half of it into the opaque part, the interior is read within twice it. */
  readonly radius: number;
}

/** Alpha from here up is opaque: below it a pixel belongs to the soft band. */
const OPAQUE = 0.98;
/** Pixels below this alpha never show enough of their colour to matter. */
const MIN_ALPHA = 0.1;
/** Colour distance (0..1 per channel) at which an interior pixel counts e^-1/2 as much: same hair, another shade. */
const SIMILAR = 0.15;
/** Below this share of the interior window's weight being of a similar colour, the pixel keeps its own colour in proportion. */
const ENOUGH_SIMILAR = 0.3;
/** Taps per axis of the interior window (sampled on a grid; the mean is smooth). */
const TAPS = 7;
/** exp(-d^2 / (2 SIMILAR^2)) tabulated over d^2 up to the point where it falls below ~1e-4. */
const TABLE_SIZE = 512;
const TABLE_MAX = 18 * SIMILAR * SIMILAR;
const WEIGHTS = Float32Array.from({ length: TABLE_SIZE + 1 }, (_, i) => Math.exp(-((i / TABLE_SIZE) * TABLE_MAX) / (2 * SIMILAR * SIMILAR)));

/** Foreground colours with the edge ring decontaminated; a new image (the input is left as it is). `radius` 0 returns a copy. */
export function decontaminateEdges(foreground: Image, alpha: Image, options: EdgeColourOptions): Image {
  const { width, height } = alpha;
  assertShape(alpha, width, height, 1, 'alpha');
  assertShape(foreground, width, height, 3, 'foreground');
  const { radius } = options;
  if (!Number.isInteger(radius) || radius < 0) throw new RangeError(`edge radius must be a non-negative integer, got ${radius}`);
  const out = createImage(width, height, 3);
  out.data.set(foreground.data);
  if (radius === 0) return out;
  const a = alpha.data;
  const f = foreground.data;
  const o = out.data;
  const n = width * height;

  // Nearness to what is not opaque (the band and the background past it), 0..1, smooth: two box passes (a tent reaching radius / 2).
  const near = Math.max(1, Math.round(radius / 4));
  let soft = createImage(width, height, 1);
  for (let i = 0; i < n; i++) soft.data[i] = a[i]! < OPAQUE ? 1 : 0;
  soft = boxFilter(boxFilter(soft, near), near);
  const p = soft.data;
  // Interior: opaque and clear of the band, fading in as the band recedes.
  const interior = new Float32Array(n);
  for (let i = 0; i < n; i++) interior[i] = a[i]! >= OPAQUE ? Math.max(0, 1 - 2 * p[i]!) : 0;

  const reach = 2 * radius;
  const step = Math.max(1, Math.round((2 * reach) / (TAPS - 1)));
  const scale = TABLE_SIZE / TABLE_MAX;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const amount = Math.min(1, 2 * p[i]!);
      if (a[i]! < MIN_ALPHA || amount <= 0.01) continue;
      const r0 = f[i * 3]!;
      const g0 = f[i * 3 + 1]!;
      const b0 = f[i * 3 + 2]!;
      let sr = 0;
      let sg = 0;
      let sb = 0;
      let similar = 0;
      let all = 0;
      for (let yy = Math.max(0, y - reach); yy <= Math.min(height - 1, y + reach); yy += step) {
        for (let xx = Math.max(0, x - reach), j = yy * width + xx; xx <= Math.min(width - 1, x + reach); xx += step, j += step) {
          const d = interior[j]!;
          if (d === 0) continue;
          const fr = f[j * 3]!;
          const fg = f[j * 3 + 1]!;
          const fb = f[j * 3 + 2]!;
          const d2 = (fr - r0) * (fr - r0) + (fg - g0) * (fg - g0) + (fb - b0) * (fb - b0);
          all += d;
          if (d2 >= TABLE_MAX) continue;
          const w = d * WEIGHTS[Math.round(d2 * scale)]!;
          sr += w * fr;
          sg += w * fg;
          sb += w * fb;
          similar += w;
        }
      }
      if (similar < 1e-6) continue;
      // Trusted as far as the window holds enough interior, and enough of it of a similar colour.
      const t = amount * Math.min(1, similar / (ENOUGH_SIMILAR * all)) * Math.min(1, all / 4);
      o[i * 3] = r0 + t * (sr / similar - r0);
      o[i * 3 + 1] = g0 + t * (sg / similar - g0);
      o[i * 3 + 2] = b0 + t * (sb / similar - b0);
    }
  }
  return out;
}
