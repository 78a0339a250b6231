import { boxFilterRows, boxScratch } from './box.js';
import { createImage, type Image } from './image.js';
import { reducedLength, upsampleTaps } from './resize.js';

export interface BlurFusionOptions {
  /** Radius of the first, wide pass (Forte's reference code blurs with a 90-px-wide kernel, i.e. radius 45). */
  readonly largeRadius: number;
  /** Radius of the second, narrow pass (the reference's 6-px-wide kernel, radius 3). */
  readonly smallRadius: number;
}

export const DEFAULT_BLUR_FUSION_OPTIONS: BlurFusionOptions = { largeRadius: 45, smallRadius: 3 };

/** Keeps the alpha-weighted means finite where the window holds no foreground (or no background) at all. */
const TINY = 1e-5;
/**
 * Alpha within half an 8-bit level of 1 gives F = I to that precision, and F under alpha within half a level of 0
 * never shows, so only softer pixels need the narrow pass.
 */
const SOFT_LOW = 0.5 / 255;
const SOFT_HIGH = 1 - 0.5 / 255;
/**
 * Tiles are classified so the full-resolution narrow pass costs in proportion to the matte's soft band, not the photo.
 */
const TILE_SHIFT = 4;
const TILE = 1 << TILE_SHIFT;
const HAS_FG = 1;
const HAS_BG = 2;
const HAS_SOFT = 4;

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Blur-Fusion (Forte, "Approximate Fast Foreground Colour Estimation", ICIP 2021), two passes of
 * F = F^ + alpha (I - alpha F^ - (1 - alpha) B^), F^ and B^ being the alpha- and (1 - alpha)-weighted box means of the
 * previous F and B (at first the image; the second pass takes the first's F and B^).
 */
export function blurFusion(image: Image, alpha: Image, options: BlurFusionOptions = DEFAULT_BLUR_FUSION_OPTIONS): Image {
  const { width, height } = image;
  const img = image.data;
  const a = alpha.data;
  const { largeRadius, smallRadius: r } = options;
  if (!Number.isInteger(largeRadius) || largeRadius < 1 || !Number.isInteger(r) || r < 1) {
    throw new RangeError(`blur-fusion radii must be positive integers, got ${largeRadius} and ${r}`);
  }

  // The wide pass only needs smooth means, so it runs on a grid of power-of-two blocks (nested in tiles), 5-10 per radius.
  let factor = 1;
  while (factor * 2 <= Math.min(TILE, largeRadius / 5)) factor *= 2;
  const lw = reducedLength(width, factor);
  const lh = reducedLength(height, factor);
  const tilesX = (width + TILE - 1) >> TILE_SHIFT;
  const tilesY = (height + TILE - 1) >> TILE_SHIFT;

  // One scan gives the block means of I*alpha, alpha and I and each tile's classes of alpha.
  const tileClass = new Uint8Array(tilesX * tilesY);
  const small = new Float32Array(lw * lh * 7);
  const acc = new Float64Array(lw * 7);
  for (let ly = 0; ly < lh; ly++) {
    acc.fill(0);
    const yEnd = Math.min(height, (ly + 1) * factor);
    for (let y = ly * factor; y < yEnd; y++) {
      const tileRow = (y >> TILE_SHIFT) * tilesX;
      for (let lx = 0, o = 0; lx < lw; lx++, o += 7) {
        // Summed in locals so the accumulator is touched once per block row.
        let sr = 0;
        let sg = 0;
        let sb = 0;
        let sa = 0;
        let tr = 0;
        let tg = 0;
        let tb = 0;
        let bits = 0;
        for (let i = y * width + lx * factor, e = y * width + Math.min(width, (lx + 1) * factor); i < e; i++) {
          const ai = a[i]!;
          const cr = img[i * 3]!;
          const cg = img[i * 3 + 1]!;
          const cb = img[i * 3 + 2]!;
          sr += cr * ai;
          sg += cg * ai;
          sb += cb * ai;
          sa += ai;
          tr += cr;
          tg += cg;
          tb += cb;
          bits |= ai >= SOFT_HIGH ? HAS_FG : ai <= SOFT_LOW ? HAS_BG : HAS_SOFT;
        }
        acc[o]! += sr;
        acc[o + 1]! += sg;
        acc[o + 2]! += sb;
        acc[o + 3]! += sa;
        acc[o + 4]! += tr;
        acc[o + 5]! += tg;
        acc[o + 6]! += tb;
        tileClass[tileRow + ((lx * factor) >> TILE_SHIFT)]! |= bits;
      }
    }
    const ny = yEnd - ly * factor;
    for (let lx = 0, o = 0; lx < lw; lx++) {
      const inv = 1 / (ny * Math.min(factor, width - lx * factor));
      for (let c = 0; c < 7; c++, o++) small[ly * lw * 7 + o] = acc[o]! * inv;
    }
  }

  // F^ (3) and B^ (3) of the wide pass, on the small grid.
  const hat = new Float32Array(lw * lh * 6);
  const len7 = lw * 7;
  boxFilterRows(
    lw,
    lh,
    7,
    Math.max(1, Math.round(largeRadius / factor)),
    (y, row) => row.set(small.subarray(y * len7, (y + 1) * len7)),
    (y, m) => {
      for (let x = 0, o = 0, k = y * lw * 6; x < lw; x++, o += 7, k += 6) {
        const wf = 1 / (m[o + 3]! + TINY);
        const wb = 1 / (1 - m[o + 3]! + TINY);
        for (let c = 0; c < 3; c++) {
          hat[k + c] = m[o + c]! * wf;
          hat[k + 3 + c] = (m[o + 4 + c]! - m[o + c]!) * wb;
        }
      }
    },
  );

  const tx = upsampleTaps(width, factor);
  const ty = upsampleTaps(height, factor);
  const out = createImage(width, height, 3);
  const f = out.data;
  const hatLen = lw * 6;
  // The wide pass's F^ and B^ interpolated vertically once per row of a run of soft tiles, not once per pixel.
  const strip = new Float32Array((TILE + 2 * r) * hatLen);
  // One box-filter working memory for all runs, since a portrait has hundreds of them.
  const scratch = boxScratch(width * 4, r);

  for (let tRow = 0; tRow < tilesY; tRow++) {
    const y0 = tRow * TILE;
    const y1 = Math.min(height, y0 + TILE);
    for (let tCol = 0; tCol < tilesX; tCol++) {
      const cls = tileClass[tRow * tilesX + tCol]!;
      const x0 = tCol * TILE;
      const x1 = Math.min(width, x0 + TILE);
      if (cls & HAS_SOFT) {
        // Consecutive soft tiles form one run so their shared margins are filtered once.
        let tEnd = tCol + 1;
        while (tEnd < tilesX && tileClass[tRow * tilesX + tEnd]! & HAS_SOFT) tEnd++;
        narrowPass(x0, Math.min(width, tEnd * TILE), y0, y1);
        tCol = tEnd - 1;
      } else if (cls === HAS_FG) {
        for (let y = y0; y < y1; y++) f.set(img.subarray((y * width + x0) * 3, (y * width + x1) * 3), (y * width + x0) * 3);
      } else {
        for (let y = y0; y < y1; y++) {
          for (let x = x0, i = y * width + x0; x < x1; x++, i++) hardPixel(x, y, i);
        }
      }
    }
  }
  return out;

  /**
   * A hard pixel's F: the image under alpha 1, else the wide pass's F^ of its block, an extrapolation of the nearby
   * foreground that keeps a later resampling of F from bleeding the old background in.
   */
  function hardPixel(x: number, y: number, i: number): void {
    if (a[i]! >= SOFT_HIGH) {
      f[i * 3] = img[i * 3]!;
      f[i * 3 + 1] = img[i * 3 + 1]!;
      f[i * 3 + 2] = img[i * 3 + 2]!;
    } else {
      const k = (((y / factor) | 0) * lw + ((x / factor) | 0)) * 6;
      f[i * 3] = hat[k]!;
      f[i * 3 + 1] = hat[k + 1]!;
      f[i * 3 + 2] = hat[k + 2]!;
    }
  }

  /**
   * The first pass's F and the second pass on [x0, x1) x [y0, y1), reading a margin of r so every window is whole; the
   * second pass's B^ is the first's, since a small weighted mean of a field that is already a wide mean barely changes
   * it.
   */
  function narrowPass(x0: number, x1: number, y0: number, y1: number): void {
    const rx0 = Math.max(0, x0 - r);
    const rx1 = Math.min(width, x1 + r);
    const ry0 = Math.max(0, y0 - r);
    const ry1 = Math.min(height, y1 + r);
    const k0 = tx.i0[rx0]! * 6;
    const k1 = (tx.i1[rx1 - 1]! + 1) * 6;
    for (let y = ry0; y < ry1; y++) {
      const p = ty.i0[y]! * hatLen;
      const q = ty.i1[y]! * hatLen;
      const t = ty.w1[y]!;
      const o = (y - ry0) * hatLen;
      for (let k = k0; k < k1; k++) strip[o + k] = hat[p + k]! + (hat[q + k]! - hat[p + k]!) * t;
    }
    boxFilterRows(
      rx1 - rx0,
      ry1 - ry0,
      4,
      r,
      (yl, row) => {
        const y = ry0 + yl;
        const s = (y - ry0) * hatLen;
        for (let x = rx0, o = 0, i = y * width + rx0; x < rx1; x++, o += 4, i++) {
          const ai = a[i]!;
          row[o + 3] = ai;
          if (ai === 0) {
            row[o] = 0;
            row[o + 1] = 0;
            row[o + 2] = 0;
          } else if (ai >= SOFT_HIGH) {
            row[o] = img[i * 3]! * ai;
            row[o + 1] = img[i * 3 + 1]! * ai;
            row[o + 2] = img[i * 3 + 2]! * ai;
          } else {
            const p = s + tx.i0[x]! * 6;
            const q = s + tx.i1[x]! * 6;
            const t = tx.w1[x]!;
            for (let c = 0; c < 3; c++) {
              const fh = strip[p + c]! + (strip[q + c]! - strip[p + c]!) * t;
              const bh = strip[p + 3 + c]! + (strip[q + 3 + c]! - strip[p + 3 + c]!) * t;
              row[o + c] = clamp01(fh + ai * (img[i * 3 + c]! - ai * fh - (1 - ai) * bh)) * ai;
            }
          }
        }
      },
      (yl, m) => {
        const y = ry0 + yl;
        if (y < y0 || y >= y1) return;
        const s = (y - ry0) * hatLen;
        for (let x = x0, o = (x0 - rx0) * 4, i = y * width + x0; x < x1; x++, o += 4, i++) {
          const ai = a[i]!;
          if (ai >= SOFT_HIGH || ai <= SOFT_LOW) {
            hardPixel(x, y, i);
            continue;
          }
          const p = s + tx.i0[x]! * 6 + 3;
          const q = s + tx.i1[x]! * 6 + 3;
          const t = tx.w1[x]!;
          const wf = 1 / (m[o + 3]! + TINY);
          for (let c = 0; c < 3; c++) {
            const fh = m[o + c]! * wf;
            const bh = strip[p + c]! + (strip[q + c]! - strip[p + c]!) * t;
            f[i * 3 + c] = clamp01(fh + ai * (img[i * 3 + c]! - ai * fh - (1 - ai) * bh));
          }
        }
      },
      scratch,
    );
  }
}
