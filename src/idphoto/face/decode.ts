/**
 * BlazeFace's raw outputs to detections, as MediaPipe's TensorsToDetections and NonMaxSuppression
 * calculators do for face_detection_front/back: sigmoid scores, offsets from the anchors scaled by the
 * input size, then weighted non-maximum suppression (overlapping boxes blended by score).
 */

/** The number of values a keypoint array holds: 6 keypoints, x then y. */
export const KEYPOINT_VALUES = 12;

/** One detection in 0..1 of the model input. */
export interface RawDetection {
  readonly score: number;
  readonly xMin: number;
  readonly yMin: number;
  readonly width: number;
  readonly height: number;
  /** x0, y0, ..., x5, y5 in MediaPipe's order: right eye, left eye, nose tip, mouth, right ear, left ear. */
  readonly keypoints: Float32Array;
}

/** MediaPipe clips raw scores to +-100 before the sigmoid so that exp() cannot overflow. */
const SCORE_CLIP = 100;
/** Values each anchor regresses: box centre and size, then the 6 keypoints. */
const COORDS = 16;

/**
 * Decodes the anchors whose score passes minScore. `scores` holds one logit an anchor and `boxes` 16
 * values an anchor, both in the order of `anchors` (x, y centre pairs in 0..1).
 */
export function decodeDetections(scores: Float32Array, boxes: Float32Array, anchors: Float32Array, inputSize: number, minScore: number): RawDetection[] {
  const count = anchors.length / 2;
  if (scores.length !== count || boxes.length !== count * COORDS) throw new RangeError(`Expected ${count} scores and ${count * COORDS} box values, got ${scores.length} and ${boxes.length}.`);
  // Comparing logits avoids a sigmoid for the anchors that fail, nearly all of them.
  const minLogit = Math.log(minScore / (1 - minScore));
  const out: RawDetection[] = [];
  for (let i = 0; i < count; i++) {
    const logit = Math.min(Math.max(scores[i]!, -SCORE_CLIP), SCORE_CLIP);
    if (!(logit >= minLogit)) continue;
    const ax = anchors[2 * i]!;
    const ay = anchors[2 * i + 1]!;
    const b = i * COORDS;
    const cx = ax + boxes[b]! / inputSize;
    const cy = ay + boxes[b + 1]! / inputSize;
    const width = boxes[b + 2]! / inputSize;
    const height = boxes[b + 3]! / inputSize;
    const keypoints = new Float32Array(KEYPOINT_VALUES);
    for (let k = 0; k < KEYPOINT_VALUES; k += 2) {
      keypoints[k] = ax + boxes[b + 4 + k]! / inputSize;
      keypoints[k + 1] = ay + boxes[b + 5 + k]! / inputSize;
    }
    out.push({ score: 1 / (1 + Math.exp(-logit)), xMin: cx - width / 2, yMin: cy - height / 2, width, height, keypoints });
  }
  return out;
}

export function iou(a: RawDetection, b: RawDetection): number {
  const w = Math.min(a.xMin + a.width, b.xMin + b.width) - Math.max(a.xMin, b.xMin);
  const h = Math.min(a.yMin + a.height, b.yMin + b.height) - Math.max(a.yMin, b.yMin);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * MediaPipe's weighted NMS: the best remaining detection absorbs every detection overlapping it by more
 * than `threshold` IoU, its box and keypoints becoming their score-weighted mean (steadier than the
 * single best anchor) and its score the best one's.
 */
export function weightedNms(detections: readonly RawDetection[], threshold: number): RawDetection[] {
  let remaining = [...detections].sort((a, b) => b.score - a.score);
  const out: RawDetection[] = [];
  while (remaining.length > 0) {
    const best = remaining[0]!;
    const group: RawDetection[] = [];
    const rest: RawDetection[] = [];
    for (const d of remaining) (iou(best, d) > threshold || d === best ? group : rest).push(d);
    remaining = rest;
    if (group.length === 1) {
      out.push(best);
      continue;
    }
    let total = 0;
    let xMin = 0;
    let yMin = 0;
    let xMax = 0;
    let yMax = 0;
    const keypoints = new Float32Array(KEYPOINT_VALUES);
    for (const d of group) {
      total += d.score;
      xMin += d.xMin * d.score;
      yMin += d.yMin * d.score;
      xMax += (d.xMin + d.width) * d.score;
      yMax += (d.yMin + d.height) * d.score;
      for (let k = 0; k < KEYPOINT_VALUES; k++) keypoints[k]! += d.keypoints[k]! * d.score;
    }
    for (let k = 0; k < KEYPOINT_VALUES; k++) keypoints[k]! /= total;
    out.push({ score: best.score, xMin: xMin / total, yMin: yMin / total, width: (xMax - xMin) / total, height: (yMax - yMin) / total, keypoints });
  }
  return out;
}
