/**
 * The ID photo from a decoded portrait: find the face, matte the person, measure the head, place it by
 * the spec's numbers, cut the frame out (rotation, scale and crop in one resampling), refine the matte
 * at the photo's resolution, estimate the foreground colours and composite on the background.
 */
import { QrwError } from '../errors.js';
import { applyAffine, type Affine } from './affine.js';
import { measureHead, type HeadMeasure } from './crop/head.js';
import { placeHead, type Placement } from './crop/placement.js';
import { warpFrame } from './crop/warp.js';
import type { Face, FaceDetector } from './face/blazeface.js';
import type { FaceMesh, MeshLandmarks } from './face/mesh.js';
import { photoGeometry, type PhotoGeometry } from './geometry.js';
import { toBytes } from './matte/bytes.js';
import { cleanupMatte } from './matte/cleanup.js';
import { dropOtherPeople, type WithoutOthers } from './matte/other-people.js';
import { composite } from './matte/composite.js';
import { estimateForeground, type ForegroundMethod } from './matte/foreground.js';
import { refineMatte, refineRadius } from './matte/guided-filter.js';
import type { Image, Rgb } from './matte/image.js';
import type { MattingEngine } from './matting/engine.js';
import type { RgbImage } from './rgb.js';
import type { IdPhotoSpec } from './specs.js';

export interface PipelineModels {
  readonly detector: FaceDetector;
  readonly mesh: FaceMesh;
  readonly engine: MattingEngine;
}

/**
 * The face used: BlazeFace's detection, its eyes replaced by the face mesh's and the chin added where the
 * mesh sees the face (`landmarks: 'mesh'`); the detector's own eyes, and no chin, where it does not.
 */
export interface LocatedFace extends Face, Partial<Pick<MeshLandmarks, 'chin' | 'yaw' | 'mouthOpen'>> {
  readonly landmarks: 'mesh' | 'detector';
}

/** The background for a photo of the given size: a flat colour or an image (gradients); null keeps the picture's own (a crop without matting). */
export type BackgroundFill = ((width: number, height: number) => Rgb | Image) | null;

export interface PipelineOptions {
  readonly spec: IdPhotoSpec;
  readonly background: BackgroundFill;
  /** Several faces of similar size: fail (the default) or take the largest. */
  readonly pick?: 'single' | 'largest';
  /** Foreground colour estimation before compositing; 'none' composites the photo's own colours. */
  readonly foreground?: ForegroundMethod | 'none';
  /** The edge's colour decontamination after the foreground estimate (on unless false; the benchmark measures it apart). */
  readonly edgeColours?: boolean;
  /** Photo pixels per spec pixel: 2 makes the high-resolution copy at twice the dpi. */
  readonly resolution?: number;
}

export interface StageTimes {
  face: number;
  matting: number;
  placement: number;
  refinement: number;
  composition: number;
}

export interface PipelineResult {
  readonly geometry: PhotoGeometry;
  /** The photo, composited. */
  readonly photo: RgbImage;
  /** The background it was composited on; null where it keeps the picture's own (a crop). */
  readonly fill: Rgb | Image | null;
  /** The person's colours (foreground estimate) and alpha, for the transparent cut-out. */
  readonly foreground: Image;
  readonly alpha: Image;
  readonly face: LocatedFace;
  readonly faces: number;
  /** Faces the photo shows: the subject's, and any other face that was neither cut away nor left outside the frame. */
  readonly facesInPhoto: number;
  readonly head: HeadMeasure;
  readonly placement: Placement;
  /** Pixel of the portrait given -> pixel of the photo. */
  readonly transform: Affine;
  /** Share of the photo where the person is continued past the picture's edges (smoothed from them, not photographed). */
  readonly continued: number;
  readonly warnings: string[];
  readonly times: StageTimes;
}

/** Beyond this enlargement the photo is too soft to be accepted (FACE_TOO_SMALL). */
export const MAX_UPSCALE = 2.5;
/** Beyond this enlargement the photo is made, with a warning. */
const WARN_UPSCALE = 1.25;
/** Beyond this share of the photo showing the person continued past the picture's edges, the report warns. */
const WARN_CONTINUED = 0.1;
/**
 * Beyond this yaw (degrees, from the face mesh) the report warns that the face is turned. ISO/IEC 19794-5 allows 5°;
 * the mesh's yaw of frontal test portraits spreads over -4 to +2, so the warning waits for a turn it can tell apart.
 */
const WARN_YAW = 10;
/**
 * Beyond this parting of the lips (the inner lips' gap over the mouth's width, from the face mesh) the report warns
 * that the mouth is open: the middle of the gap between the test portraits' closed mouths (at most 0.08) and their
 * smiles showing teeth (0.15 and more).
 */
