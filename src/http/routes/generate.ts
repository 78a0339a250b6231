import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { QrwError } from '../../errors.js';
import { parseGenerateOptions, type RawGenerateOptions } from '../../qr/options.js';
import { etagFor, type Generator, type GenerateRequest } from '../../app/generate.js';
import { errorSchema, generateBodySchema, generateQuerySchema } from '../schemas.js';

type GenerateInput = RawGenerateOptions & { text?: string; bytes?: string };

/** Generate requests are small; a JSON body beyond this is a mistake or an attack. */
const GENERATE_BODY_LIMIT = 64 * 1024;

function toRequest(input: GenerateInput): GenerateRequest {
  const { text, bytes, ...raw } = input;
  const options = parseGenerateOptions(raw);
  if (typeof text === 'string' && text.length > 0) return { data: text, options };
  if (typeof bytes === 'string' && bytes.length > 0) {
    const decoded = Buffer.from(bytes, 'base64');
    if (decoded.length === 0) throw new QrwError('INVALID_OPTION', '"bytes" must be base64.', { option: 'bytes' });
    return { data: new Uint8Array(decoded), options };
  }
  throw new QrwError('MISSING_TEXT', 'The request needs a non-empty "text" (or base64 "bytes") to encode.');
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));
}

export function registerGenerateRoutes(app: FastifyInstance, generator: Generator, cacheMaxAgeSeconds: number): void {
  async function respond(request: FastifyRequest, reply: FastifyReply, input: GenerateInput, cacheControl: string): Promise<FastifyReply> {
    const req = toRequest(input);
    const etag = etagFor(req);
    reply.header('ETag', etag).header('Cache-Control', cacheControl);
    if (matches(request.headers['if-none-match'], etag)) return reply.code(304).send();
    const image = await generator.generate(req, etag);
    return reply
      .header('X-QR-Version', String(image.symbol.version))
      .header('X-QR-EC', image.symbol.ec)
      .header('X-QR-Mask', String(image.symbol.mask))
      .header('X-QR-Modules', String(image.symbol.modules))
      .header('X-QR-Data-Bytes', String(image.symbol.dataBytes))
      .header('X-QR-Capacity-Used', `${image.symbol.usedBits}/${image.symbol.capacityBits}`)
      .header('X-Cache', image.cached === 'shared' ? 'HIT-SHARED' : image.cached ? 'HIT' : 'MISS')
      .type(image.contentType)
      .send(Buffer.from(image.body.buffer, image.body.byteOffset, image.body.byteLength));
  }

  const responses = { 400: errorSchema, 413: errorSchema, 422: errorSchema, 429: errorSchema, 503: errorSchema };
  const produces = ['image/png', 'image/svg+xml', 'text/plain', 'application/json'];

  app.post<{ Body: GenerateInput }>(
    '/api/v1/generate',
    { bodyLimit: GENERATE_BODY_LIMIT, schema: { summary: 'Generate a QR code', tags: ['generate'], body: generateBodySchema, response: responses, produces } },
    (request, reply) => respond(request, reply, request.body, 'private, no-cache'),
  );
  app.get<{ Querystring: GenerateInput }>(
    '/api/v1/generate',
    { schema: { summary: 'Generate a QR code (usable as <img src>)', tags: ['generate'], querystring: generateQuerySchema, response: responses, produces } },
    (request, reply) => respond(request, reply, request.query, `public, max-age=${cacheMaxAgeSeconds}, immutable`),
  );
  // The original service's route: JSON {"text", "ec"?} -> PNG.
  app.post<{ Body: GenerateInput }>(
    '/generate',
    { bodyLimit: GENERATE_BODY_LIMIT, schema: { summary: 'Compatibility with the original service: JSON {text} -> PNG', tags: ['compat'], body: generateBodySchema, response: responses } },
    (request, reply) => respond(request, reply, { ...request.body, format: 'png' }, 'private, no-cache'),
  );
}
