import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACK_ANCHORS, FRONT_ANCHORS, generateAnchors } from '../../../../src/idphoto/face/anchors.js';
import { loadFaceDetector, modelUrl, rollDegrees, type BlazeFaceModel, type Face, type FaceDetector } from '../../../../src/idphoto/face/blazeface.js';
import { weightedNms, type RawDetection } from '../../../../src/idphoto/face/decode.js';
import { letterboxToTensor } from '../../../../src/idphoto/face/letterbox.js';
import { loadedBeforeAndAfter } from '../../../helpers/lazy.js';
import { portraits, rgbOf } from '../../../helpers/portraits.js';

const MODELS_DIR = fileURLToPath(new URL('../../../../models/blazeface/', import.meta.url));
const MODELS: readonly BlazeFaceModel[] = ['back', 'front'];

const inside = (p: { x: number; y: number }, box: Face['box']) => p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height;

describe('the BlazeFace model files', () => {
  it('match the checksums in models/blazeface/README.md', () => {
    const readme = readFileSync(join(MODELS_DIR, 'README.md'), 'utf8');
    for (const model of MODELS) {
      const path = fileURLToPath(modelUrl(model));
      const file = path.split('/').pop()!;
      const row = readme.split('\n').find((line) => line.includes(`\`${file}\``));
      expect(row, `README row for ${file}`).toBeDefined();
      const expected = /`([0-9a-f]{64})`/.exec(row!)?.[1];
      expect(createHash('sha256').update(readFileSync(path)).digest('hex'), file).toBe(expected);
    }
  });
});

describe('loading', () => {
  it('leaves onnxruntime-node unloaded until a detector is made', () => {
    // A fresh process: this one may have loaded it for another test already.
    expect(loadedBeforeAndAfter(new URL('../../../../src/idphoto/face/blazeface.ts', import.meta.url), '/onnxruntime-node/', 'await m.loadFaceDetector()')).toEqual({ before: false, after: true });
  });
});

describe('SSD anchors', () => {
  it('gives the front model 896 anchors (16x16x2, then 8x8x6) with centres inside (0, 1)', () => {
    const anchors = generateAnchors(FRONT_ANCHORS);
    expect(anchors.length / 2).toBe(896);
    for (const v of anchors) expect(v > 0 && v < 1).toBe(true);
    expect([anchors[0], anchors[1], anchors[2], anchors[3]]).toEqual([0.5 / 16, 0.5 / 16, 0.5 / 16, 0.5 / 16]);
    expect([anchors[4], anchors[5]]).toEqual([1.5 / 16, 0.5 / 16]);
    expect([anchors[1024], anchors[1025]]).toEqual([0.5 / 8, 0.5 / 8]);
    expect([anchors[1790], anchors[1791]]).toEqual([7.5 / 8, 7.5 / 8]);
  });

  it('gives the back model the same grids at twice the input and the strides', () => {
    expect(generateAnchors(BACK_ANCHORS)).toEqual(generateAnchors(FRONT_ANCHORS));
  });
});

describe('letterbox', () => {
  it('centres a wide image in the square, pads with black, and scales to [-1, 1]', () => {
    const image = { data: new Uint8Array(40 * 20 * 3).fill(255), width: 40, height: 20 };
    const { tensor, transform } = letterboxToTensor(image, 8);
    expect(transform).toEqual({ size: 8, scaleX: 0.2, scaleY: 0.2, padX: 0, padY: 2 });
    const at = (x: number, y: number) => tensor[(y * 8 + x) * 3]!;
    expect([at(0, 0), at(7, 1), at(0, 6), at(7, 7)]).toEqual([-1, -1, -1, -1]);
    for (let y = 2; y < 6; y++) for (let x = 0; x < 8; x++) expect(at(x, y)).toBeCloseTo(1, 5);
  });

  it('averages the pixels it shrinks and keeps the channels apart', () => {
    // Columns alternate red and blue: averaged, both are half on, green stays off.
    const data = new Uint8Array(64 * 64 * 3);
    for (let i = 0; i < 64 * 64; i++) data[i * 3 + (i % 2 === 0 ? 0 : 2)] = 255;
    const { tensor } = letterboxToTensor({ data, width: 64, height: 64 }, 16);
    for (let i = 0; i < 16 * 16; i++) {
      expect(tensor[i * 3]).toBeCloseTo(0, 5);
      expect(tensor[i * 3 + 1]).toBeCloseTo(-1, 5);
      expect(tensor[i * 3 + 2]).toBeCloseTo(0, 5);
    }
  });

  it('enlarges a small image without leaving gaps', () => {
    const { tensor, transform } = letterboxToTensor({ data: new Uint8Array(3 * 2 * 3).fill(255), width: 3, height: 2 }, 12);
    expect(transform).toMatchObject({ scaleX: 4, scaleY: 4, padX: 0, padY: 2 });
    const rows = (from: number, to: number) => Array.from(tensor.subarray(from * 12 * 3, to * 12 * 3));
    expect(rows(0, 2).every((v) => v === -1)).toBe(true);
    expect(rows(2, 10).every((v) => Math.abs(v - 1) < 1e-5)).toBe(true);
    expect(rows(10, 12).every((v) => v === -1)).toBe(true);
  });
});