const WARN_MOUTH_OPEN = 0.12;
/** Beyond this share of the outline cut away as other people, the report says so. */
const WARN_DROPPED = 0.01;
/** Faces at least this share of the largest one's width count as other people in the picture. */
const OTHER_FACE_SHARE = 0.5;

/** Only the refinement's colour edges matter within the matte's transition; eps as for the coarse-to-fine refinement. */
const REFINE_EPS = 1e-3;

function chooseFace(faces: readonly Face[], pick: 'single' | 'largest', warnings: string[]): Face {
  if (faces.length === 0) throw new QrwError('NO_FACE', 'No face was found in the portrait.');
  const largest = faces.reduce((best, f) => (f.box.width > best.box.width ? f : best));
  const similar = faces.filter((f) => f.box.width >= OTHER_FACE_SHARE * largest.box.width);
  if (similar.length > 1) {
    if (pick !== 'largest') throw new QrwError('MULTIPLE_FACES', `${similar.length} faces of similar size were found; send one person, or pick=largest.`, { faces: similar.length });
    warnings.push(`${similar.length} faces were found; the largest was used.`);
  }
  return largest;
}

const now = (): number => performance.now();

/** A face shows in the photo where at least this share of a grid over its box lands inside the frame (and on the person, when the background was replaced). */
const SHOWN_FACE_SHARE = 0.08;

/** Whether a face of the portrait (its box) shows in the photo: inside the frame, and where `alpha` is given, on the person. */
function showsInPhoto(box: Face['box'], transform: Affine, frame: { width: number; height: number }, alpha: Image | null): boolean {
  const side = 5;
  let shown = 0;
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      const p = applyAffine(transform, { x: box.x + ((i + 0.5) / side) * box.width, y: box.y + ((j + 0.5) / side) * box.height });
      const x = Math.floor(p.x);
      const y = Math.floor(p.y);
      if (x >= 0 && y >= 0 && x < frame.width && y < frame.height && (!alpha || alpha.data[y * alpha.width + x]! >= 0.5)) shown++;
    }
  }
  return shown >= SHOWN_FACE_SHARE * side * side;
}

/**
 * The engine's matte cut down to the subject: the region holding the chosen face (the middle of the picture without
 * one), its holes filled, without the people of the other faces found.
 */
export function isolateSubject(coarse: Image, rgb: RgbImage, subject: Face | undefined, faces: readonly Face[]): WithoutOthers {
  const centre = subject ? { x: subject.box.x + subject.box.width / 2, y: subject.box.y + subject.box.height / 2 } : { x: rgb.width / 2, y: rgb.height / 2 };
  const matte = cleanupMatte(coarse, { x: (centre.x * coarse.width) / rgb.width, y: (centre.y * coarse.height) / rgb.height });
  if (!subject) return { matte, dropped: 0 };
  return dropOtherPeople(
    matte,
    rgb,
    subject.box,
    faces.filter((f) => f !== subject).map((f) => f.box),
  );
}

export interface FoundPerson {
  readonly faces: number;
  readonly face: LocatedFace;
  /** The other faces found, in the portrait's pixels. */
  readonly others: readonly Face[];
  /** Share of the matte cut away as the people of other faces. */
  readonly dropped: number;
  /** The engine's matte, cleaned up around the chosen face (the model's resolution). */
  readonly matte: Image;
}

/** The pipeline's first stages: the face chosen and the person matted, in the portrait's pixels. */
export async function findPerson(rgb: RgbImage, models: PipelineModels, pick: 'single' | 'largest', warnings: string[], times?: StageTimes): Promise<FoundPerson> {
  let t = now();
  const faces = await models.detector.detect(rgb);
  const detected = chooseFace(faces, pick, warnings);
  const mesh = await models.mesh.landmarks(rgb, detected);
  const face: LocatedFace = mesh
    ? { ...detected, rightEye: mesh.rightEye, leftEye: mesh.leftEye, chin: mesh.chin, yaw: mesh.yaw, mouthOpen: mesh.mouthOpen, landmarks: 'mesh' }
    : { ...detected, landmarks: 'detector' };
  if (face.yaw !== undefined && Math.abs(face.yaw) > WARN_YAW)
    warnings.push(
      `The face is turned about ${Math.round(Math.abs(face.yaw))}° from the camera; ID photos want it facing the lens (ISO/IEC 19794-5 allows 5°). A picture looking straight at the camera passes.`,
    );
  if (face.mouthOpen !== undefined && face.mouthOpen > WARN_MOUTH_OPEN)
    warnings.push('The mouth is open: most ID photo rules want a neutral expression with the mouth closed (the US allows a natural smile).');
  if (times) times.face = now() - t;

  t = now();
  const coarse = await models.engine.matte(rgb);
  const { matte, dropped } = isolateSubject(coarse, rgb, detected, faces);
  if (times) times.matting = now() - t;
  return { faces: faces.length, face, others: faces.filter((f) => f !== detected), dropped, matte };
}

