/**
 * Writes photo-like pictures of QR codes under the conditions real photos show
 * (blur, perspective, glare, shadow, low contrast, small and high-version codes,
 * curvature, damage, noise and heavy JPEG, inverted screens, many codes at once,
 * small codes in 12 MP phone photos),
 * with a manifest in the corpus format, so the decoder can be measured on images
 * nobody tuned it to:
 *
 *   npm run bench:synthesize -- OUTDIR [--per N] [--seed S]
 *   npm run bench:decode -- OUTDIR/manifest.tsv [--plain]
 *
 * Every picture draws its strength at random (seeded) from a range where some
 * readers start to fail; each also gets an in-plane rotation, sensor noise and a
 * JPEG encode, as a phone photo would.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { encodeQr, type QrMatrix } from '../src/qr/encode/encode.js';
import type { EcLevel } from '../src/qr/options.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const outDir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!outDir) {
  console.error('usage: npm run bench:synthesize -- OUTDIR [--per N] [--seed S]');
  process.exit(2);
}
const perCategory = option('--per', 20);
if (!Number.isInteger(perCategory) || perCategory < 1 || !Number.isInteger(option('--seed', 1))) {
  console.error('--per takes a whole number of pictures (at least 1), --seed a whole number');
  process.exit(2);
}

/** mulberry32: a small seeded generator, so a set can be written again identically. */
let state = option('--seed', 1) >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const between = (lo: number, hi: number): number => lo + (hi - lo) * random();
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const gaussian = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KANA = 'あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん';
const HAN = '二维码生成识别工作坊产品批次编号日期地址电话';
function randomText(length: number): string {
  const chars = (alphabet: string, n: number): string => Array.from({ length: n }, () => pick([...alphabet])).join('');
  switch (pick(['url', 'alnum', 'numeric', 'kana', 'han'] as const)) {
    case 'url':
      return `https://example.com/p/${chars(ALNUM, Math.max(4, length - 22))}`;
    case 'numeric':
      return chars('0123456789', length);
    case 'kana':
      return chars(KANA, Math.max(2, Math.round(length / 3)));
    case 'han':
      return chars(HAN, Math.max(2, Math.round(length / 3)));
    default:
      return chars(ALNUM + ' -.', length);
  }
}

type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

/** The homography taking the unit square's corners (0,0) (1,0) (1,1) (0,1) to the four given points. */
function squareTo(p: ReadonlyArray<readonly [number, number]>): Mat3 {
  const [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = p as [[number, number], [number, number], [number, number], [number, number]];
  const dx1 = x1 - x2,
    dx2 = x3 - x2,
    dy1 = y1 - y2,
    dy2 = y3 - y2;
  const sx = x0 - x1 + x2 - x3,
    sy = y0 - y1 + y2 - y3;
  const det = dx1 * dy2 - dx2 * dy1;
  const g = (sx * dy2 - dx2 * sy) / det;
  const h = (dx1 * sy - sx * dy1) / det;
  return [x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h, 1];
}

function invert(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h,
    B = c * h - b * i,
    C = b * f - c * e;
  const D = f * g - d * i,
    E = a * i - c * g,
    F = c * d - a * f;
  const G = d * h - e * g,
    H = b * g - a * h,
    I = a * e - b * d;
  const det = a * A + b * D + c * G;
  return [A / det, B / det, C / det, D / det, E / det, F / det, G / det, H / det, I / det];
}

interface PlacedSymbol {
  readonly matrix: QrMatrix;
  readonly text: string;
  /** Image pixel -> unit square of the symbol with its 4-module quiet zone. */
  readonly toSquare: Mat3;
  /** Pixel bounds of that square: x0, y0, x1, y1. */
  readonly box: readonly [number, number, number, number];
  readonly dark: number;
  readonly light: number;
  /** Cylinder radius in units of the square's width (0: flat). */
  readonly curve: number;
  /** Module-grid disks painted over the symbol: [u, v, radius, value] in module units. */
  readonly blotches: ReadonlyArray<readonly [number, number, number, number]>;
}

interface Scene {
  readonly width: number;
  readonly height: number;
  readonly symbols: PlacedSymbol[];
  /** Multiplies the brightness (shadows); adds to it (glare). */
  readonly shade: (x: number, y: number) => number;
  readonly glare: (x: number, y: number) => number;
  readonly blurPx: number;
  readonly noise: number;
  readonly quality: number;
  readonly invert: boolean;
}

/** Places a symbol of `modulePx` pixel modules at (cx, cy), rotated, with its corners pushed by up to `tilt` of its side. */
function place(matrix: QrMatrix, text: string, cx: number, cy: number, modulePx: number, tilt: number, extra: Partial<PlacedSymbol> = {}): PlacedSymbol {
  const side = (matrix.size + 8) * modulePx;
  const angle = between(0, 2 * Math.PI);
  const corners = [
    [-0.5, -0.5],
    [0.5, -0.5],
    [0.5, 0.5],
    [-0.5, 0.5],
  ].map(([u, v]) => {
    const x = u! * side + between(-tilt, tilt) * side;
    const y = v! * side + between(-tilt, tilt) * side;
    return [cx + x * Math.cos(angle) - y * Math.sin(angle), cy + x * Math.sin(angle) + y * Math.cos(angle)] as const;
  });
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const box = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)] as const;
  return { matrix, text, toSquare: invert(squareTo(corners)), box, dark: 0.08, light: 0.92, curve: 0, blotches: [], ...extra };
}

