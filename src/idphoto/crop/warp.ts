/**
 * The photo's frame cut out of the measured image: every photo pixel looked up through the inverse of
 * the placement's affine map, for the colours and for the coarse matte alike, so that rotation, scale
 * and crop happen in one resampling.
 */
import { invertAffine, type Affine } from '../affine.js';
import { createImage, type Image } from '../matte/image.js';
import { sampleBilinear } from '../matte/resize.js';
import type { RgbImage } from '../rgb.js';

export interface WarpedFrame {
  /** Colours 0..1, the guide for the refinement. */
  readonly image: Image;
  /** The engine's coarse matte in the same frame. */
  readonly matte: Image;
  /** Share of the frame's pixels where the person is continued past the picture's bottom edge, and past its sides. */
  readonly continued: { readonly bottom: number; readonly sides: number };
}

/** Most samples per axis and photo pixel when the image shrinks (a box filter over the footprint). */
const MAX_SUPERSAMPLE = 3;
/** Past the picture's sides and bottom, the matte continues only where it is at least this sure of the person. */
const EXTEND_ALPHA = 0.5;
/**
 * Colours continued past an edge are that edge blurred along it (by NEAR_BLUR of its length), fading
 * into a much wider blur (FAR_BLUR) over FADE of the image's size: smooth cloth, not streaks of every
 * stitch nor hard bands that run on to the photo's edge.
 */
const NEAR_BLUR = 0.02;
const FAR_BLUR = 0.15;
const FADE = 0.08;

/** `count` RGB pixels read by `at(i)` (an offset into `data`), box-blurred along the line by `share` of its length. */
function blurredLine(data: Uint8Array, count: number, share: number, at: (i: number) => number): Float32Array {
  const radius = Math.max(2, Math.round(share * count));
  const out = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let n = 0;
    for (let j = Math.max(0, i - radius); j <= Math.min(count - 1, i + radius); j++, n++) {
      const p = at(j);
      r += data[p]!;
      g += data[p + 1]!;
      b += data[p + 2]!;
    }
    out[i * 3] = r / n;
    out[i * 3 + 1] = g / n;
    out[i * 3 + 2] = b / n;
  }
  return out;
}

/** An edge's colours as it continues outwards: the lightly blurred line near it, the widely blurred one further out. */
interface Edge {
  readonly near: Float32Array;
  readonly far: Float32Array;
}

function edgeOf(data: Uint8Array, count: number, at: (i: number) => number): Edge {
  return { near: blurredLine(data, count, NEAR_BLUR, at), far: blurredLine(data, count, FAR_BLUR, at) };
}

/** Linear interpolation along a blurred edge line at fractional position `f` (clamped). */
function lineAt(line: Float32Array, f: number, channel: number): number {
  const n = line.length / 3;
  const c = Math.min(Math.max(f, 0), n - 1);
  const i = Math.floor(c);
  const j = Math.min(i + 1, n - 1);
  const t = c - i;
  return line[i * 3 + channel]! * (1 - t) + line[j * 3 + channel]! * t;
}

/** Channel `channel` at position `along` the edge, `fade` (0 at the edge, 1 far out) of the way to the wide blur. */
function edgeAt(edge: Edge, along: number, fade: number, channel: number): number {
  return lineAt(edge.near, along, channel) * (1 - fade) + lineAt(edge.far, along, channel) * fade;
}

/**
 * `image` and its coarse `matte` (stretched over the whole image) seen through `transform` (image ->
 * photo) in a width x height frame. Outside the image the colours continue from its nearest edge; the
 * matte does too at the sides and below (shoulders run on past a tight crop), but above the image's top
 * it is background, so a cut-off crown gets a plain sky rather than smeared hair; past the sides and
 * bottom only a matte at least EXTEND_ALPHA carries on.
 */
