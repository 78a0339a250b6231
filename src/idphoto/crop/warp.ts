/**
 * The photo's frame cut out of the measured image: every photo pixel looked up through the inverse of
 * the placement's affine map, for the colours and for the coarse matte alike, so that rotation, scale
 * and crop happen in one resampling.
 */
import { invertAffine, type Affine } from '../affine.js';
import { createImage, type Image } from '../matte/image.js';
import { sampleBilinear } from '../matte/resize.js';
import { addBilinearRgb, type RgbImage } from '../rgb.js';

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

/** `count` RGB pixels read by `at(i)` (an offset into `data`). */
function readLine(data: Uint8Array, count: number, at: (i: number) => number): Float64Array {
  const line = new Float64Array(count * 3);
  for (let i = 0; i < count; i++) {
    const p = at(i);
    line[i * 3] = data[p]!;
    line[i * 3 + 1] = data[p + 1]!;
    line[i * 3 + 2] = data[p + 2]!;
  }
  return line;
}

/**
 * The line box-blurred along itself by `share` of its length (the window clipped at its ends); with `weights`, each
 * pixel counts by its weight, plus the plain window mean at the weight of one pixel, so that a window with hardly any
 * weight fades to the plain blur instead of dividing by nothing.
 */
function blurredLine(line: Float64Array, share: number, weights?: Float64Array): Float32Array {
  const count = line.length / 3;
  const radius = Math.max(2, Math.round(share * count));
  // Prefix sums: each window's sums in O(1). Per pixel: r, g, b, then (weighted) w*r, w*g, w*b, w.
  const prefix = new Float64Array((count + 1) * 7);
  for (let i = 0; i < count; i++) {
    const w = weights ? weights[i]! : 0;
    const o = i * 7;
    for (let c = 0; c < 3; c++) {
      prefix[o + 7 + c] = prefix[o + c]! + line[i * 3 + c]!;
      prefix[o + 10 + c] = prefix[o + 3 + c]! + w * line[i * 3 + c]!;
    }
    prefix[o + 13] = prefix[o + 6]! + w;
  }
  const out = new Float32Array(count * 3);
  for (let i = 0; i < count; i++) {
    const lo = Math.max(0, i - radius) * 7;
    const hi = (Math.min(count - 1, i + radius) + 1) * 7;
    const n = (hi - lo) / 7;
    const weight = prefix[hi + 6]! - prefix[lo + 6]!;
    for (let c = 0; c < 3; c++) {
      const plain = (prefix[hi + c]! - prefix[lo + c]!) / n;
      out[i * 3 + c] = weights ? (prefix[hi + 3 + c]! - prefix[lo + 3 + c]! + plain) / (weight + 1) : plain;
    }
  }
  return out;
}

/** An edge's colours as it continues outwards: the lightly blurred line near it, the widely blurred one further out. */
interface EdgeBlur {
  readonly near: Float32Array;
  readonly far: Float32Array;
}

/** An edge's colours, blurred over everything along it (the background continues) and over the person alone (the person continues). */
interface Edge {
  readonly all: EdgeBlur;
  readonly person: EdgeBlur;
}

/** The four edges' colours for one side of the matte. */
interface Edges {
  readonly top: EdgeBlur;
  readonly bottom: EdgeBlur;
  readonly left: EdgeBlur;
  readonly right: EdgeBlur;
}

/**
 * `personWeight(i)` is how much edge pixel i is the person: the continued person takes the colours of the person
 * along the edge, not the old background beside the shoulders blurred into them.
 */
function edgeOf(data: Uint8Array, count: number, at: (i: number) => number, personWeight?: (i: number) => number): Edge {
  const line = readLine(data, count, at);
  const all = { near: blurredLine(line, NEAR_BLUR), far: blurredLine(line, FAR_BLUR) };
  if (!personWeight) return { all, person: all };
  const weights = Float64Array.from({ length: count }, (_, i) => personWeight(i));
  return { all, person: { near: blurredLine(line, NEAR_BLUR, weights), far: blurredLine(line, FAR_BLUR, weights) } };
}

/**
 * Adds the colour at position `along` the edge (fractional, clamped), `fade` (0 at the edge, 1 far out) of the way to
 * the wide blur, to `sum` (r, g, b).
 */
