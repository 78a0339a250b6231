import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MattingEngine } from '../../../../src/idphoto/matting/engine.js';
import { resizeToTensor } from '../../../../src/idphoto/matting/resize-input.js';
import { loadSelfieMatting, SELFIE_SIZE, selfieModelDir } from '../../../../src/idphoto/matting/selfie.js';
import { loadedBeforeAndAfter } from '../../../helpers/lazy.js';
import { meanIn } from './matte-stats.js';
import { portraits, rgbOf } from '../../../helpers/portraits.js';

describe('the selfie model files', () => {
  it('match the checksums in models/selfie/README.md', () => {
    const dir = fileURLToPath(selfieModelDir());
    const readme = readFileSync(join(dir, 'README.md'), 'utf8');
    for (const file of ['selfie.json', 'selfie.bin']) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${file}\``));
      expect(row, `README row for ${file}`).toBeDefined();
      const expected = /`([0-9a-f]{64})`/.exec(row!)?.[1];
      const bytes = readFileSync(join(dir, file));
      expect(createHash('sha256').update(bytes).digest('hex'), file).toBe(expected);
      expect(row).toContain(`| ${bytes.length} |`);
    }
  });
});

describe('resizeToTensor', () => {
  it('keeps a flat colour flat, in 0..1, when shrinking and when enlarging', () => {
    for (const [w, h] of [
      [1000, 700],
      [100, 60],
      [7, 3000],
    ] as const) {
      const data = new Uint8Array(w * h * 3);
      for (let i = 0; i < data.length; i += 3) data.set([255, 51, 0], i);
      const out = resizeToTensor({ data, width: w, height: h }, 16, 16);
      for (let i = 0; i < out.length; i += 3) {
        expect(out[i]).toBeCloseTo(1, 5);
        expect(out[i + 1]).toBeCloseTo(0.2, 5);
        expect(out[i + 2]).toBeCloseTo(0, 5);
      }
    }
  });

  it('stretches rather than letterboxes: the left half of the image is the left half of the tensor', () => {
    const [w, h] = [400, 100];
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = w / 2; x < w; x++) data.fill(255, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const out = resizeToTensor({ data, width: w, height: h }, 8, 8);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) expect(out[(y * 8 + x) * 3]).toBeCloseTo(x < 4 ? 0 : 1, 5);
    }
  });

  it('refuses a buffer too short for its size', () => {
    expect(() => resizeToTensor({ data: new Uint8Array(10), width: 4, height: 4 }, 8, 8)).toThrow(RangeError);
  });
});

describe('loading', () => {
  it('leaves TensorFlow.js unloaded until an engine is made', () => {
    // A fresh process: this one has loaded it already.
    expect(loadedBeforeAndAfter(new URL('../../../../src/idphoto/matting/selfie.ts', import.meta.url), '/@tensorflow/', 'await (await m.loadSelfieMatting()).release()')).toEqual({
      before: false,
      after: true,
    });
  });
});

describe('the selfie matting engine', () => {
  let engine: MattingEngine;
  beforeAll(async () => {
    engine = await loadSelfieMatting();
  });
  afterAll(async () => {
    await engine.release();
  });

  it('runs on the WebAssembly backend', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(engine.name).toBe('selfie');
  });

  it.each(portraits().map((p) => [p.split('/').pop()!, p]))('finds the person in %s', async (_name, path) => {
    const m = await engine.matte(await rgbOf(path));
    expect([m.width, m.height, m.channels, m.data.length]).toEqual([SELFIE_SIZE, SELFIE_SIZE, 1, SELFIE_SIZE * SELFIE_SIZE]);
    for (const v of m.data) if (!(v >= 0 && v <= 1)) expect.fail(`alpha ${v} outside 0..1`);
    // The torso: the middle quarter of the width, the bottom quarter of the height.
    expect(meanIn(m, 0.375, 0.75, 0.625, 1)).toBeGreaterThan(0.7);
    // The top corners (an eighth of each side) are background on every portrait.
    expect(meanIn(m, 0, 0, 0.125, 0.125)).toBeLessThan(0.2);
    expect(meanIn(m, 0.875, 0, 1, 0.125)).toBeLessThan(0.2);
    // The crops are tight: on 057 the face and hair fill nine tenths of the frame, and the matte is right to say so.
    const person = m.data.filter((v) => v > 0.5).length / m.data.length;
    expect(person).toBeGreaterThan(0.15);
    expect(person).toBeLessThan(0.95);
  });

  it('finds next to nothing in a plain grey picture', async () => {
    const m = await engine.matte({ data: new Uint8Array(640 * 480 * 3).fill(128), width: 640, height: 480 });
    expect(meanIn(m, 0, 0, 1, 1)).toBeLessThan(0.2);
  });

  it('leaves no tensors behind across calls', async () => {
    const image = await rgbOf(portraits()[0]!);
    await engine.matte(image);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) await engine.matte(image);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same matte for the same picture, also from overlapping calls', async () => {
    const [a, b] = await Promise.all(
      portraits()
        .slice(0, 2)
        .map((path) => rgbOf(path)),
    );
    const alone = await engine.matte(a!);
    const [together] = await Promise.all([engine.matte(a!), engine.matte(b!)]);
    expect(together!.data).toEqual(alone.data);
  });

  it('frees its weights on release and refuses work afterwards', async () => {
    const other = await loadSelfieMatting();
    const loaded = tf.memory().numTensors;
    await other.release();
    expect(tf.memory().numTensors).toBeLessThan(loaded);
    await expect(other.matte({ data: new Uint8Array(3), width: 1, height: 1 })).rejects.toThrow(/released/);
  });
});
