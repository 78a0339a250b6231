/**
 * The ID-photo tool's operations on uploaded bytes, as the worker threads, the CLI and the library run
 * them: the photo (and its sheet and report), the transparent cut-out of the whole picture, the crop
 * without matting, and a print sheet from finished photos.
 */
import { decodePortrait, type DecodeLimits } from './codec/decode.js';
import { encodePhoto, type EncodeOptions, type RgbaImage } from './codec/encode.js';
import type { FaceDetector } from './face/blazeface.js';
import type { FaceMesh } from './face/mesh.js';
import { toBytes } from './matte/bytes.js';
import { refineMatte, refineRadius } from './matte/guided-filter.js';
import { estimateForeground } from './matte/foreground.js';
import { fromBytes } from './matte/bytes.js';
import type { MattingEngine } from './matting/engine.js';
import type { IdPhotoOptions } from './options.js';
import { backgroundFor, describeBackground, parseBackground } from './output/background.js';
import { renderSheet } from './output/sheet-render.js';
import { isolateSubject, runPipeline, type PipelineResult } from './pipeline.js';
import { buildReport, type IdPhotoReport } from './report.js';
import type { RgbImage } from './rgb.js';
import type { SheetSize, Orientation } from './sheet.js';

/** Models a thread loads once and keeps. */
export interface IdPhotoModels {
  detector(): Promise<FaceDetector>;
  mesh(): Promise<FaceMesh>;
  engine(name: string): Promise<MattingEngine>;
}

/** A finished image file. */
export interface EncodedImage {
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly dpi: number;
}

export interface IdPhotoResult {
  readonly photo: EncodedImage;
  readonly hires: EncodedImage | null;
  readonly sheet: EncodedImage | null;
  readonly report: IdPhotoReport;
}

const now = (): number => performance.now();

async function decode(bytes: Uint8Array, limits: DecodeLimits, timings: Record<string, number>): ReturnType<typeof decodePortrait> {
  const t = now();
  const decoded = await decodePortrait(bytes, limits);
  timings.decode = now() - t;
  return decoded;
}

function cutoutPixels(result: Pick<PipelineResult, 'foreground' | 'alpha'>): RgbaImage {
  const { foreground, alpha } = result;
  const rgb = toBytes(foreground);
  const a = toBytes(alpha);
  const data = new Uint8Array(alpha.width * alpha.height * 4);
  for (let i = 0, j = 0; i < a.length; i++, j += 3) {
    data[i * 4] = rgb[j]!;
    data[i * 4 + 1] = rgb[j + 1]!;
    data[i * 4 + 2] = rgb[j + 2]!;
    data[i * 4 + 3] = a[i]!;
  }
  return { data, width: alpha.width, height: alpha.height, channels: 4 };
}

async function encoded(image: RgbImage | RgbaImage, options: EncodeOptions): Promise<{ image: EncodedImage; quality?: number; warnings: string[] }> {
  const out = await encodePhoto(image, options);
  const size = options.size ?? image;
  return {
    image: { contentType: out.contentType, data: out.data, width: size.width, height: size.height, dpi: options.dpi },
    ...(out.quality !== undefined && { quality: out.quality }),
    warnings: out.warnings,
  };
}

