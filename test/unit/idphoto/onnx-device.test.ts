import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFaceDetector } from '../../../src/idphoto/face/blazeface.js';
import { isnetAvailability, loadIsnetMatting } from '../../../src/idphoto/matting/isnet.js';
import { CUDA_INSTALL_COMMAND, executionProviders } from '../../../src/idphoto/onnx-device.js';

/** Whether this onnxruntime-node carries the CUDA provider (its install script adds it; .npmrc skips that). */
const ortBin = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
const hasCuda = existsSync(join(ortBin, 'libonnxruntime_providers_cuda.so'));

describe('the device of an onnxruntime session', () => {
  it("leaves the CPU to onnxruntime's default: no execution providers given", async () => {
    expect(await executionProviders()).toBeUndefined();
    expect(await executionProviders('cpu')).toBeUndefined();
  });

  it('refuses an unknown device', async () => {
    await expect(executionProviders('tpu' as 'cpu')).rejects.toThrow(/Unknown device 'tpu'/);
  });

  // On a machine with the provider installed this would need a GPU; CI and the development box have neither.
  it.skipIf(hasCuda)('fails clearly, with the way to add it, where the CUDA provider is not installed: no silent fallback to the CPU', async () => {
    await expect(executionProviders('cuda')).rejects.toThrow(CUDA_INSTALL_COMMAND);
    await expect(loadFaceDetector({ device: 'cuda' })).rejects.toThrow(/device 'cuda' was asked for.*without its CUDA execution provider/);
    if (isnetAvailability().available) await expect(loadIsnetMatting({ device: 'cuda' })).rejects.toThrow(/without its CUDA execution provider/);
  });

  it('still loads the face detector on the CPU when asked for by name', async () => {
    const detector = await loadFaceDetector({ device: 'cpu' });
    expect(await detector.detect({ data: new Uint8Array(64 * 64 * 3).fill(128), width: 64, height: 64 })).toEqual([]);
    await detector.release();
  });
});
