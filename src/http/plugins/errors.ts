import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QrwError, isQrwError, kindOf, type ErrorCode, type ErrorInfo, type ErrorKind } from '../../errors.js';

/** The HTTP status of each kind of failure; every code's kind is declared with the code (src/errors.ts). */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  'bad-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  unprocessable: 422,
  'too-large': 413,
  'uri-too-long': 414,
  'unsupported-media': 415,
  'not-found': 404,
  conflict: 409,
  'rate-limited': 429,
  unavailable: 503,
  // nginx's 'client closed request': nobody reads it; it labels the log line and the metrics.
  'client-closed': 499,
  internal: 500,
};

export function statusOf(code: ErrorCode): number {
  return STATUS_BY_KIND[kindOf(code)];
}

export interface ErrorBody {
  error: ErrorInfo;
}

type FrameworkError = Partial<FastifyError>;

/**
 * The multipart parser (@fastify/busboy) rejects a malformed body with plain Errors that carry no code
 * or status: these are its messages for a body the client got wrong (no or too long a boundary, a body
 * that ends early), found by fuzzing (docs/design/fuzzing.md).
 */
const MULTIPART_PARSER_ERROR =
  /^(Multipart: Boundary not found|Boundary required|Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data|The needle cannot (be an empty String\/Buffer|have a length bigger than 256)\.)$/;

/** The multipart parser's complaint about a body the client got wrong, as INVALID_REQUEST; undefined for anything else. */
export function malformedMultipart(err: unknown): QrwError | undefined {
  return err instanceof Error && MULTIPART_PARSER_ERROR.test(err.message) ? new QrwError('INVALID_REQUEST', `The multipart body is malformed: ${err.message}`) : undefined;
}

/** Maps anything thrown in a request (ours, Fastify's, a plugin's) to a status and the one error body shape. */
export function toHttpError(err: unknown, maxBodyBytes: number): { status: number; body: ErrorBody } {
  const make = (code: ErrorCode, message: string, details?: Record<string, unknown>) => ({
    status: statusOf(code),
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
    // Fastify's refusals before routing, through its frameworkErrors option (below).
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return make('URI_TOO_LONG', 'A segment of the path is longer than any route takes (100 characters).');
    case 'FST_ERR_BAD_URL':
      return make('INVALID_REQUEST', 'The path is not valid percent-encoded UTF-8.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return make('UNSUPPORTED_MEDIA_TYPE', 'This Content-Type is not accepted here.');
    default:
      break;
  }
  const malformed = malformedMultipart(err);
  if (malformed) return make(malformed.code, malformed.message);
  if (e.statusCode === 413) return make('BODY_TOO_LARGE', `The request body is larger than the limit of ${maxBodyBytes} bytes.`, { limit: maxBodyBytes });
  if (e.statusCode === 415) return make('UNSUPPORTED_MEDIA_TYPE', 'This Content-Type is not accepted here.');
  if (e.statusCode === 429) return make('RATE_LIMITED', e.message ?? 'Too many requests; slow down.');
  if (e.statusCode === 503) return make('SHUTTING_DOWN', 'The server is shutting down; retry on another instance.');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return make('INVALID_REQUEST', e.message ?? 'The request is not valid.');
  return make('INTERNAL', 'Something went wrong inside the server; the error was logged.');
}

/**
 * Whether a request failed because its client hung up before its body was in: Node destroys the request
 * with 'aborted' (ECONNRESET), and a stream piped from it ends early. The client's doing, not a failure
 * of the service; an ECONNRESET from anything else (an outgoing call) stays INTERNAL.
 */
export function clientAborted(request: FastifyRequest, err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') && request.raw.destroyed && !request.raw.complete;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown, maxBodyBytes: number): FastifyReply {
  if (clientAborted(request, err)) {
    // Routine on any public service (a closed tab, a dropped mobile link): a line at info, no stack.
    request.log.info({ reason: (err as Error).message }, 'client closed the connection mid-request');
    err = new QrwError('CLIENT_CLOSED', 'The client closed the connection before the request was complete.');
  }
  const { status, body } = toHttpError(err, maxBodyBytes);
  if (status >= 500 && body.error.code === 'INTERNAL') request.log.error({ err }, 'request failed');
  if ((status === 503 || status === 429) && !reply.hasHeader('retry-after')) reply.header('Retry-After', '1');
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** Fastify's `frameworkErrors` option: its refusals before a route is found (a path parameter over 100 characters, a path that is not valid UTF-8) in the one error shape too. */
export function frameworkErrors(maxBodyBytes: number): (err: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (err, request, reply) => void sendError(request, reply, err, maxBodyBytes);
}

/** Every error a request can end in, ours, Fastify's or a plugin's, leaves as the one JSON error body. */
export function registerErrorHandling(server: FastifyInstance, maxBodyBytes: number): void {
  server.setErrorHandler((err, request, reply) => sendError(request, reply, err, maxBodyBytes));
  server.setNotFoundHandler((request, reply) => sendError(request, reply, new QrwError('NOT_FOUND', `There is no route ${request.method} ${request.url.split('?')[0]}.`), maxBodyBytes));
}
