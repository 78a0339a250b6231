/**
 * Face detection with both eye centres: MediaPipe BlazeFace (models/blazeface, Apache-2.0) run by
 * onnxruntime-node, on the CPU unless the CUDA device is asked for. The eyes give the roll to correct
 * and, with the box, where the head is.
 */
import { readFile } from 'node:fs/promises';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { modelDir } from '../model-dir.js';
import { deviceError, executionProviders, type OnnxDevice } from '../onnx-device.js';
import { BACK_ANCHORS, FRONT_ANCHORS, generateAnchors, type AnchorOptions } from './anchors.js';
import { decodeDetections, weightedNms, type RawDetection } from './decode.js';
import { letterboxToTensor, type LetterboxTransform, type RgbImage } from './letterbox.js';

export type { RgbImage } from './letterbox.js';
export type { OnnxDevice } from '../onnx-device.js';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/**
 * A face in the pixels of the image given to detect() (the box may reach past its edges). "Right" and
 * "left" are the subject's: the right eye appears on the image's left.
 */
export interface Face {
  readonly score: number;
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly rightEye: Point;
  readonly leftEye: Point;
  readonly noseTip: Point;
  readonly mouth: Point;
  readonly rightEar: Point;
  readonly leftEar: Point;
}

/**
 * 'back' (the default): the 256x256 model, made for faces farther from a rear camera; on portraits its
 * eye points move less under rotation, mirroring and rescaling, and it still finds faces a tenth of the
 * frame wide. 'front': the 128x128 selfie model, a quarter of the work, and the one that still finds a
 * face filling the whole frame.
 */
export type BlazeFaceModel = 'front' | 'back';

export interface FaceDetectorOptions {
  readonly model?: BlazeFaceModel;
  /** Faces scoring below this are dropped (0..1). */
  readonly minScore?: number;
  /** Overlapping detections above this IoU are blended into one. */
  readonly iouThreshold?: number;
  /** Threads one inference may use; 1 because the tool runs one detector per worker thread. */
  readonly intraOpThreads?: number;
  /** 'cpu' (the default) or 'cuda': an error, not a fallback, where onnxruntime-node has no CUDA provider (src/idphoto/onnx-device.ts). */
  readonly device?: OnnxDevice;
}

export interface FaceDetector {
  readonly model: BlazeFaceModel;
  /** The faces in an RGB image, best first. */
  detect(image: RgbImage): Promise<Face[]>;
  /** Frees the native session. */
  release(): Promise<void>;
}

const MODELS: Record<BlazeFaceModel, { readonly file: string; readonly anchors: AnchorOptions }> = {
  front: { file: 'face_detection_front_128x128_barracuda.onnx', anchors: FRONT_ANCHORS },
  back: { file: 'face_detection_back_256x256_barracuda.onnx', anchors: BACK_ANCHORS },
};

/** Above every stray detection on the test portraits and well below the scores of their faces. */
const MIN_SCORE = 0.6;
/** MediaPipe's suppression threshold for its face detection graphs. */
const IOU_THRESHOLD = 0.3;

/** The model file's URL, wherever this module runs from. */
export function modelUrl(model: BlazeFaceModel = 'back'): URL {
  const file = MODELS[model].file;
  return new URL(file, modelDir('blazeface', file));
}

/** Loads the model; onnxruntime-node (a large native library) is imported here, when a face is first needed, not when this module loads. */
export async function loadFaceDetector(options: FaceDetectorOptions = {}): Promise<FaceDetector> {
  const model = options.model ?? 'back';
  const info = MODELS[model];
  const minScore = options.minScore ?? MIN_SCORE;
  const iouThreshold = options.iouThreshold ?? IOU_THRESHOLD;
  const device = options.device ?? 'cpu';
  const [ort, bytes, providers] = await Promise.all([import('onnxruntime-node'), readFile(modelUrl(model)), executionProviders(device)]);
  const sessionOptions: InferenceSession.SessionOptions = {
    // None for the CPU: onnxruntime's default, as before the option existed.
    ...(providers ? { executionProviders: providers } : {}),
    intraOpNumThreads: options.intraOpThreads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // The CPU arena stays on: turning it off did not lower the RSS measurably with a model this small.
    enableCpuMemArena: true,
    // Level 3 (errors only): the converted graphs carry unused initializers that ORT warns about at every load.
    logSeverityLevel: 3,
  };
  const session = await ort.InferenceSession.create(bytes, sessionOptions).catch((error: unknown) => {
    throw deviceError(device, 'BlazeFace', error);
  });
  const size = info.anchors.inputSize;
  const inputName = session.inputNames[0]!;
  const [scores1, scores2, boxes1, boxes2] = [outputNamed(session, 512, 1), outputNamed(session, 384, 1), outputNamed(session, 512, 16), outputNamed(session, 384, 16)];
  const anchors = generateAnchors(info.anchors);

  const detect = async (image: RgbImage): Promise<Face[]> => {
    // A tensor per call, not one reused: overlapping calls would otherwise overwrite an input still being read.
    const { tensor, transform } = letterboxToTensor(image, size);
    const feeds: Record<string, Tensor> = { [inputName]: new ort.Tensor('float32', tensor, [1, size, size, 3]) };
    const results: InferenceSession.OnnxValueMapType = await session.run(feeds);
    // The outputs come per feature map (16x16 cells, then 8x8); joined they follow the anchors' order.
    const scores = concat(results[scores1]!.data as Float32Array, results[scores2]!.data as Float32Array);
    const boxes = concat(results[boxes1]!.data as Float32Array, results[boxes2]!.data as Float32Array);
    const raw = decodeDetections(scores, boxes, anchors, size, minScore);
    return weightedNms(raw, iouThreshold).map((d) => toFace(d, transform));
  };

  return { model, detect, release: () => session.release() };
}

/** The output of shape [1, anchors, values], found by shape rather than by name or position. */
function outputNamed(session: InferenceSession, anchors: number, values: number): string {
  const found = session.outputMetadata.find((m) => m.isTensor && m.shape.length === 3 && m.shape[1] === anchors && m.shape[2] === values);
  if (!found) throw new Error(`The BlazeFace model has no [1, ${anchors}, ${values}] output (outputs: ${session.outputNames.join(', ')}).`);
  return found.name;
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A detection in 0..1 of the model input to the pixels of the original image (the letterbox undone). */
function toFace(d: RawDetection, t: LetterboxTransform): Face {
  const px = (x: number): number => (x * t.size - t.padX) / t.scaleX;
  const py = (y: number): number => (y * t.size - t.padY) / t.scaleY;
  const point = (k: number): Point => ({ x: px(d.keypoints[2 * k]!), y: py(d.keypoints[2 * k + 1]!) });
  const x = px(d.xMin);
  const y = py(d.yMin);
  return {
    score: d.score,
    box: { x, y, width: px(d.xMin + d.width) - x, height: py(d.yMin + d.height) - y },
    rightEye: point(0),
    leftEye: point(1),
    noseTip: point(2),
    mouth: point(3),
    rightEar: point(4),
    leftEar: point(5),
  };
}

/**
 * The head's roll from the eye line, in degrees: positive when the eye on the image's right sits lower
 * (the head tilted clockwise as seen); rotating the image by minus this levels the eyes.
 */
export function rollDegrees(face: Pick<Face, 'rightEye' | 'leftEye'>): number {
  return (Math.atan2(face.leftEye.y - face.rightEye.y, face.leftEye.x - face.rightEye.x) * 180) / Math.PI;
}
