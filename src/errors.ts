/**
 * One error type for everything the core, the decoder and the service reject.
 * `code` is stable and machine-readable; the HTTP layer maps it to a status,
 * the CLI to an exit code. The core knows nothing of either.
 */
export const ERROR_CODES = [
  'MISSING_TEXT',
  'INVALID_JSON',
  'INVALID_REQUEST',
  'INVALID_OPTION',
  'QR_DATA_TOO_LONG',
  'SIZE_TOO_SMALL',
  'MISSING_IMAGE',
  'EMPTY_IMAGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNSUPPORTED_IMAGE',
  'CORRUPT_IMAGE',
  'IMAGE_TOO_LARGE',
  'BODY_TOO_LARGE',
  'TOO_MANY_FILES',
  'RATE_LIMITED',
  'SATURATED',
  'SHUTTING_DOWN',
  'CLIENT_CLOSED',
  'NOT_FOUND',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class QrwError extends Error {
  override readonly name = 'QrwError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export function isQrwError(value: unknown): value is QrwError {
  return value instanceof QrwError || (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'QrwError' && typeof (value as { code?: unknown }).code === 'string');
}
