import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { float32Model, NotConvertible } from '../../../../src/idphoto/matting/onnx-float32.js';

/** Made by test/fixtures/onnx/make.py. */
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../../fixtures/onnx/${name}`, import.meta.url)));

const X = Float32Array.from({ length: 16 }, (_, i) => (i - 7) / 3);

async function run(model: Uint8Array, outputs?: string[]): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(model, { logSeverityLevel: 3 });
  try {
    const feeds = { x: new ort.Tensor('float32', X, [1, 1, 4, 4]) };
    return await (outputs ? session.run(feeds, outputs) : session.run(feeds));
  } finally {
    await session.release();
  }
}

/** The convolution in float64, as the rewritten float32 model should compute it (the float16 weights are exact in float32). */
function convolve(): number[] {
  const w = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8, 0.9].map((v) => Math.fround(toHalf(v)));
  const out: number[] = [];
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 4; x++) {
      let sum = 0.25;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (y + dy >= 0 && y + dy < 4 && x + dx >= 0 && x + dx < 4) sum += X[(y + dy) * 4 + x + dx]! * w[(dy + 1) * 3 + dx + 1]!;
      out.push(sum);
    }
  return out;
}

/** The float16 nearest to v (normal range), as numpy rounds it. */
function toHalf(v: number): number {
  const exponent = Math.floor(Math.log2(Math.abs(v)));
  const step = 2 ** (exponent - 10);
  return Math.round(v / step) * step;
}

describe('float32Model', () => {
  it('turns a float16-inside model to float32: the exact sums, the shipped outputs within float16 precision, unread outputs gone, a Cast from int64 kept', async () => {
    const shipped = fixture('half-inside.onnx');
    const rewritten = float32Model(shipped, ['output', 'size']);

    const session = await ort.InferenceSession.create(rewritten, { logSeverityLevel: 3 });
    expect(session.outputNames).toEqual(['output', 'size']);
    await session.release();

    const before = await run(shipped, ['output', 'size']);
    const after = await run(rewritten);
    expect(Array.from(after.size!.data as Float32Array)).toEqual([1, 1, 4, 4]);
    const exact = convolve();
    const half = Array.from(before.output!.data as Float32Array);
    const full = Array.from(after.output!.data as Float32Array);
    for (let i = 0; i < exact.length; i++) {
      expect(full[i]).toBeCloseTo(exact[i]!, 5);
      expect(full[i]).toBeCloseTo(half[i]!, 2);
    }
  });

  it('leaves a model with float16 inputs or outputs alone, saying why', () => {
    expect(() => float32Model(fixture('half-io.onnx'), ['output'])).toThrow(NotConvertible);
    expect(() => float32Model(fixture('half-io.onnx'), ['output'])).toThrow(/float16 values/);
  });

  it('gives a model without float16 weights back as it is', () => {
    const rewritten = float32Model(fixture('half-inside.onnx'), ['output']);
    expect(float32Model(rewritten, ['output'])).toBe(rewritten);
  });

  it('refuses bytes that are not a protobuf message, rather than guessing', () => {
    expect(() => float32Model(Uint8Array.from([0x3a, 0xff, 0xff, 0xff, 0x0f]), ['output'])).toThrow(NotConvertible);
    expect(() => float32Model(Uint8Array.from([0x0b]), ['output'])).toThrow(NotConvertible);
  });
});
