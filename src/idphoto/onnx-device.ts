/**
 * Where an onnxruntime-node session runs: the CPU (always there), or an NVIDIA GPU through the CUDA
 * execution provider, which the npm build of onnxruntime-node for Linux x64 does not carry: its install
 * script downloads it, and this project skips that script (package.json's allowScripts; .npmrc for older npm: it fails offline). Asking for CUDA
 * where it is missing fails with an error saying so, rather than falling back to the CPU: a service
 * sized for a GPU would otherwise run many times slower with nothing but a log line to say why.
 * onnxruntime-node is imported only when CUDA is asked for.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';

export type OnnxDevice = 'cpu' | 'cuda';

export const ONNX_DEVICES: readonly OnnxDevice[] = ['cpu', 'cuda'];

/**
 * How onnxruntime runs ISNet: `lean` (the default) plans every tensor apart and keeps no memory between
 * photos (~0.84 GB for the server on 2 cores); `fast` keeps its memory arena between photos: ~15-20 %
 * less time for ~0.2 GB more (docs/design/idphoto.md has the figures).
 */
export const ISNET_PROFILES = ['lean', 'fast'] as const;
export type IsnetProfile = (typeof ISNET_PROFILES)[number];

/**
 * How to add the CUDA provider to an installed onnxruntime-node: allow its install script (npm 11 runs
 * none it was not told to), which downloads it from NuGet (this needs the internet; running it needs
 * CUDA 12 and cuDNN 9). The variable outranks the .npmrc line that skips the script.
 */
export const CUDA_INSTALL_COMMAND = 'npm pkg set allowScripts.onnxruntime-node=true --json && ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node';

/** The CUDA provider's library as onnxruntime-node's install script lays it beside the native binding. */
const CUDA_PROVIDER = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';

/** The folder of onnxruntime-node's native binding for this platform (resolved, not imported). */
function ortBindingDir(): string {
  const main = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * The execution providers for a session on `device`: undefined for the CPU (onnxruntime's default, so
 * a CPU session is created exactly as without the option). Throws when CUDA is asked for and this
 * build of onnxruntime-node does not have it.
 */
export async function executionProviders(device: OnnxDevice = 'cpu'): Promise<InferenceSession.ExecutionProviderConfig[] | undefined> {
  if (device === 'cpu') return undefined;
  if (device !== 'cuda') throw new RangeError(`Unknown device '${String(device)}': one of ${ONNX_DEVICES.join(', ')}.`);
  const ort = await import('onnxruntime-node');
  const cuda = ort.listSupportedBackends().find((backend) => backend.name === 'cuda');
  const where = `onnxruntime-node ${ort.env.versions.node ?? ''} on ${process.platform}/${process.arch}`;
  if (!cuda) throw new Error(`device 'cuda' was asked for, but ${where} has no CUDA execution provider.`);
  if (!cuda.bundled && !existsSync(join(ortBindingDir(), CUDA_PROVIDER)))
    throw new Error(
      `device 'cuda' was asked for, but ${where} was installed without its CUDA execution provider (${CUDA_PROVIDER}; this project skips that download). Add it with \`${CUDA_INSTALL_COMMAND}\`, or use device 'cpu'.`,
    );
  return ['cuda'];
}

/** A session-creation failure on the GPU, said as such (the provider library is there, but no GPU, driver, CUDA 12 or cuDNN 9 answered). */
export function deviceError(device: OnnxDevice, model: string, cause: unknown): Error {
  if (device === 'cpu') return cause instanceof Error ? cause : new Error(String(cause));
  const message = cause instanceof Error ? cause.message : String(cause);
  return new Error(`The ${model} model did not start on device '${device}' (an NVIDIA GPU with its driver, CUDA 12 and cuDNN 9 are needed): ${message}`, { cause });
}
