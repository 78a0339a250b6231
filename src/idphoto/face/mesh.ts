/**
 * The face's landmarks from MediaPipe Face Mesh (models/facemesh, Apache-2.0), run by TensorFlow.js on
 * its WebAssembly backend: 468 points of a face cropped square around a BlazeFace detection and levelled
 * by its eye line, as MediaPipe's face landmark graph crops it. BlazeFace gives the eyes and the mouth but
 * no chin; the mesh gives the chin, and an eye line that tilts less (measured against hand-marked
 * portraits in docs/design/idphoto.md).
 */
import type { Tensor } from '@tensorflow/tfjs-core';
import { headAxis } from '../crop/head.js';
import type { Point } from '../affine.js';
import { addBilinearRgb, type RgbImage } from '../rgb.js';
import { loadGraphModelFiles } from '../tfjs-graph.js';
import type { Face } from './blazeface.js';

/** The model's input side (input_1:0 [1,192,192,3] RGB in 0..1). */
export const MESH_SIZE = 192;
/** MediaPipe's region for the mesh from a detection: the box's longer side 1.5 times, square, centred on the box. */
const ROI_SCALE = 1.5;
/** The mesh's own face probability (output_faceflag, after its sigmoid) below which its points are not used. */
const MIN_FACE_FLAG = 0.5;
/**
 * Vertex 152, the mesh's chin, lies on the 3-D chin's front; the menton (the lowest point of the chin's
 * outline, which ID-photo rules measure to) is this share of the eye line to chin distance below it: the
 * mean over the 20 hand-marked test portraits (test/fixtures/idphoto/portrait-landmarks.json), 0.048.
 */
export const CHIN_BELOW_MESH = 0.05;
/** Mesh vertices (MediaPipe's canonical face): each eye's corners and lids, whose mean is the eye's centre, and the chin. */
const RIGHT_EYE = [33, 133, 159, 145] as const;
const LEFT_EYE = [362, 263, 386, 374] as const;
const CHIN = 152;
/** The face's outline at the cheekbones, on the subject's right (the image's left) and left: their depths give the yaw. */
const RIGHT_CHEEK = 234;
const LEFT_CHEEK = 454;
/** The inner lips' middle (upper, lower) and the mouth's corners: how far the lips part, as a share of the mouth's width. */
const UPPER_LIP = 13;
const LOWER_LIP = 14;
const MOUTH_CORNERS = [61, 291] as const;
const OUTPUT_MESH = 'Identity_2:0';
const OUTPUT_FACE_FLAG = 'Identity_1:0';

/** A face as the mesh sees it, in the pixels of the image given; the eyes are the subject's (the right one on the image's left). */
export interface MeshLandmarks {
  readonly rightEye: Point;
  readonly leftEye: Point;
  readonly chin: Point;
  /**
   * How far the face is turned from the camera, in degrees, from the depth of the two cheeks' outline: positive when
   * it turns towards the image's right (the subject's left). Frontal test portraits give -4 to +2, profiles -45 to -53.
   */
  readonly yaw: number;
  /**
   * How far the lips part: the gap between the inner lips over the mouth's width. Closed mouths of the test portraits
   * give 0-0.08, smiles showing teeth 0.15-0.34.
   */
  readonly mouthOpen: number;
  /** The mesh's face probability, 0..1. */
  readonly score: number;
}

/** What the crop needs of a detected face: its box and eyes. */
export type DetectedFace = Pick<Face, 'box' | 'rightEye' | 'leftEye'>;

export interface FaceMesh {
  /** The landmarks of the face detected at `face`, or null where the mesh sees no face there. */
  landmarks(image: RgbImage, face: DetectedFace): Promise<MeshLandmarks | null>;
  release(): Promise<void>;
}

/** A square region of the image, `size` px wide, centred at `centre`, its x axis along `across` (a unit vector). */
export interface LevelledRegion {
  readonly centre: Point;
  readonly size: number;
  readonly across: Point;
}

/** The region MediaPipe crops for the mesh: the detection box scaled, levelled by the eye line. */
export function meshRegion(face: DetectedFace): LevelledRegion {
  return {
    centre: { x: face.box.x + face.box.width / 2, y: face.box.y + face.box.height / 2 },
    size: Math.max(face.box.width, face.box.height) * ROI_SCALE,
    across: headAxis(face.rightEye, face.leftEye).across,
  };
}

/** A point of the region's `side` x `side` pixel grid in the image. */
export function regionToImage(region: LevelledRegion, side: number, u: number, v: number): Point {
  const { centre, size, across } = region;
  const a = (u / side - 0.5) * size;
  const b = (v / side - 0.5) * size;
  return { x: centre.x + across.x * a - across.y * b, y: centre.y + across.y * a + across.x * b };
}