describe('weighted non-maximum suppression', () => {
  const det = (score: number, x: number, kp: number): RawDetection => ({ score, xMin: x, yMin: 0, width: 1, height: 1, keypoints: new Float32Array(12).fill(kp) });

  it('blends overlapping detections by score and keeps the best score', () => {
    const [one, ...rest] = weightedNms([det(0.6, 0.2, 1), det(0.9, 0, 0)], 0.3);
    expect(rest).toEqual([]);
    expect(one!.score).toBe(0.9);
    expect(one!.xMin).toBeCloseTo(0.08, 6);
    expect(one!.width).toBeCloseTo(1, 6);
    expect(one!.keypoints[5]).toBeCloseTo(0.4, 6);
  });

  it('keeps detections apart when they do not overlap enough', () => {
    expect(weightedNms([det(0.6, 0.8, 1), det(0.9, 0, 0)], 0.3).map((d) => d.score)).toEqual([0.9, 0.6]);
  });
});

describe.each(MODELS)('BlazeFace %s', (model) => {
  let detector: FaceDetector;
  beforeAll(async () => {
    detector = await loadFaceDetector({ model });
  });
  afterAll(async () => {
    await detector?.release();
  });

  it('finds exactly one face in every portrait, eyes in the upper half of its box, roll within 20 degrees', async () => {
    for (const file of portraits()) {
      const image = await rgbOf(sharp(file));
      const faces = await detector.detect(image);
      expect(faces.length, file).toBe(1);
      const [face] = faces as [Face];
      const { box } = face;
      expect(box.width > 0.1 * image.width && box.height > 0.1 * image.height, file).toBe(true);
      for (const eye of [face.rightEye, face.leftEye]) {
        expect(inside(eye, box), file).toBe(true);
        expect(eye.y, file).toBeLessThan(box.y + box.height / 2);
      }
      // The subject's right eye is on the image's left.
      expect(face.rightEye.x, file).toBeLessThan(face.leftEye.x);
      expect(Math.abs(rollDegrees(face)), file).toBeLessThan(20);
    }
  });

  it('decodes the keypoints in the image frame: rotating a portrait by 10 degrees turns the eye line by 10 degrees and moves the eyes with it', async () => {
    const file = portraits().find((f) => f.endsWith('028.jpg')) ?? portraits()[0]!;
    const upright = await rgbOf(sharp(file));
    const [before] = await detector.detect(upright);
    const eyeDistance = Math.hypot(before!.leftEye.x - before!.rightEye.x, before!.leftEye.y - before!.rightEye.y);
    for (const angle of [10, -10]) {
      const rotated = await rgbOf(sharp(file).rotate(angle, { background: '#808080' }));
      const faces = await detector.detect(rotated);
      expect(faces.length).toBe(1);
      expect(Math.abs(rollDegrees(faces[0]!) - rollDegrees(before!) - angle)).toBeLessThan(4);
      // sharp turns the picture clockwise about its centre and enlarges the canvas to hold it.
      const t = (angle * Math.PI) / 180;
      const moved = (p: { x: number; y: number }) => {
        const dx = p.x - upright.width / 2;
        const dy = p.y - upright.height / 2;
        return { x: Math.cos(t) * dx - Math.sin(t) * dy + rotated.width / 2, y: Math.sin(t) * dx + Math.cos(t) * dy + rotated.height / 2 };
      };
      for (const eye of ['rightEye', 'leftEye'] as const) {
        const expected = moved(before![eye]);
        expect(Math.hypot(faces[0]![eye].x - expected.x, faces[0]![eye].y - expected.y) / eyeDistance, `${angle} ${eye}`).toBeLessThan(0.2);
      }
    }
  });

  it('undoes the letterbox: a portrait on a wider or a taller canvas gives the same eyes', async () => {
    const file = portraits().find((f) => f.endsWith('009.jpg')) ?? portraits()[0]!;
    const [plain] = await detector.detect(await rgbOf(sharp(file)));
    const eyeDistance = plain!.leftEye.x - plain!.rightEye.x;
    // Wider pads the model input above and below, taller left and right.
    for (const extend of [
      { left: 600, top: 0, bottom: 200, right: 0 },
      { left: 0, top: 500, bottom: 0, right: 100 },
    ]) {
      const [padded] = await detector.detect(await rgbOf(sharp(file).extend({ ...extend, background: '#808080' })));
      for (const eye of ['rightEye', 'leftEye'] as const) {
        const dx = padded![eye].x - extend.left - plain![eye].x;
        const dy = padded![eye].y - extend.top - plain![eye].y;
        expect(Math.hypot(dx, dy) / eyeDistance, `${JSON.stringify(extend)} ${eye}`).toBeLessThan(0.2);
      }
    }
  });

  it('finds no face in a blank grey image', async () => {
    const grey = { data: new Uint8Array(640 * 480 * 3).fill(128), width: 640, height: 480 };
    expect(await detector.detect(grey)).toEqual([]);
  });

  it('finds both faces when two portraits stand side by side', async () => {
    const files = portraits();
    const [a, b] = [files.find((f) => f.endsWith('028.jpg')) ?? files[0]!, files.find((f) => f.endsWith('057.jpg')) ?? files[1]!];
    const pair = sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#808080' } }).composite([
      { input: a, left: 0, top: 0 },
      { input: b, left: 1000, top: 0 },
    ]);
    const faces = await detector.detect(await rgbOf(sharp(await pair.png().toBuffer())));
    expect(faces.length).toBe(2);
    const [left, right] = [...faces].sort((p, q) => p.box.x - q.box.x) as [Face, Face];
    expect(left.box.x + left.box.width).toBeLessThan(1000);
    expect(right.box.x).toBeGreaterThan(1000);
  });

  it('refuses pixels that do not match the size', async () => {
    await expect(detector.detect({ data: new Uint8Array(10), width: 10, height: 10 })).rejects.toThrow(RangeError);
  });
});
