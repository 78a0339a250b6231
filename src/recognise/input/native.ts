/**
 * The optional native luma decoders (native/luma.c, built at install time when libdeflate and
 * libjpeg-turbo are there): a PNG's or JPEG's luminance for the first read, faster than the
 * portable path, JPEGs most of all (see docs/design/recognition.md). Without them decoding
 * gives the same codes, slower.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export interface NativeLuma {
  /** The joined IDAT payload of an 8-bit non-interlaced grey (1) or RGB (3) PNG to luma in `out`; false when it does not decode. */
  pngLuma(imageData: Uint8Array, width: number, height: number, channels: 1 | 3, out: Uint8Array): boolean;
  /** A YCbCr or grey JPEG of exactly width x height to luma in `out`; false when it is anything else or damaged. */
  jpegLuma(file: Uint8Array, width: number, height: number, out: Uint8Array): boolean;
}

/** 'auto': use them when built; 'off': never (the portable path); 'required': refuse to start without them. */
export const NATIVE_DECODE_MODES = ['auto', 'off', 'required'] as const;
export type NativeDecodeMode = (typeof NATIVE_DECODE_MODES)[number];

/** The addon seen from dist/src/recognise/input/ (the build), then from src/recognise/input/ (the tests run the sources). */
const ADDON_PATHS = ['../../../../native/build/Release/qrw_luma.node', '../../../native/build/Release/qrw_luma.node'];

let loaded: { readonly luma?: NativeLuma; readonly error?: string } | undefined;

function load(): { readonly luma?: NativeLuma; readonly error?: string } {
  if (!loaded) {
    try {
      const require = createRequire(import.meta.url);
      const found = ADDON_PATHS.map((p) => new URL(p, import.meta.url)).find((url) => existsSync(url));
      if (!found) throw new Error('native/build/Release/qrw_luma.node does not exist');
      loaded = { luma: require(fileURLToPath(found)) as NativeLuma };
    } catch (err) {
      loaded = { error: err instanceof Error ? err.message.split('\n')[0] : String(err) };
    }
  }
  return loaded;
}

let mode: NativeDecodeMode = 'auto';

/** Sets whether decoding uses the native decoders, for this thread; 'required' throws when they are not built. */
export function setNativeDecode(next: NativeDecodeMode): void {
  if (next === 'required' && !load().luma) {
    throw new Error(
      `NATIVE_DECODE=required, but the native luma decoders are not built (${load().error}); install libdeflate and libjpeg-turbo's headers and a C compiler, then run node native/build.mjs (npm ci does too).`,
    );
  }
  mode = next;
}

/** The native decoders when they are built and not turned off, else undefined (use the portable path). */
export function nativeLuma(): NativeLuma | undefined {
  return mode === 'off' ? undefined : load().luma;
}

/** What the service logs at start: which decoders reads use, and why not the native ones. */
export function nativeDecodeStatus(): { readonly mode: NativeDecodeMode; readonly active: boolean; readonly error?: string } {
  const { luma, error } = load();
  return { mode, active: mode !== 'off' && luma !== undefined, ...(error ? { error } : {}) };
}