/** Brightness 0..1 of the symbols at a sample point, or undefined where none covers it. */
function sampleSymbols(symbols: readonly PlacedSymbol[], x: number, y: number): number | undefined {
  for (const s of symbols) {
    const m = s.toSquare;
    const w = m[6] * x + m[7] * y + m[8];
    let u = (m[0] * x + m[1] * y + m[2]) / w;
    const v = (m[3] * x + m[4] * y + m[5]) / w;
    if (u < 0 || u >= 1 || v < 0 || v >= 1) continue;
    if (s.curve > 0) {
      // The square is the cylinder seen from the front, 2R sin(1/(2R)) wide for a symbol 1 wide:
      // a point at screen offset d from the axis lies at arc length R asin(d/R).
      const half = s.curve * Math.sin(0.5 / s.curve);
      u = 0.5 + s.curve * Math.asin(((u - 0.5) * 2 * half) / s.curve);
    }
    const n = s.matrix.size;
    const mu = u * (n + 8) - 4;
    const mv = v * (n + 8) - 4;
    for (const [bu, bv, br, value] of s.blotches) if ((mu - bu) ** 2 + (mv - bv) ** 2 < br * br) return value;
    const inside = mu >= 0 && mv >= 0 && mu < n && mv < n;
    return inside && s.matrix.modules[Math.floor(mv) * n + Math.floor(mu)] ? s.dark : s.light;
  }
  return undefined;
}

async function render(scene: Scene): Promise<Buffer> {
  const { width, height } = scene;
  // A few large soft blobs: a desk, a wall, a hand, not a flat grey.
  const blobs = Array.from({ length: 6 }, () => [between(0, width), between(0, height), between(0.1, 0.5) * Math.max(width, height), between(0.25, 0.8)] as const);
  const grey = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let value = 0.5;
      for (const [bx, by, r, level] of blobs) value += (level - 0.5) * Math.exp(-((x - bx) ** 2 + (y - by) ** 2) / (r * r));
      const near = scene.symbols.filter((s) => x >= s.box[0] - 1 && x <= s.box[2] + 1 && y >= s.box[1] - 1 && y <= s.box[3] + 1);
      if (near.length > 0) {
        // 2x2 supersampling: module edges fall between pixels as they do through a lens.
        let sum = 0;
        for (const [ox, oy] of [
          [0.25, 0.25],
          [0.75, 0.25],
          [0.25, 0.75],
          [0.75, 0.75],
        ] as const)
          sum += sampleSymbols(near, x + ox, y + oy) ?? value;
        value = sum / 4;
      }
      if (scene.invert) value = 1 - value;
      value = value * scene.shade(x, y) + scene.glare(x, y);
      grey[y * width + x] = Math.max(0, Math.min(255, Math.round(value * 255)));
    }
  }
  let image = sharp(grey, { raw: { width, height, channels: 1 } });
  if (scene.blurPx >= 0.3) image = image.blur(scene.blurPx);
  const { data } = await image.toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + gaussian() * scene.noise * 255)));
  return sharp(data, { raw: { width, height, channels: 1 } })
    .jpeg({ quality: scene.quality })
    .toBuffer();
}

