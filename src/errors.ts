/**
 * One error type for everything the service rejects. `code` is stable and machine-readable; its
 * `kind` says what sort of failure it is, which the HTTP layer maps to a status and the CLI to an
 * exit code, so that no capability knows either.
 */
export type ErrorKind =
  | 'bad-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'unprocessable'
  | 'too-large'
  | 'uri-too-long'
  | 'unsupported-media'
  | 'not-found'
  | 'conflict'
  | 'rate-limited'
  | 'unavailable'
  | 'client-closed'
  | 'internal';

/** Codes grouped by the capability that owns them; a new capability adds its own group here. */
export const ERROR_GROUPS = {
  /** Any request, whatever the tool. */
  request: {
    INVALID_JSON: { kind: 'bad-request', meaning: 'the body is not JSON, or not a JSON object' },
    INVALID_REQUEST: { kind: 'bad-request', meaning: 'a required field is missing or the request is malformed' },
    INVALID_OPTION: { kind: 'unprocessable', meaning: 'an option is out of range or unknown; `details.option` names it' },
    UNSUPPORTED_MEDIA_TYPE: { kind: 'unsupported-media', meaning: 'the Content-Type is not accepted by this route' },
    BODY_TOO_LARGE: { kind: 'too-large', meaning: "the body is larger than `MAX_BODY_BYTES` (or a route's own limit)" },
    TOO_MANY_FILES: { kind: 'too-large', meaning: 'more files or fields in a multipart form than the route accepts' },
    NOT_FOUND: { kind: 'not-found', meaning: 'no such route' },
    URI_TOO_LONG: { kind: 'uri-too-long', meaning: 'a segment of the path (a job id, a key name) is longer than any route takes (100 characters)' },
    RATE_LIMITED: { kind: 'rate-limited', meaning: 'the client is over `RATE_LIMIT_MAX` in the window; see `Retry-After`' },
    SATURATED: { kind: 'unavailable', meaning: "the worker pool's queue is full or the event loop lags; retry after `Retry-After`" },
    SHUTTING_DOWN: { kind: 'unavailable', meaning: 'the instance is shutting down; retry on another' },
    CLIENT_CLOSED: { kind: 'client-closed', meaning: 'the client left before its body was in (logged at info) or before its work started (logged and counted); never read' },
    INTERNAL: { kind: 'internal', meaning: 'a bug or a broken install; logged with the request id' },
  },
  /** QR generation. */
  qr: {
    MISSING_TEXT: { kind: 'bad-request', meaning: 'nothing to encode: `text` (or `bytes`) is missing or empty' },
    QR_DATA_TOO_LONG: { kind: 'unprocessable', meaning: 'the data does not fit a QR code at this level (or the forced version)' },
    SIZE_TOO_SMALL: { kind: 'unprocessable', meaning: '`size` is too small for the symbol and its margin' },
  },
  /** Images in (recognition, and every tool that reads an upload). */
  image: {
    MISSING_IMAGE: { kind: 'bad-request', meaning: 'no image in the request (multipart field `image`, or a raw body)' },
    EMPTY_IMAGE: { kind: 'bad-request', meaning: 'the image has no bytes or no pixels' },
    UNSUPPORTED_IMAGE: { kind: 'unsupported-media', meaning: 'not an image format the service reads' },
    CORRUPT_IMAGE: { kind: 'unprocessable', meaning: 'the image is damaged and no code could be read from what remains' },
    IMAGE_TOO_LARGE: { kind: 'unprocessable', meaning: 'width x height is over `MAX_IMAGE_PIXELS` (checked before decoding)' },
  },
  /** ID photos. */
  idphoto: {
    NO_FACE: { kind: 'unprocessable', meaning: 'no face was found in the portrait' },
    MULTIPLE_FACES: { kind: 'unprocessable', meaning: 'more than one face of similar size; crop to one person or send `pick=largest`' },
    FACE_TOO_SMALL: { kind: 'unprocessable', meaning: 'the face has too few pixels for the requested photo (it would be enlarged more than `details.maxUpscale` times)' },
    ENGINE_UNAVAILABLE: { kind: 'unprocessable', meaning: 'the matting engine asked for is not installed here; `details.reason` says how to install it' },
  },
  /** Batches, synchronous and as jobs. */
  batch: {
    BATCH_TOO_LARGE: { kind: 'too-large', meaning: 'more rows, images or bytes than a synchronous batch accepts (`BATCH_MAX_ROWS`, `BATCH_MAX_BYTES`); `details.jobs` names the async route' },
    INVALID_ROWS: { kind: 'bad-request', meaning: 'the rows cannot be read: CSV without a `text` column, JSON that is not an array of objects, a line that is not JSON' },
    INVALID_ARCHIVE: { kind: 'unprocessable', meaning: 'the ZIP cannot be read safely: damaged, encrypted, or an entry that claims one size and inflates to another' },
    ENTRY_TOO_LARGE: { kind: 'too-large', meaning: 'an archive entry is larger than one upload may be (`MAX_BODY_BYTES`); the entry gets this error, the batch goes on' },
  },
  /** Async jobs. */
  jobs: {
    JOB_NOT_FOUND: { kind: 'not-found', meaning: 'no such job, or its result has expired (`JOB_RESULT_TTL`)' },
    JOB_NOT_FINISHED: { kind: 'conflict', meaning: 'the job has no result (yet): `details.state` says where it is' },
    INVALID_CALLBACK: { kind: 'bad-request', meaning: 'the callback URL is not http(s), or names a private address (`JOB_CALLBACK_PRIVATE`)' },
    QUEUE_UNAVAILABLE: { kind: 'unavailable', meaning: 'the job queue (Redis) cannot be reached; jobs already queued are kept there, retry after `Retry-After`' },
  },
  /** API keys, quotas and usage. */
  accounts: {
    API_KEY_REQUIRED: { kind: 'unauthenticated', meaning: 'AUTH_MODE=required and the request carries no key (`Authorization: Bearer <key>` or `X-API-Key`)' },
    INVALID_API_KEY: { kind: 'unauthenticated', meaning: 'the key is malformed, unknown or revoked' },
    TOOL_NOT_ALLOWED: { kind: 'forbidden', meaning: "the key's tools (`qrw keys create --tools`) do not include this route's tool; `details.tool` names it" },
    ADMIN_REQUIRED: { kind: 'forbidden', meaning: "the route manages keys or reads every key's usage: it needs an admin key" },
    QUOTA_EXCEEDED: { kind: 'rate-limited', meaning: 'the key is over its rate or its daily or monthly quota; `details.window` names it, `Retry-After` says when it resets' },
    KEY_EXISTS: { kind: 'conflict', meaning: 'a key with this name exists (revoked names stay taken, so usage stays attributable)' },
    KEY_NOT_FOUND: { kind: 'not-found', meaning: 'no key with this name' },
    ACCOUNTS_UNAVAILABLE: { kind: 'unavailable', meaning: 'the key store (Redis) is unreachable and the key was not seen recently; retry after `Retry-After`' },
  },
} as const satisfies Record<string, Record<string, { kind: ErrorKind; meaning: string }>>;

