import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headAxis } from '../../../../src/idphoto/crop/head.js';
import { loadFaceDetector, type Face, type FaceDetector } from '../../../../src/idphoto/face/blazeface.js';
import { cropRegion, loadFaceMesh, meshRegion, type FaceMesh } from '../../../../src/idphoto/face/mesh.js';
import { modelDir } from '../../../../src/idphoto/model-dir.js';
import { portraits, rgbOf } from '../../../helpers/portraits.js';

describe('the face mesh model files', () => {
  it('match the checksums in models/facemesh/README.md', () => {
    const dir = modelDir('facemesh', 'README.md');
    const readme = readFileSync(new URL('README.md', dir), 'utf8');
    for (const file of ['facemesh.json', 'facemesh.bin']) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${file}\``));
      expect(row, `README row for ${file}`).toBeDefined();
      const bytes = readFileSync(fileURLToPath(new URL(file, dir)));
      expect(createHash('sha256').update(bytes).digest('hex'), file).toBe(/`([0-9a-f]{64})`/.exec(row!)?.[1]);
      expect(row).toContain(`| ${bytes.length} |`);
    }
  });
});

describe('cropRegion', () => {
  // A 200x100 picture, red rising from left to right, green from top to bottom.
  const width = 200;
  const height = 100;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([x, 2 * y, 50], (y * width + x) * 3);
  const image = { data, width, height };
  const at = (t: Float32Array, side: number, u: number, v: number) => Array.from(t.subarray((v * side + u) * 3, (v * side + u) * 3 + 3), (c) => c * 255);

  it('samples an upright region where it lies, in 0..1', () => {
    const t = cropRegion(image, { centre: { x: 100, y: 50 }, size: 40, across: { x: 1, y: 0 } }, 40);
    // Output pixel (u, v) covers picture pixel (80 + u, 30 + v), whose centre holds exactly its own values.
    for (const [u, v] of [
      [0, 0],
      [39, 0],
      [10, 25],
    ] as const) {
      const [r, g, b] = at(t, 40, u, v);
      expect(r).toBeCloseTo(80 + u, 3);
      expect(g).toBeCloseTo(2 * (30 + v), 3);
      expect(b).toBeCloseTo(50, 3);
    }
  });

  it('turns with the eye line: a region turned a quarter turn runs its x axis down the picture', () => {
    const t = cropRegion(image, { centre: { x: 100, y: 50 }, size: 40, across: { x: 0, y: 1 } }, 40);
    // Along the crop's rows the picture's y rises (green), along its columns the picture's x falls (red).
    expect(at(t, 40, 39, 20)[1]! - at(t, 40, 0, 20)[1]!).toBeCloseTo(2 * 39, 3);
    expect(at(t, 40, 20, 39)[0]! - at(t, 40, 20, 0)[0]!).toBeCloseTo(-39, 3);
  });

  it('averages when shrinking, so a fine pattern comes out as its mean, and repeats the edges outside the picture', () => {
    const stripes = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) stripes.fill(i % 2 ? 255 : 0, i * 3, i * 3 + 3);
    const t = cropRegion({ data: stripes, width, height }, { centre: { x: 100, y: 50 }, size: 80, across: { x: 1, y: 0 } }, 20);
    for (let i = 0; i < t.length; i++) expect(t[i]).toBeCloseTo(0.5, 1);
    const outside = cropRegion(image, { centre: { x: -50, y: 50 }, size: 10, across: { x: 1, y: 0 } }, 10);
    for (let v = 0; v < 10; v++) expect(at(outside, 10, 5, v)[0]).toBeCloseTo(0, 3);
  });
});

describe('the face mesh', () => {
  let detector: FaceDetector;
  let mesh: FaceMesh;
  beforeAll(async () => {
    [detector, mesh] = await Promise.all([loadFaceDetector(), loadFaceMesh()]);
  });
  afterAll(async () => {
    await Promise.all([detector?.release(), mesh?.release()]);
  });

  it('finds, on every portrait with a face seen from the front, eyes near the detector’s and a chin below its mouth', async () => {
    for (const file of portraits().filter((f) => !/0(08|12)\.jpg$/.test(f))) {
      const image = await rgbOf(sharp(file));
      const [face] = (await detector.detect(image)) as [Face];
      const found = await mesh.landmarks(image, face);
      expect(found, file).not.toBeNull();
      const { eyes, eyeDistance, above } = headAxis(face.rightEye, face.leftEye);
      const meshAxis = headAxis(found!.rightEye, found!.leftEye);
      expect(Math.hypot(meshAxis.eyes.x - eyes.x, meshAxis.eyes.y - eyes.y) / eyeDistance, file).toBeLessThan(0.25);
      expect(meshAxis.eyeDistance / eyeDistance, file).toBeGreaterThan(0.7);
      expect(meshAxis.eyeDistance / eyeDistance, file).toBeLessThan(1.3);
      // The chin sits below the mouth, by less than the eyes sit above it.
      const mouth = -above(face.mouth);
      const chin = -above(found!.chin);
      expect(chin, file).toBeGreaterThan(mouth * 1.2);
      expect(chin, file).toBeLessThan(mouth * 2.2);
    }
  });

  it('tells a laughing mouth (015, 034 by their marks’ notes) from a closed one (011, 016)', async () => {
    const mouth = async (name: string): Promise<number> => {
      const image = await rgbOf(sharp(portraits().find((f) => f.endsWith(name))!));
      const [face] = (await detector.detect(image)) as [Face];
      return (await mesh.landmarks(image, face))!.mouthOpen;
    };
    for (const name of ['015.jpg', '034.jpg']) expect(await mouth(name), name).toBeGreaterThan(0.15);
    for (const name of ['011.jpg', '016.jpg']) expect(await mouth(name), name).toBeLessThan(0.1);
  });

  it('follows the face when the picture is turned: the eye line turns with it', async () => {
    const file = portraits().find((f) => f.endsWith('028.jpg'))!;
    const angles: number[] = [];
    for (const angle of [0, 15]) {
      const image = await rgbOf(sharp(file).rotate(angle, { background: '#808080' }));
      const [face] = (await detector.detect(image)) as [Face];
      const found = await mesh.landmarks(image, face);
      angles.push(headAxis(found!.rightEye, found!.leftEye).roll);
    }
    expect(Math.abs(angles[1]! - angles[0]! - 15)).toBeLessThan(1.5);
  });

  it('sees no face in a plain picture, where a detection is forced on it', async () => {
    const grey = { data: new Uint8Array(300 * 300 * 3).fill(128), width: 300, height: 300 };
    const face = { box: { x: 100, y: 100, width: 100, height: 100 }, rightEye: { x: 130, y: 130 }, leftEye: { x: 170, y: 130 } };
    expect(meshRegion(face).size).toBe(150);
    expect(await mesh.landmarks(grey, face)).toBeNull();
  });
});
