import { call } from './api.js';

/** The ID-photo API as the page sees it: the spec catalogue and one photo with its report. */
export interface Band {
  min: number;
  max: number;
}

export interface IdSpec {
  id: string;
  name: { en: string; zh: string };
  /** 'studio', or an ISO country (or EU). */
  region: string;
  size: { widthMm: number; heightMm: number } | { widthPx: number; heightPx: number };
  dpi: number;
  crown: 'hair' | 'skull' | string;
  backgrounds: string[];
  status: string;
  sources: string[];
  conflicts?: { rule: string; values: string[] }[];
  pixels: { width: number; height: number; dpi: number; head?: Band; crownMargin?: Band; eyesFromTop?: Band };
}

export interface SheetSize {
  id: string;
  name: string;
  aliases: string[];
  widthMm: number;
  heightMm: number;
}

/** A matting engine as the specs route lists it: whether it is installed here, and why not. */
export interface MattingEngine {
  name: string;
  licence: string;
  default: boolean;
  model?: string;
  weights?: string;
  optional?: boolean;
  available: boolean;
  reason?: string;
}

export interface Catalogue {
  specs: IdSpec[];
  sheets: SheetSize[];
  /** Absent from a service older than the engine option. */
  engines?: MattingEngine[];
}

export interface EncodedImage {
  contentType: string;
  /** base64 */
  data: string;
  width: number;
  height: number;
  dpi: number;
}

export interface Measure {
  px: number;
  mm: number;
  percent: number;
}

export interface Rule {
  rule: string;
  passed: boolean;
  value: string;
  expected: string;
}

export interface Report {
  spec: { id: string; name: string; width: number; height: number; dpi: number; crown: string };
  faces?: number;
  face?: { yaw?: number };
  headHeight?: Measure;
  crownMargin?: Measure;
  hairTop?: Measure;
  eyeLine?: { fromTopPx: number; fromBottomMm: number; percentFromBottom: number };
  roll?: { measured: number };
  continued?: number;
  background?: { text: string; hex: string; share: number; meanDeltaE: number };
  file?: { bytes: number; kb: number; quality?: number; format: string };
  rules: Rule[];
  passed: boolean;
  warnings: string[];
  timings?: Record<string, number>;
  transform?: number[];
}

export interface IdPhotoResult {
  photo: EncodedImage;
  hires: EncodedImage | null;
  sheet: EncodedImage | null;
  report: Report;
}

export async function fetchCatalogue(): Promise<Catalogue> {
  const response = await call('/api/v1/idphoto/specs', { headers: { accept: 'application/json' } });
  return (await response.json()) as Catalogue;
}

/** One photo: the portrait and the options as multipart fields, the answer as JSON. */
export async function makeIdPhoto(image: Blob, filename: string, options: Record<string, string>, signal?: AbortSignal): Promise<IdPhotoResult> {
  const form = new FormData();
  for (const [name, value] of Object.entries(options)) form.append(name, value);
  form.append('image', image, filename);
  const response = await call('/api/v1/idphoto', { method: 'POST', headers: { accept: 'application/json' }, body: form, signal: signal ?? null });
  return (await response.json()) as IdPhotoResult;
}

/** A base64 image from the answer as a Blob (for object URLs and downloads). */
export function imageBlob(image: EncodedImage): Blob {
  const binary = atob(image.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: image.contentType });
}
