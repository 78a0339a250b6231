import { describe, expect, it } from 'vitest';
import { CHIN_RATIO, measureHead, type FaceLandmarks } from '../../../../src/idphoto/crop/head.js';
import { createImage, type Image } from '../../../../src/idphoto/matte/image.js';

const SIZE = 1000;

/** Eyes 120 px apart on the line y = eyeY, the mouth 120 px below, the face box 300 px wide. */
function face(eyeX: number, eyeY = 400): FaceLandmarks {
  return {
    box: { x: eyeX - 150, y: eyeY - 150, width: 300, height: 320 },
    rightEye: { x: eyeX - 60, y: eyeY },
    leftEye: { x: eyeX + 60, y: eyeY },
    mouth: { x: eyeX, y: eyeY + 120 },
  };
}

/** A 200x200 matte stretched over the 1000x1000 picture: 1 inside any of the shapes, 0 elsewhere. */
function matte(...inside: ((x: number, y: number) => boolean)[]): Image {
  const m = createImage(200, 200, 1);
  for (let y = 0; y < 200; y++) for (let x = 0; x < 200; x++) m.data[y * 200 + x] = inside.some((f) => f(x * 5 + 2.5, y * 5 + 2.5)) ? 1 : 0;
  return m;
}

/** A head: an ellipse 360 px wide around (cx, topY + 300), and the shoulders below it. */
const head =
  (cx: number, topY: number) =>
  (x: number, y: number): boolean =>
    ((x - cx) / 180) ** 2 + ((y - topY - 300) / 300) ** 2 <= 1 || y > topY + 560;

describe('measureHead', () => {
  it('finds the hair top on the matte above the eyes, level eyes, the chin from the mouth', () => {
    const m = measureHead(face(500), matte(head(500, 150)), SIZE, SIZE);
    expect(m.roll).toBeCloseTo(0, 6);
    expect(m.eyeDistance).toBe(120);
    expect(m.chinBelowEyes).toBeCloseTo(120 * (1 + CHIN_RATIO), 6);
    expect(m.hairAboveEyes).toBeGreaterThan(245);
    expect(m.hairAboveEyes).toBeLessThan(256);
    expect(m.crownCutOff).toBe(false);
  });

  it('says the crown is cut off where the hair runs off the top above the middle of the face', () => {
    expect(measureHead(face(500, 200), matte(head(500, -60)), SIZE, SIZE).crownCutOff).toBe(true);
  });

  it('says so too where only a lock off to one side reaches the top edge', () => {
    // The head fits, but a curl 75 px right of the eyes' midpoint runs up and out of the picture.
    const curl = (x: number, y: number): boolean => Math.abs(x - 575) < 20 && y < 200;
    const m = measureHead(face(500), matte(head(500, 150), curl), SIZE, SIZE);
    expect(m.crownCutOff).toBe(true);
    expect(m.hairAboveEyes).toBeGreaterThanOrEqual(m.skullAboveEyes);
  });

  it('does not for a head that fits beside the left edge, where the outer columns leave through the side', () => {
    const m = measureHead(face(70), matte(head(70, 150)), SIZE, SIZE);
    expect(m.crownCutOff).toBe(false);
    expect(m.hairAboveEyes).toBeGreaterThan(245);
  });

  it('measures the roll from the eye line: the eye on the right lower is a positive angle', () => {
    const tilted: FaceLandmarks = { ...face(500), rightEye: { x: 440, y: 390 }, leftEye: { x: 560, y: 410 } };
    expect(measureHead(tilted, matte(head(500, 150)), SIZE, SIZE).roll).toBeCloseTo((Math.atan2(20, 120) * 180) / Math.PI, 6);
  });
});
