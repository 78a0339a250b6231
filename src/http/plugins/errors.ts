import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isQrwError, type ErrorCode } from '../../errors.js';

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  MISSING_TEXT: 400,
  INVALID_JSON: 400,
  INVALID_REQUEST: 400,
  MISSING_IMAGE: 400,
  EMPTY_IMAGE: 400,
  INVALID_OPTION: 422,
  QR_DATA_TOO_LONG: 422,
  SIZE_TOO_SMALL: 422,
  CORRUPT_IMAGE: 422,
  IMAGE_TOO_LARGE: 422,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_IMAGE: 415,
  BODY_TOO_LARGE: 413,
  TOO_MANY_FILES: 413,
  RATE_LIMITED: 429,
  SATURATED: 503,
  SHUTTING_DOWN: 503,
  // nginx's 'client closed request': nobody reads it; it labels the log line and the metrics.
  CLIENT_CLOSED: 499,
  NOT_FOUND: 404,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

type FrameworkError = Partial<FastifyError>;

/** Maps anything thrown in a request (ours, Fastify's, a plugin's) to a status and the one error body shape. */
export function toHttpError(err: unknown, maxBodyBytes: number): { status: number; body: ErrorBody } {
  const make = (code: ErrorCode, message: string, details?: Record<string, unknown>) => ({
    status: STATUS_BY_CODE[code],
    body: { error: details ? { code, message, details } : { code, message } },
  });
  if (isQrwError(err)) return make(err.code, err.message, err.details);
  const e = (err ?? {}) as FrameworkError;
  if (e.validation) {
    const first = e.validation[0];
    if (first?.keyword === 'required') {
      const field = String(first.params.missingProperty ?? '');
      return field === 'text' ? make('MISSING_TEXT', 'The request needs a "text" to encode.') : make('INVALID_REQUEST', `The request is missing "${field}".`);
    }
    if (first?.instancePath === '' && first.keyword === 'type') return make('INVALID_JSON', 'The request body must be a JSON object.');
    const option = first?.instancePath.replace(/^\//, '') || String(first?.params.additionalProperty ?? '');
    return make('INVALID_OPTION', `Option "${option}" ${first?.message ?? 'is not valid'}.`, { option });
  }
  if (e.name === 'SyntaxError' && e.statusCode === 400) return make('INVALID_JSON', 'The request body is not valid JSON.');
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return make('INVALID_JSON', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return make('BODY_TOO_LARGE', `The request body is larger than the limit of ${maxBodyBytes} bytes.`, { limit: maxBodyBytes });
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
      return make('TOO_MANY_FILES', 'The multipart form has more files or fields than this route accepts (one image on /api/v1/decode; see /docs).');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return make('UNSUPPORTED_MEDIA_TYPE', 'This Content-Type is not accepted here.');
    default:
      break;
  }
  if (e.statusCode === 413) return make('BODY_TOO_LARGE', `The request body is larger than the limit of ${maxBodyBytes} bytes.`, { limit: maxBodyBytes });
  if (e.statusCode === 415) return make('UNSUPPORTED_MEDIA_TYPE', 'This Content-Type is not accepted here.');
  if (e.statusCode === 429) return make('RATE_LIMITED', e.message ?? 'Too many requests; slow down.');
  if (e.statusCode === 503) return make('SHUTTING_DOWN', 'The server is shutting down; retry on another instance.');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return make('INVALID_REQUEST', e.message ?? 'The request is not valid.');
  return make('INTERNAL', 'Something went wrong inside the server; the error was logged.');
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown, maxBodyBytes: number): FastifyReply {
  const { status, body } = toHttpError(err, maxBodyBytes);
  if (status >= 500 && body.error.code === 'INTERNAL') request.log.error({ err }, 'request failed');
  if ((status === 503 || status === 429) && !reply.hasHeader('retry-after')) reply.header('Retry-After', '1');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}