/** `crop`: the picture's own background is kept (no compositing), the placement and report as for a photo. */
export async function makeIdPhoto(bytes: Uint8Array, options: IdPhotoOptions, models: IdPhotoModels, limits: DecodeLimits, mode: 'photo' | 'crop' = 'photo'): Promise<IdPhotoResult> {
  const timings: Record<string, number> = {};
  const started = now();
  const decoded = await decode(bytes, limits, timings);
  const [detector, mesh, engine] = await Promise.all([models.detector(), models.mesh(), models.engine(options.engine)]);
  const background = parseBackground(options.background, options.spec.backgrounds[0] ?? '#ffffff');
  const fill = mode === 'crop' ? null : (width: number, height: number) => backgroundFor(background, width, height);
  const resolution = options.dpi / options.spec.dpi;
  const result = await runPipeline(decoded.rgb, { detector, mesh, engine }, { spec: options.spec, background: fill, pick: options.pick, foreground: options.foreground, resolution });
  Object.assign(timings, result.times);

  let t = now();
  const cutout = options.output === 'cutout';
  const format = cutout ? 'png' : options.format;
  const photo = await encoded(cutout ? cutoutPixels(result) : result.photo, {
    format,
    dpi: result.geometry.dpi,
    ...(options.maxKb !== undefined && { maxKb: options.maxKb }),
    ...(options.minKb !== undefined && { minKb: options.minKb }),
  });
  timings.encoding = now() - t;

  let hires: EncodedImage | null = null;
  if (options.hires) {
    const big = await runPipeline(decoded.rgb, { detector, mesh, engine }, { spec: options.spec, background: fill, pick: options.pick, foreground: options.foreground, resolution: 2 * resolution });
    hires = (await encoded(cutout ? cutoutPixels(big) : big.photo, { format, dpi: big.geometry.dpi })).image;
  }

  let sheet: EncodedImage | null = null;
  if (options.sheet && !cutout) {
    t = now();
    sheet = await sheetOf([result.photo], options.sheet, {
      dpi: result.geometry.dpi,
      format: options.format,
      cutLines: options.cutLines,
      gapMm: options.gapMm,
      marginMm: options.marginMm,
      ...(options.orientation && { orientation: options.orientation }),
    });
    timings.sheet = now() - t;
  }
  timings.total = now() - started;

  const description = describeBackground(background);
  const report = buildReport({
    spec: options.spec,
    engine: engine.name,
    result,
    decodeScale: decoded.scale,
    background: mode === 'crop' ? { text: "the picture's own (crop without matting)", hex: 'original' } : { text: description.text, hex: description.hex },
    allowedBackgrounds: options.spec.backgrounds,
    file: {
      bytes: photo.image.data.length,
      format,
      ...(photo.quality !== undefined && { quality: photo.quality }),
      ...(options.minKb !== undefined && { minKb: options.minKb }),
      ...(options.maxKb !== undefined && { maxKb: options.maxKb }),
    },
    warnings: [...result.warnings, ...photo.warnings],
    timings,
  });
  return { photo: photo.image, hires, sheet, report };
}

export interface SheetRequest {
  readonly dpi: number;
  readonly format: 'jpeg' | 'png';
  readonly cutLines: boolean;
  readonly orientation?: Orientation;
  /** Space between copies and the paper's margin, in mm (sheet.ts's defaults when absent). */
  readonly gapMm?: number;
  readonly marginMm?: number;
}

async function sheetOf(photos: readonly RgbImage[], size: SheetSize, request: SheetRequest): Promise<EncodedImage> {
  const rendered = renderSheet(
    photos.map((rgb) => ({ rgb })),
    size,
    {
      dpi: request.dpi,
      cutLines: request.cutLines,
      ...(request.orientation && { orientation: request.orientation }),
      ...(request.gapMm !== undefined && { gapMm: request.gapMm }),
      ...(request.marginMm !== undefined && { marginMm: request.marginMm }),
    },
  );
  return (await encoded(rendered.rgb, { format: request.format, dpi: request.dpi })).image;
}

/** A print sheet from finished photos (each decoded as it is, not re-cropped), printed at `dpi`. */
export async function makeSheet(uploads: readonly Uint8Array[], size: SheetSize, request: SheetRequest, limits: DecodeLimits): Promise<EncodedImage> {
  const photos: RgbImage[] = [];
  for (const bytes of uploads) photos.push((await decodePortrait(bytes, limits)).rgb);
  return sheetOf(photos, size, request);
}

/**
 * The person cut out of the whole picture, as a PNG with alpha the size of the upload (after EXIF
 * orientation): the matte refined and the foreground colours estimated at the decoded size (at most
 * `limits.maxSide`, which bounds the memory), then resampled to the upload's size as it is encoded.
 */
export async function makeCutout(bytes: Uint8Array, engineName: string, models: IdPhotoModels, limits: DecodeLimits): Promise<{ image: EncodedImage; original: { width: number; height: number } }> {
  const decoded = await decodePortrait(bytes, limits);
  const [detector, engine] = await Promise.all([models.detector(), models.engine(engineName)]);
  const { rgb } = decoded;
  const faces = await detector.detect(rgb);
  const coarse = await engine.matte(rgb);
  const face = faces.reduce<(typeof faces)[number] | undefined>((best, f) => (!best || f.box.width > best.box.width ? f : best), undefined);
  const image = fromBytes(rgb.data, { width: rgb.width, height: rgb.height, channels: 3 });
  const radius = refineRadius(Math.max(image.width / coarse.width, image.height / coarse.height));
  const alpha = refineMatte(image, isolateSubject(coarse, rgb, face, faces).matte, { radius });
  const foreground = estimateForeground(image, alpha, { edgeRadius: radius });
  const out = await encoded(cutoutPixels({ foreground, alpha }), { format: 'png', dpi: 72, size: decoded.original });
  return { image: out.image, original: decoded.original };
}
