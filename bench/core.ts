/**
 * In-process timings of the core paths, on one thread, side by side with the
 * plain library calls they build on:
 *   generate: our encode + 1-bit PNG vs node-qrcode's own toBuffer (PNG)
 *   decode:   our pipeline (sharp -> grayscale -> zxing-wasm) vs zxing-wasm's
 *             public readBarcodes on the encoded file (its own image decoder)
 *             (with the native decoders, when built, and the portable path)
 *   PNG:      our 8-bit PNG -> luminance paths (native, JS + zlib) vs sharp's decode
 *             and vs zxing's own decoder (stb_image in wasm), alone and followed by the read
 *   JPEG:     the native luma decoder (libjpeg-turbo), followed by the read, vs zxing's own
 *   header:   our plain-file probe vs sharp's metadata(), which it spares
 * Usage: npm run bench:core [-- IMAGE_DIR]   (default ../shared/anchors/bench/images)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import QRCode from 'qrcode';
import sharp from 'sharp';
import { readBarcodes, prepareZXingModule } from 'zxing-wasm/reader';
import { generateQr } from '../src/qr/generate.js';
import { parseGenerateOptions } from '../src/qr/options.js';
import { decodeImage } from '../src/recognise/cascade.js';
import { openPng, pngLuminance } from '../src/recognise/input/png.js';
import { probePlainFile } from '../src/recognise/input/header.js';
import { openJpeg } from '../src/recognise/input/jpeg.js';
import { nativeDecodeStatus, setNativeDecode } from '../src/recognise/input/native.js';
import { compileReaderWasm, loadReader, readFile, readLuminanceFilled } from '../src/recognise/reader/zxing.js';
import { nodeDeflate } from '../src/platform/deflate.js';

const imageDir = process.argv[2] ?? fileURLToPath(new URL('../../../shared/anchors/bench/images', import.meta.url));

function summary(samples: number[]): string {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `median ${at(0.5).toFixed(3)} ms  p95 ${at(0.95).toFixed(3)} ms  (n=${s.length})`;
}

async function time(n: number, fn: (i: number) => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

const texts = Array.from({ length: 500 }, (_, i) => `https://shop.example.com/p/${100000 + i}?src=qr&batch=${i % 7}`);
const options = parseGenerateOptions({});
await time(200, (i) => generateQr(texts[i % texts.length]!, options, nodeDeflate)); // warm-up
const ours = await time(2000, (i) => generateQr(texts[i % texts.length]!, options, nodeDeflate));
const svgOptions = parseGenerateOptions({ format: 'svg' });
const oursSvg = await time(2000, (i) => generateQr(texts[i % texts.length]!, svgOptions, nodeDeflate));
const lib = await time(300, (i) => QRCode.toBuffer(texts[i % texts.length]!, { errorCorrectionLevel: 'H', scale: 10, margin: 4 }));
console.log('generate (URL, level H, scale 10, PNG)');
console.log(`  qr-workshop encode+png    ${summary(ours)}`);
console.log(`  qr-workshop encode+svg    ${summary(oursSvg)}`);
console.log(`  node-qrcode toBuffer png  ${summary(lib)}`);

const files = readdirSync(imageDir)
  .filter((f) => /\.(jpe?g|png|webp|bmp|gif|tiff?)$/i.test(f))
  .map((f) => join(imageDir, f));
const images = files.map((f) => new Uint8Array(readFileSync(f)));
const wasm = await compileReaderWasm();
const reader = await loadReader(wasm);
const decodeOptions = { formats: ['QRCode'] as const, maxSide: 1200, maxPixels: 25_000_000 };
const nativeActive = nativeDecodeStatus().active;

interface PipelineRun {
  readonly samples: number[];
  readonly found: number;
  readonly usage: { user: number; system: number; faults: number };
}

/** The whole pipeline over the images, 5 rounds, with the native decoders (NATIVE_DECODE=auto) or without. */
async function pipelineRun(mode: 'auto' | 'off'): Promise<PipelineRun> {
  setNativeDecode(mode);
  let found = 0;
  for (const img of images) found += (await decodeImage(reader, img, decodeOptions)).codes.length > 0 ? 1 : 0; // warm-up
  const before = process.resourceUsage();
  const samples = await time(images.length * 5, (i) => decodeImage(reader, images[i % images.length]!, decodeOptions));
  const after = process.resourceUsage();
  return { samples, found, usage: { user: after.userCPUTime - before.userCPUTime, system: after.systemCPUTime - before.systemCPUTime, faults: after.minorPageFault - before.minorPageFault } };
}