function addEdgeColour(edge: EdgeBlur, along: number, fade: number, sum: Float64Array): void {
  const n = edge.near.length / 3;
  const c = along < 0 ? 0 : along > n - 1 ? n - 1 : along;
  const i = Math.floor(c);
  const j = i + 1 < n ? i + 1 : n - 1;
  const t = c - i;
  const wi = (1 - t) * (1 - fade);
  const wj = t * (1 - fade);
  const fi = (1 - t) * fade;
  const fj = t * fade;
  const near = edge.near;
  const far = edge.far;
  for (let ch = 0; ch < 3; ch++) sum[ch]! += near[i * 3 + ch]! * wi + near[j * 3 + ch]! * wj + far[i * 3 + ch]! * fi + far[j * 3 + ch]! * fj;
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
  // The person's weight along an edge: nothing below EXTEND_ALPHA (it does not carry on), mixed pixels little.
  const personAt = (x: number, y: number): number => Math.max(0, (sampleBilinear(matte, x * sx, y * sy) - EXTEND_ALPHA) / (1 - EXTEND_ALPHA)) ** 2;
  // Above the top the matte is background: no person continues there.
  const top = edgeOf(data, iw, (i) => i * 3);
  const bottom = edgeOf(
    data,
    iw,
    (i) => ((ih - 1) * iw + i) * 3,
    (i) => personAt(i + 0.5, ih - 0.5),
  );
  const left = edgeOf(
    data,
    ih,
    (i) => i * iw * 3,
    (i) => personAt(0.5, i + 0.5),
  );
  const right = edgeOf(
    data,
    ih,
    (i) => (i * iw + iw - 1) * 3,
    (i) => personAt(iw - 0.5, i + 0.5),
  );
  const background: Edges = { top: top.all, bottom: bottom.all, left: left.all, right: right.all };
  const person: Edges = { top: top.person, bottom: bottom.person, left: left.person, right: right.person };
  const fadeLength = FADE * Math.max(iw, ih);
  let belowBottom = 0;
  let pastSides = 0;
  const sum = new Float64Array(3);
  for (let v = 0; v < height; v++) {
    for (let u = 0; u < width; u++) {
      // The matte is smooth (an upsampled coarse matte): one sample at the pixel's centre is enough.
      const cx = a * (u + 0.5) + b * (v + 0.5) + c;
      const cy = d * (u + 0.5) + e * (v + 0.5) + f;
      let m = 0;
      if (cy >= 0) {
        const edgeAlpha = sampleBilinear(matte, cx * sx, cy * sy);
        // Past an edge only the person carries on: an uncertain matte there would smear the old background outwards.
        m = cy > ih || cx < 0 || cx > iw ? (edgeAlpha >= EXTEND_ALPHA ? edgeAlpha : 0) : edgeAlpha;
        if (m > 0 && cy > ih) belowBottom++;
        else if (m > 0 && (cx < 0 || cx > iw)) pastSides++;
      }
      const edges = m > 0 ? person : background;
      sum[0] = 0;
      sum[1] = 0;
      sum[2] = 0;
      for (let j = 0; j < k; j++) {
        const pv = v + (j + 0.5) / k;
        for (let i = 0; i < k; i++) {
          const pu = u + (i + 0.5) / k;
          // Pixel centres: photo (pu, pv) -> image point; sample at image pixel coordinates (centre at +0.5).
          const x = a * pu + b * pv + c;
          const y = d * pu + e * pv + f;
          if (y > ih || y < 0) addEdgeColour(y < 0 ? edges.top : edges.bottom, x - 0.5, Math.min(1, (y < 0 ? -y : y - ih) / fadeLength), sum);
          else if (x < 0 || x > iw) addEdgeColour(x < 0 ? edges.left : edges.right, y - 0.5, Math.min(1, (x < 0 ? -x : x - iw) / fadeLength), sum);
          else addBilinearRgb(image, x, y, sum);
        }
      }
      const p = (v * width + u) * 3;
      o[p] = sum[0]! * weight;
      o[p + 1] = sum[1]! * weight;
      o[p + 2] = sum[2]! * weight;
      al[v * width + u] = m;
    }
  }
  return { image: out, matte: alpha, continued: { bottom: belowBottom / (width * height), sides: pastSides / (width * height) } };
}
