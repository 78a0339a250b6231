/**
 * Where the head is: the eye line, roll and chin from the face's landmarks (the chin from average
 * facial proportions where the face mesh gave none), the top of the skull from proportions, the top
 * of the hair from the matte. Distances run along the head's own vertical axis (perpendicular to the
 * eye line), in pixels of the image the face was found in.
 */
import type { Point } from '../affine.js';
import type { Image } from '../matte/image.js';
import { sampleBilinear } from '../matte/resize.js';

/** What the measurement needs of a face (src/idphoto/face): the subject's eyes, mouth centre, box, and the chin where the face mesh found it. */
export interface FaceLandmarks {
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly rightEye: Point;
  readonly leftEye: Point;
  readonly mouth: Point;
  readonly chin?: Point;
}

export interface HeadMeasure {
  /** Midpoint of the eye centres. */
  readonly eyes: Point;
  /** Eye line angle in degrees (positive: the eye on the image's right is lower); rotating by minus this levels it. */
  readonly roll: number;
  readonly eyeDistance: number;
  readonly faceWidth: number;
  /** Eye line to chin: the face mesh's chin, or an estimate from the mouth where there is none. */
  readonly chinBelowEyes: number;
  /** Eye line to the top of the skull (an estimate from proportions). */
  readonly skullAboveEyes: number;
  /** Eye line to the top of the hair, from the matte; the skull estimate where the matte shows nothing higher. */
  readonly hairAboveEyes: number;
  /** The person's silhouette runs off the image's top edge above the head: the real hair top is higher than measured. */
  readonly crownCutOff: boolean;
}

/**
 * Where the face mesh gave no chin: the chin below BlazeFace's mouth point as a share of the eye line to
 * mouth distance. Anthropometric norms of adult faces give about 0.7 (stomion to gnathion 46-50 mm,
 * pupils to stomion 62-68 mm; Farkas 1994); on portraits the visible chin sits higher (smiles lower the
 * mouth point, cameras look down a little): the hand-marked chins of 20 test portraits
 * (test/fixtures/idphoto/portrait-landmarks.json) give a mean of 0.60 (0.46-0.79).
 */
export const CHIN_RATIO = 0.6;
/** Top of the skull above the eye line as a share of the eye line to chin distance: the eyes sit about halfway down the head (vertex to gnathion ~217-232 mm). */
export const SKULL_RATIO = 1.0;
/** Alpha at or above this is the person when the hair top is looked for. */
const PERSON = 0.5;

export interface HeadAxis {
  /** Midpoint of the eye centres. */
  readonly eyes: Point;
  readonly eyeDistance: number;
  /** Eye line angle in degrees (positive: the eye on the image's right is lower). */
  readonly roll: number;
  /** Unit vectors along the eye line (towards the subject's left eye) and up the head. */
  readonly across: Point;
  readonly up: Point;
  /** How far a point lies above the eye line, along the head's axis. */
  readonly above: (p: Point) => number;
}

/** The head's own axes from the two eye centres. */
export function headAxis(rightEye: Point, leftEye: Point): HeadAxis {
  const eyes = { x: (rightEye.x + leftEye.x) / 2, y: (rightEye.y + leftEye.y) / 2 };
  const ex = leftEye.x - rightEye.x;
  const ey = leftEye.y - rightEye.y;
  const eyeDistance = Math.hypot(ex, ey);
  const across = { x: ex / eyeDistance, y: ey / eyeDistance };
  const up = { x: across.y, y: -across.x };
  return { eyes, eyeDistance, roll: (Math.atan2(ey, ex) * 180) / Math.PI, across, up, above: (p) => (p.x - eyes.x) * up.x + (p.y - eyes.y) * up.y };
}

/**
 * The head of `face` in an image of `width` x `height` px whose person matte is `matte` (any resolution,
 * stretched over the whole image, as the engines give it).
 */
export function measureHead(face: FaceLandmarks, matte: Image, width: number, height: number): HeadMeasure {
  const { eyes, eyeDistance, roll, across, up, above } = headAxis(face.rightEye, face.leftEye);
  const chinBelowEyes = face.chin ? -above(face.chin) : -above(face.mouth) * (1 + CHIN_RATIO);
  const skullAboveEyes = chinBelowEyes * SKULL_RATIO;
  const faceWidth = face.box.width;

  // Walk up from the eye line along the head's axis, in columns across the crown, until the matte ends.
  const mx = matte.width / width;
  const my = matte.height / height;
  const step = Math.max(0.5, 0.5 / Math.min(mx, my));
  const limit = 4 * chinBelowEyes;
  let hair = 0;
  let crownCutOff = false;
  const columns = 9;
  for (let c = 0; c < columns; c++) {
    const offset = (c / (columns - 1) - 0.5) * 0.6 * faceWidth;
    const bx = eyes.x + across.x * offset;
    const by = eyes.y + across.y * offset;
    for (let t = 0; t <= limit; t += step) {
      const x = bx + up.x * t;
      const y = by + up.y * t;
      if (y < 0 || x < 0 || x >= width) {
        // Any column that leaves through the top is hair cut by it; through a side, only the middle ones
        // count: the outer ones leave the frame beside a head that fits.
        if (y < 0 || Math.abs(offset) <= 0.2 * faceWidth) crownCutOff = true;
        hair = Math.max(hair, t);
        break;
      }
      if (sampleBilinear(matte, x * mx, y * my) < PERSON) {
        hair = Math.max(hair, t);
        break;
      }
    }
  }
  const hairAboveEyes = crownCutOff ? Math.max(hair, skullAboveEyes) : hair < 0.5 * skullAboveEyes ? skullAboveEyes : hair;
  return { eyes, roll, eyeDistance, faceWidth, chinBelowEyes, skullAboveEyes: Math.min(skullAboveEyes, hairAboveEyes), hairAboveEyes, crownCutOff };
}