type Groups = typeof ERROR_GROUPS;
export type ErrorCode = { [G in keyof Groups]: keyof Groups[G] }[keyof Groups] & string;

export interface ErrorSpec {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly meaning: string;
  readonly group: keyof Groups;
}

/** Every code, in declaration order. */
export const ERRORS: readonly ErrorSpec[] = Object.entries(ERROR_GROUPS).flatMap(([group, codes]) =>
  Object.entries(codes).map(([code, spec]) => ({ code: code as ErrorCode, kind: spec.kind, meaning: spec.meaning, group: group as keyof Groups })),
);

const KIND_BY_CODE = new Map<string, ErrorKind>(ERRORS.map((e) => [e.code, e.kind]));

export function kindOf(code: ErrorCode): ErrorKind {
  return KIND_BY_CODE.get(code) ?? 'internal';
}

/** The one JSON shape of an error, in every answer and every line of a batch. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export class QrwError extends Error {
  override readonly name = 'QrwError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toJSON(): ErrorInfo {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export function isQrwError(value: unknown): value is QrwError {
  return value instanceof QrwError || (typeof value === 'object' && value !== null && (value as { name?: unknown }).name === 'QrwError' && typeof (value as { code?: unknown }).code === 'string');
}

/** What a caller may be told of any failure: a QrwError as it is, anything else as INTERNAL without its internals. */
export function errorInfo(err: unknown): ErrorInfo {
  if (err instanceof QrwError) return err.toJSON();
  if (isQrwError(err)) return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  return { code: 'INTERNAL', message: 'Something went wrong inside the server; the error was logged.' };
}