export async function runPipeline(rgb: RgbImage, models: PipelineModels, options: PipelineOptions): Promise<PipelineResult> {
  const warnings: string[] = [];
  const times: StageTimes = { face: 0, matting: 0, placement: 0, refinement: 0, composition: 0 };
  const { faces, face, others, dropped, matte } = await findPerson(rgb, models, options.pick ?? 'single', warnings, times);
  // A crop keeps the picture as it is: the matte only measures the head there, and nobody is cut away.
  if (dropped > WARN_DROPPED && options.background !== null)
    warnings.push(`Another person joined to the subject's outline was cut away (${Math.round(100 * dropped)} % of the outline): check the photo's edges.`);

  let t = now();
  const resolution = options.resolution ?? 1;
  const base = photoGeometry(options.spec);
  const geometry = resolution === 1 ? base : scaleGeometry(base, resolution);
  const head = measureHead(face, matte, rgb.width, rgb.height);
  if (head.crownCutOff && options.spec.crown === 'hair')
    warnings.push('The hair runs off the top of the picture: the crown was estimated from the face, so the head height may be short. Send a picture with space above the head.');
  const placement = placeHead(head, options.spec.crown, geometry, rgb);
  for (const c of placement.conflicts) warnings.push(`Placement: ${c}.`);
  if (placement.scale > MAX_UPSCALE)
    throw new QrwError('FACE_TOO_SMALL', `The face is too small for this photo: it would be enlarged ${placement.scale.toFixed(1)} times (at most ${MAX_UPSCALE}). Send a larger or closer picture.`, {
      upscale: Number(placement.scale.toFixed(2)),
      maxUpscale: MAX_UPSCALE,
    });
  if (placement.scale > WARN_UPSCALE) warnings.push(`The face was enlarged ${placement.scale.toFixed(2)} times: the photo may look soft. A larger picture gives a sharper photo.`);
  const frame = warpFrame(rgb, matte, placement.transform, geometry.width, geometry.height);
  const continued = frame.continued.bottom + frame.continued.sides;
  if (continued > WARN_CONTINUED) {
    const edges = [frame.continued.bottom > 0.01 && 'bottom edge', frame.continued.sides > 0.01 && 'sides'].filter(Boolean).join(' and ');
    warnings.push(
      `${Math.round(100 * continued)} % of the photo continues the person past the picture's ${edges}, smoothed from its edge: a picture with more room around the shoulders gives real ones.`,
    );
  }
  times.placement = now() - t;

  t = now();
  const coarsePixel = placement.scale * Math.max(rgb.width / matte.width, rgb.height / matte.height);
  const radius = refineRadius(coarsePixel);
  const alpha = refineMatte(frame.image, frame.matte, { radius, eps: REFINE_EPS, scale: coarsePixel });
  times.refinement = now() - t;

  t = now();
  const method = options.background === null ? 'none' : (options.foreground ?? 'blur-fusion');
  const foreground = method === 'none' ? frame.image : estimateForeground(frame.image, alpha, { method, edgeRadius: options.edgeColours === false ? 0 : radius });
  const fill = options.background === null ? null : options.background(geometry.width, geometry.height);
  const composed = fill === null ? frame.image : composite(foreground, alpha, fill);
  const photo: RgbImage = { data: toBytes(composed), width: composed.width, height: composed.height };
  times.composition = now() - t;

  // A crop keeps the picture's own background, and with it every other face inside the frame.
  const facesInPhoto = 1 + others.filter((f) => showsInPhoto(f.box, placement.transform, geometry, fill === null ? null : alpha)).length;
  return { geometry, photo, fill, foreground, alpha, face, faces, facesInPhoto, head, placement, transform: placement.transform, continued, warnings, times };
}

function scaleGeometry(g: PhotoGeometry, k: number): PhotoGeometry {
  const r = (range: { min: number; max: number } | undefined): { min: number; max: number } | undefined => range && { min: range.min * k, max: range.max * k };
  return {
    width: Math.round(g.width * k),
    height: Math.round(g.height * k),
    dpi: g.dpi * k,
    ...(g.head && { head: r(g.head) }),
    ...(g.crownMargin && { crownMargin: r(g.crownMargin) }),
    ...(g.eyesFromTop && { eyesFromTop: r(g.eyesFromTop) }),
  };
}
