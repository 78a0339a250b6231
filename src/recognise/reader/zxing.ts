import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  binarizers,
  characterSets,
  defaultReaderOptions,
  eanAddOnSymbols,
  encodeFormats,
  prepareZXingModule,
  textModes,
  type ReaderOptions,
  type ZXingReaderModule,
  type ZXingReadResult,
} from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);

/** Compiles the reader's .wasm from the installed package: no network at run time, and one compile shared by all workers. */
export function compileReaderWasm(): Promise<WebAssembly.Module> {
  const bytes = readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm'));
  return WebAssembly.compile(bytes);
}

let modulePromise: Promise<ZXingReaderModule> | undefined;

/** Instantiates the reader once per thread from an already compiled module: far cheaper than compiling it again (see docs/design/recognition.md). */
export function loadReader(compiled?: WebAssembly.Module): Promise<ZXingReaderModule> {
  modulePromise ??= (async () => {
    const wasm = compiled ?? (await compileReaderWasm());
    return prepareZXingModule({
      overrides: {
        instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
          void WebAssembly.instantiate(wasm, imports).then((instance) => receive(instance, wasm));
          return {};
        },
      },
      fireImmediately: true,
    });
  })();
  return modulePromise;
}

export type ReadPassOptions = Pick<ReaderOptions, 'tryHarder' | 'tryRotate' | 'tryInvert' | 'tryDownscale' | 'tryDenoise' | 'isPure' | 'binarizer' | 'maxNumberOfSymbols' | 'returnErrors'> & {
  formats: readonly string[];
};

type NativeOptions = Parameters<ZXingReaderModule['readBarcodesFromPixmap']>[3];

/** The library's own option conversion is internal; this mirrors it with its public tables. */
function toNative(o: ReadPassOptions): NativeOptions {
  const merged = { ...defaultReaderOptions, ...o };
  return {
    ...merged,
    formats: encodeFormats([...o.formats] as Parameters<typeof encodeFormats>[0]),
    binarizer: binarizers.indexOf(merged.binarizer),
    eanAddOnSymbol: eanAddOnSymbols.indexOf(merged.eanAddOnSymbol),
    // Plain: bytes transcoded by ECI or, without one, by zxing's UTF-8 / Shift_JIS / ISO-8859-1 guess.
    textMode: textModes.indexOf('Plain'),
    characterSet: characterSets.indexOf('Unknown'),
  };
}

/**
 * Allocates `length` bytes of wasm memory, lets `fill` write them, makes one native call on them and
 * frees them after; undefined (no call) when `fill` returns false.
 */
function withWasmBuffer(reader: ZXingReaderModule, length: number, fill: (into: Uint8Array) => boolean, call: (ptr: number) => ZXingVector): ZXingReadResult[] | undefined {
  const ptr = reader._malloc(length);
  if (!ptr) throw new Error(`could not allocate ${length} bytes in wasm memory`);
  let vector;
  try {
    // HEAPU8 is read after the allocation, which may have grown (and so replaced) the memory.
    if (!fill(reader.HEAPU8.subarray(ptr, ptr + length))) return undefined;
    vector = call(ptr);
  } finally {
    reader._free(ptr);
  }
  const results: ZXingReadResult[] = [];
  for (let i = 0; i < vector.size(); i++) {
    const r = vector.get(i);
    if (r) results.push(r);
  }
  (vector as { delete?: () => void }).delete?.();
  return results;
}

/** Copies `bytes` into wasm memory for one native call. */
function withWasmCopy(reader: ZXingReaderModule, bytes: Uint8Array, call: (ptr: number) => ZXingVector): ZXingReadResult[] {
  return withWasmBuffer(
    reader,
    bytes.length,
    (into) => {
      into.set(bytes);
      return true;
    },
    call,
  )!;
}

type ZXingVector = ReturnType<ZXingReaderModule['readBarcodesFromPixmap']>;

/**
 * Reads an 8-bit grayscale buffer directly (the public API only takes RGBA
 * ImageData and converts it, which costs a copy per pass).
 */
export function readLuminance(reader: ZXingReaderModule, gray: Uint8Array, width: number, height: number, options: ReadPassOptions): ZXingReadResult[] {
  return withWasmCopy(reader, gray, (ptr) => reader.readBarcodesFromPixmap(ptr, width, height, toNative(options)));
}

/**
 * Reads 8-bit grayscale that `fill` writes straight into wasm memory, instead of a buffer of its own
 * that is then copied there; undefined when `fill` returns false (the pixels could not be had).
 */
export function readLuminanceFilled(reader: ZXingReaderModule, width: number, height: number, fill: (into: Uint8Array) => boolean, options: ReadPassOptions): ZXingReadResult[] | undefined {
  return withWasmBuffer(reader, width * height, fill, (ptr) => reader.readBarcodesFromPixmap(ptr, width, height, toNative(options)));
}

/**
 * Reads an encoded JPEG or PNG with zxing's built-in decoder (stb_image, same
 * luma weights as ours), in this thread: for small opaque files it is cheaper
 * than a libvips decode, which adds a native call and a thread hop.
 */
export function readFile(reader: ZXingReaderModule, file: Uint8Array, options: ReadPassOptions): ZXingReadResult[] {
  return withWasmCopy(reader, file, (ptr) => reader.readBarcodesFromImage(ptr, file.length, toNative(options)));
}