// Alternated, so that a slow minute of a noisy machine does not fall on one of them only.
const modes = nativeActive ? (['auto', 'off'] as const) : (['off'] as const);
const runs = new Map<string, PipelineRun[]>(modes.map((m) => [m, []]));
for (let round = 0; round < 2; round++) for (const mode of modes) runs.get(mode)!.push(await pipelineRun(mode));
setNativeDecode('auto');
prepareZXingModule({
  overrides: {
    instantiateWasm(imports: WebAssembly.Imports, receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
      void WebAssembly.instantiate(wasm, imports).then((instance) => receive(instance, wasm));
      return {};
    },
  },
});
let plainFound = 0;
for (const img of images) plainFound += (await readBarcodes(img, { formats: ['QRCode'] })).length > 0 ? 1 : 0;
const plain = await time(images.length * 5, (i) => readBarcodes(images[i % images.length]!, { formats: ['QRCode'] }));
console.log(`decode (${images.length} images from ${imageDir})`);
for (const [mode, [first, second]] of runs) {
  const label = mode === 'auto' ? 'native decoders' : nativeActive ? 'portable path  ' : 'portable (no native decoders built)';
  console.log(`  qr-workshop pipeline, ${label}  ${summary([...first!.samples, ...second!.samples])}  found ${first!.found}/${images.length}`);
  // System time is mostly page faults: fresh pages for large buffers, which the kernel maps and zeroes.
  const n = first!.samples.length + second!.samples.length;
  const perImage = (micros: number): string => (micros / 1000 / n).toFixed(3);
  console.log(
    `    CPU per image: user ${perImage(first!.usage.user + second!.usage.user)} ms, system ${perImage(first!.usage.system + second!.usage.system)} ms, ${((first!.usage.faults + second!.usage.faults) / n).toFixed(0)} page faults`,
  );
}
console.log(`  zxing-wasm readBarcodes                ${summary(plain)}  found ${plainFound}/${images.length}`);

const read = { formats: ['QRCode'], tryHarder: true, tryRotate: true, tryInvert: false, tryDownscale: false };
const pngs = images.filter((b) => b[0] === 0x89 && b[1] === 0x50 && openPng(b, 25_000_000));
if (pngs.length > 0) {
  const luma = (i: number): ReturnType<typeof pngLuminance> => pngLuminance(pngs[i % pngs.length]!, 25_000_000);
  // As the pipeline reads it: the luma written straight into the reader's memory.
  const lumaRead = (i: number): unknown => {
    const png = openPng(pngs[i % pngs.length]!, 25_000_000)!;
    return readLuminanceFilled(reader, png.width, png.height, png.decodeInto, read);
  };
  console.log(`PNG, 8-bit opaque (${pngs.length} of the images)`);
  for (const mode of modes) {
    setNativeDecode(mode);
    await time(pngs.length, luma); // warm-up
    const label = mode === 'auto' ? 'native ' : 'js+zlib';
    console.log(`  qr-workshop ${label} png->luma    ${summary(await time(pngs.length * 5, luma))}`);
    console.log(`  qr-workshop ${label} luma + read  ${summary(await time(pngs.length * 5, lumaRead))}`);
  }
  setNativeDecode('auto');
  console.log(
    `  sharp png->raw                    ${summary(
      await time(pngs.length * 5, (i) =>
        sharp(pngs[i % pngs.length]!)
          .raw()
          .toBuffer(),
      ),
    )}`,
  );
  console.log(`  zxing-wasm file + read            ${summary(await time(pngs.length * 5, (i) => readFile(reader, pngs[i % pngs.length]!, read)))}`);
}

const jpegs = images.filter((b) => probePlainFile(b)?.format === 'jpeg');
if (jpegs.length > 0) {
  console.log(`JPEG, plain (${jpegs.length} of the images)`);
  if (nativeActive) {
    const luma = new Uint8Array(4096 * 4096);
    const jpegLuma = (i: number): boolean => {
      const b = jpegs[i % jpegs.length]!;
      const { width, height } = probePlainFile(b)!;
      return openJpeg(b, width, height)!.decodeInto(luma);
    };
    await time(jpegs.length, jpegLuma); // warm-up
    console.log(`  qr-workshop native jpeg->luma     ${summary(await time(jpegs.length * 5, jpegLuma))}`);
    console.log(
      `  qr-workshop native luma + read    ${summary(
        await time(jpegs.length * 5, (i) => {
          const b = jpegs[i % jpegs.length]!;
          const { width, height } = probePlainFile(b)!;
          const jpeg = openJpeg(b, width, height)!;
          return readLuminanceFilled(reader, width, height, jpeg.decodeInto, read);
        }),
      )}`,
    );
  }
  console.log(`  zxing-wasm file + read            ${summary(await time(jpegs.length * 5, (i) => readFile(reader, jpegs[i % jpegs.length]!, read)))}`);
}

const probed = images.filter((b) => probePlainFile(b)).length;
const probe = await time(images.length * 20, (i) => probePlainFile(images[i % images.length]!));
const metadata = await time(images.length * 5, (i) => sharp(images[i % images.length]!).metadata());
console.log(`image header (${probed} of ${images.length} read as plain JPEG/PNG by the probe)`);
console.log(`  qr-workshop probe         ${summary(probe)}`);
console.log(`  sharp metadata()          ${summary(metadata)}`);
