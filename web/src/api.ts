import type { DecodeResult as ServiceDecodeResult, DecodedCode as ServiceDecodedCode } from '../../src/recognise/result.js';
import { hasMessage, t } from './i18n.js';

/** An API error in the user's language when the page knows its code, else the service's own words. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly serviceMessage: string,
  ) {
    super(serviceMessage);
  }

  localized(): string {
    if (this.code === 'NETWORK') return t('network');
    const key = `err_${this.code}`;
    return hasMessage(key) ? t(key, { message: this.serviceMessage }) : this.serviceMessage;
  }
}

/** Anything a call rejected with, as an ApiError (a failure outside the API counts as the network's). */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError('NETWORK', String(err));
}

export async function call(path: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError('NETWORK', String(err));
  }
  if (response.ok) return response;
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  throw new ApiError(body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? `${response.status} ${response.statusText}`);
}

export interface GenerateParams {
  text: string;
  ec: string;
  size: number;
  margin: number;
  dark: string;
  light: string;
  format: 'png' | 'svg';
}

export interface SymbolInfo {
  version: number;
  ec: string;
  modules: number;
  dataBytes: number;
  usedBits: number;
  capacityBits: number;
}

export async function generate(params: GenerateParams, signal?: AbortSignal): Promise<{ blob: Blob; symbol: SymbolInfo }> {
  const response = await call('/api/v1/generate', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
    signal: signal ?? null,
  });
  const h = (name: string): number => Number(response.headers.get(name) ?? 0);
  const [usedBits = 0, capacityBits = 0] = (response.headers.get('x-qr-capacity-used') ?? '').split('/').map(Number);
  return {
    blob: await response.blob(),
    symbol: { version: h('x-qr-version'), ec: response.headers.get('x-qr-ec') ?? '', modules: h('x-qr-modules'), dataBytes: h('x-qr-data-bytes'), usedBits, capacityBits },
  };
}

export type { Point } from '../../src/recognise/result.js';

/** What the page shows of a code: in the service's answers and in the camera worker's reads alike. */
export type DecodedCode = Pick<ServiceDecodedCode, 'text' | 'format' | 'position'>;

export type DecodeResult = Pick<ServiceDecodeResult, 'codes' | 'sequences' | 'width' | 'height'>;

export async function decode(image: Blob, filename: string): Promise<DecodeResult> {
  const form = new FormData();
  form.append('image', image, filename);
  const response = await call('/api/v1/decode', { method: 'POST', body: form });
  return (await response.json()) as DecodeResult;
}