/**
 * The region resampled to `side` x `side` as an NHWC tensor in 0..1: each output pixel the mean of up to 2x2
 * bilinear samples where the region is shrunk (finer grids, up to 4x4, gave the same landmarks on the test
 * portraits at four times the cost); outside the image the edge pixels repeat.
 */
export function cropRegion(image: RgbImage, region: LevelledRegion, side: number, out = new Float32Array(side * side * 3)): Float32Array {
  const step = region.size / side;
  const taps = Math.min(2, Math.max(1, Math.ceil(step)));
  const weight = 1 / (255 * taps * taps);
  const { across } = region;
  const origin = regionToImage(region, side, 0, 0);
  const sum = new Float64Array(3);
  for (let v = 0; v < side; v++) {
    for (let u = 0; u < side; u++) {
      sum.fill(0);
      for (let j = 0; j < taps; j++) {
        for (let i = 0; i < taps; i++) {
          const a = (u + (i + 0.5) / taps) * step;
          const b = (v + (j + 0.5) / taps) * step;
          addBilinearRgb(image, origin.x + across.x * a - across.y * b, origin.y + across.y * a + across.x * b, sum);
        }
      }
      const o = (v * side + u) * 3;
      out[o] = sum[0]! * weight;
      out[o + 1] = sum[1]! * weight;
      out[o + 2] = sum[2]! * weight;
    }
  }
  return out;
}

/** The landmarks from the mesh's 468 x, y, z triples (x, y in the crop's pixels). */
export function meshLandmarks(mesh: Float32Array, region: LevelledRegion, score: number): MeshLandmarks {
  const vertex = (k: number): Point => regionToImage(region, MESH_SIZE, mesh[3 * k]!, mesh[3 * k + 1]!);
  const mean = (ks: readonly number[]): Point => {
    const points = ks.map(vertex);
    return { x: points.reduce((s, p) => s + p.x, 0) / points.length, y: points.reduce((s, p) => s + p.y, 0) / points.length };
  };
  const rightEye = mean(RIGHT_EYE);
  const leftEye = mean(LEFT_EYE);
  const meshChin = vertex(CHIN);
  const { up, above } = headAxis(rightEye, leftEye);
  const drop = -above(meshChin) * CHIN_BELOW_MESH;
  // The mesh's z runs away from the camera, in the crop's pixels like x.
  const across = mesh[3 * LEFT_CHEEK]! - mesh[3 * RIGHT_CHEEK]!;
  const depth = mesh[3 * LEFT_CHEEK + 2]! - mesh[3 * RIGHT_CHEEK + 2]!;
  const yaw = (Math.atan2(depth, across) * 180) / Math.PI;
  const distance = (a: number, b: number): number => Math.hypot(mesh[3 * a]! - mesh[3 * b]!, mesh[3 * a + 1]! - mesh[3 * b + 1]!);
  const mouthOpen = distance(UPPER_LIP, LOWER_LIP) / distance(MOUTH_CORNERS[0], MOUTH_CORNERS[1]);
  return { rightEye, leftEye, chin: { x: meshChin.x - up.x * drop, y: meshChin.y - up.y * drop }, yaw, mouthOpen, score };
}

/** Loads the model from models/facemesh (read from disk, nothing fetched). */
export async function loadFaceMesh(): Promise<FaceMesh> {
  const { tf, model } = await loadGraphModelFiles('facemesh', 'facemesh');
  let released = false;

  const landmarks = async (image: RgbImage, face: DetectedFace): Promise<MeshLandmarks | null> => {
    if (released) throw new Error('The face mesh was released.');
    const region = meshRegion(face);
    if (!(region.size > 0)) return null;
    const input = cropRegion(image, region, MESH_SIZE);
    const outputs = tf.tidy(() => model.execute(tf.tensor4d(input, [1, MESH_SIZE, MESH_SIZE, 3]), [OUTPUT_MESH, OUTPUT_FACE_FLAG]) as Tensor[]);
    try {
      const [mesh, flag] = (await Promise.all(outputs.map((t) => t.data()))) as Float32Array[];
      if (mesh!.length !== 468 * 3) throw new Error(`The face mesh gave ${mesh!.length} values, expected ${468 * 3}.`);
      const score = flag![0]!;
      return score >= MIN_FACE_FLAG ? meshLandmarks(mesh!, region, score) : null;
    } finally {
      for (const t of outputs) t.dispose();
    }
  };

  const release = (): Promise<void> => {
    if (!released) model.dispose();
    released = true;
    return Promise.resolve();
  };

  return { landmarks, release };
}