const plain = { shade: () => 1, glare: () => 0, blurPx: 0, noise: 0.02, quality: 85, invert: false };

/** One symbol filling about `fill` of the shorter side of a width x height picture. */
function single(text: string, ec: EcLevel, width: number, height: number, fill: number, tilt: number, extra: Partial<PlacedSymbol> = {}): { symbols: PlacedSymbol[]; modulePx: number } {
  const matrix = encodeQr(text, { ec });
  const modulePx = (fill * Math.min(width, height)) / (matrix.size + 8);
  return { symbols: [place(matrix, text, width / 2 + between(-0.05, 0.05) * width, height / 2 + between(-0.05, 0.05) * height, modulePx, tilt, extra)], modulePx };
}

type Maker = () => Scene;
const CATEGORIES: Record<string, Maker> = {
  blur: () => {
    const { symbols, modulePx } = single(randomText(pick([20, 40, 80])), pick(['M', 'Q', 'H']), 1000, 800, between(0.35, 0.6), 0.03);
    return { ...plain, width: 1000, height: 800, symbols, blurPx: between(0.35, 0.7) * modulePx };
  },
  perspective: () => ({ ...plain, width: 1200, height: 900, ...single(randomText(pick([20, 60])), pick(['M', 'H']), 1200, 900, between(0.35, 0.55), between(0.15, 0.28)) }),
  glare: () => {
    const { symbols, modulePx } = single(randomText(pick([20, 50])), pick(['M', 'Q', 'H']), 1000, 800, between(0.4, 0.6), 0.05);
    const [gx, gy, r, peak] = [between(350, 650), between(250, 550), between(0.08, 0.2) * 1000, between(0.6, 1.2)];
    return { ...plain, width: 1000, height: 800, symbols, blurPx: 0.2 * modulePx, glare: (x, y) => peak * Math.exp(-((x - gx) ** 2 + (y - gy) ** 2) / (r * r)) };
  },
  shadow: () => {
    const { symbols } = single(randomText(pick([20, 50])), pick(['M', 'H']), 1000, 800, between(0.4, 0.6), 0.05);
    const [angle, depth, edge] = [between(0, 2 * Math.PI), between(0.15, 0.35), between(-150, 150)];
    // A hard shadow edge across the code plus a slow fall-off of the light.
    return { ...plain, width: 1000, height: 800, symbols, shade: (x, y) => ((x - 500) * Math.cos(angle) + (y - 400) * Math.sin(angle) > edge ? depth : 1) * (1 - 0.3 * (x / 1000)) };
  },
  'low-contrast': () => {
    const dark = between(0.3, 0.45);
    const { symbols } = single(randomText(pick([20, 50])), pick(['M', 'H']), 1000, 800, between(0.4, 0.6), 0.05, { dark, light: dark + between(0.15, 0.25) });
    return { ...plain, width: 1000, height: 800, symbols, noise: 0.03 };
  },
  small: () => {
    const text = randomText(pick([10, 20, 30]));
    const modulePx = between(1.8, 2.6);
    return { ...plain, width: 3000, height: 2200, symbols: [place(encodeQr(text, { ec: pick(['L', 'M']) }), text, between(500, 2500), between(400, 1800), modulePx, 0.03)], blurPx: 0.3 * modulePx };
  },
  curved: () => ({ ...plain, width: 1000, height: 800, ...single(randomText(pick([20, 60])), pick(['M', 'H']), 1000, 800, between(0.45, 0.6), 0.02, { curve: between(0.55, 0.8) }) }),
  damaged: () => {
    const text = randomText(pick([20, 40]));
    const ec = pick(['Q', 'H'] as const);
    const n = encodeQr(text, { ec }).size;
    // One to three discs away from the finder patterns, each 3-9 % of the symbol's area.
    const blotches = Array.from({ length: pick([1, 2, 3]) }, () => [between(9, n - 9), between(9, n - 9), between(0.1, 0.17) * n, pick([0.08, 0.92])] as const);
    return { ...plain, width: 1000, height: 800, ...single(text, ec, 1000, 800, between(0.4, 0.6), 0.04, { blotches }) };
  },
  'high-version': () => {
    const text = randomText(pick([300, 500, 800]));
    // At most 0.6 of the shorter side, as elsewhere: turned 45 degrees, a larger symbol leaves the picture.
    const { symbols, modulePx } = single(text, pick(['L', 'M']), 1600, 1200, between(0.45, 0.6), 0.04);
    return { ...plain, width: 1600, height: 1200, symbols, blurPx: 0.3 * modulePx, quality: 80 };
  },
  'noisy-jpeg': () => ({
    ...plain,
    width: 1000,
    height: 800,
    ...single(randomText(pick([20, 50])), pick(['M', 'H']), 1000, 800, between(0.35, 0.55), 0.05),
    noise: between(0.08, 0.15),
    quality: Math.round(between(15, 35)),
  }),
  'inverted-screen': () => {
    const { symbols, modulePx } = single(randomText(pick([20, 50])), pick(['L', 'M']), 1000, 800, between(0.35, 0.55), 0.08);
    // Light modules on a dark screen, seen through its pixel grid.
    const pitch = between(2.5, 4);
    return {
      ...plain,
      width: 1000,
      height: 800,
      symbols,
      invert: true,
      blurPx: 0.25 * modulePx,
      shade: (x, y) => 0.75 + 0.25 * Math.cos((2 * Math.PI * x) / pitch) * Math.cos((2 * Math.PI * y) / pitch),
    };
  },
  many: () => {
    const symbols: PlacedSymbol[] = [];
    const [cols, rows] = [pick([3, 4]), pick([2, 3])];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const text = `${randomText(pick([8, 16, 24]))} ${r}-${c}`;
        symbols.push(place(encodeQr(text, { ec: pick(['M', 'Q']) }), text, (c + 0.5) * (1600 / cols), (r + 0.5) * (1200 / rows), between(3, 5), 0.04));
      }
    }
    return { ...plain, width: 1600, height: 1200, symbols, blurPx: 1 };
  },
  // A 12 MP phone photo of a code across the room: 3-6 px a module at full size.
  'phone-photo': () => {
    const text = randomText(pick([20, 40, 80]));
    const modulePx = between(3, 6);
    return {
      ...plain,
      width: 4032,
      height: 3024,
      symbols: [place(encodeQr(text, { ec: pick(['L', 'M', 'Q']) }), text, between(800, 3200), between(600, 2400), modulePx, 0.04)],
      blurPx: 0.3 * modulePx,
    };
  },
};

const escape = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
mkdirSync(outDir, { recursive: true });
const lines = ['path\texpected\tpayload\tcategory\tsource\tkind\tn_codes\tnote'];
for (const [category, make] of Object.entries(CATEGORIES)) {
  mkdirSync(join(outDir, category), { recursive: true });
  for (let i = 0; i < perCategory; i++) {
    const scene = make();
    const path = `${category}/${String(i).padStart(3, '0')}.jpg`;
    writeFileSync(join(outDir, path), await render(scene));
    const kind = scene.symbols.length > 1 ? 'multi' : 'single';
    for (const s of scene.symbols) lines.push([path, escape(s.text), 'text', category, 'synthetic', kind, scene.symbols.length, ''].join('\t'));
  }
  console.log(`${category}: ${perCategory} pictures`);
}
writeFileSync(join(outDir, 'manifest.tsv'), lines.join('\n') + '\n');
console.log(`wrote ${join(outDir, 'manifest.tsv')}`);