export function warpFrame(image: RgbImage, matte: Image, transform: Affine, width: number, height: number): WarpedFrame {
  const inverse = invertAffine(transform);
  const [a, b, c, d, e, f] = inverse;
  const footprint = Math.max(Math.hypot(a, d), Math.hypot(b, e));
  // Rounded, not ceiled: a footprint up to 1.5 source pixels is read well enough by one bilinear sample.
  const k = Math.min(MAX_SUPERSAMPLE, Math.max(1, Math.round(footprint)));
  const { data, width: iw, height: ih } = image;
  const sx = matte.width / iw;
  const sy = matte.height / ih;
  const out = createImage(width, height, 3);
  const alpha = createImage(width, height, 1);
  const o = out.data;
  const al = alpha.data;
  const weight = 1 / (k * k * 255);
  const top = edgeOf(data, iw, (i) => i * 3);
  const bottom = edgeOf(data, iw, (i) => ((ih - 1) * iw + i) * 3);
  const left = edgeOf(data, ih, (i) => i * iw * 3);
  const right = edgeOf(data, ih, (i) => (i * iw + iw - 1) * 3);
  const fadeLength = FADE * Math.max(iw, ih);
  let belowBottom = 0;
  let pastSides = 0;
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      let r = 0;
      let g = 0;
      let bl = 0;
      let m = 0;
      for (let j = 0; j < k; j++) {
        const pv = v + (j + 0.5) / k;
        for (let i = 0; i < k; i++) {
          const pu = u + (i + 0.5) / k;
          // Pixel centres: photo (pu, pv) -> image point; sample at image pixel coordinates (centre at +0.5).
          const x = a * pu + b * pv + c;
          const y = d * pu + e * pv + f;
          if (y > ih || y < 0) {
            const edge = y < 0 ? top : bottom;
            const fade = Math.min(1, (y < 0 ? -y : y - ih) / fadeLength);
            r += edgeAt(edge, x - 0.5, fade, 0);
            g += edgeAt(edge, x - 0.5, fade, 1);
            bl += edgeAt(edge, x - 0.5, fade, 2);
          } else if (x < 0 || x > iw) {
            const side = x < 0 ? left : right;
            const fade = Math.min(1, (x < 0 ? -x : x - iw) / fadeLength);
            r += edgeAt(side, y - 0.5, fade, 0);
            g += edgeAt(side, y - 0.5, fade, 1);
            bl += edgeAt(side, y - 0.5, fade, 2);
          } else {
            const fx = Math.min(Math.max(x - 0.5, 0), iw - 1);
            const fy = Math.min(Math.max(y - 0.5, 0), ih - 1);
            const x0 = Math.floor(fx);
            const y0 = Math.floor(fy);
            const x1 = Math.min(x0 + 1, iw - 1);
            const y1 = Math.min(y0 + 1, ih - 1);
            const tx = fx - x0;
            const ty = fy - y0;
            const w00 = (1 - tx) * (1 - ty);
            const w01 = tx * (1 - ty);
            const w10 = (1 - tx) * ty;
            const w11 = tx * ty;
            const p00 = (y0 * iw + x0) * 3;
            const p01 = (y0 * iw + x1) * 3;
            const p10 = (y1 * iw + x0) * 3;
            const p11 = (y1 * iw + x1) * 3;
            r += data[p00]! * w00 + data[p01]! * w01 + data[p10]! * w10 + data[p11]! * w11;
            g += data[p00 + 1]! * w00 + data[p01 + 1]! * w01 + data[p10 + 1]! * w10 + data[p11 + 1]! * w11;
            bl += data[p00 + 2]! * w00 + data[p01 + 2]! * w01 + data[p10 + 2]! * w10 + data[p11 + 2]! * w11;
          }
        }
      }
      // The matte is smooth (an upsampled coarse matte): one sample at the pixel's centre is enough.
      const x = a * (u + 0.5) + b * (v + 0.5) + c;
      const y = d * (u + 0.5) + e * (v + 0.5) + f;
      if (y >= 0) {
        const edgeAlpha = sampleBilinear(matte, x * sx, y * sy);
        // Past an edge only the person carries on: an uncertain matte there would smear the old background outwards.
        m = y > ih || x < 0 || x > iw ? (edgeAlpha >= EXTEND_ALPHA ? edgeAlpha : 0) : edgeAlpha;
        if (m > 0 && y > ih) belowBottom++;
        else if (m > 0 && (x < 0 || x > iw)) pastSides++;
      }
      const p = (v * width + u) * 3;
      o[p] = r * weight;
      o[p + 1] = g * weight;
      o[p + 2] = bl * weight;
      al[v * width + u] = m;
    }
  }
  return { image: out, matte: alpha, continued: { bottom: belowBottom / (width * height), sides: pastSides / (width * height) } };
}
