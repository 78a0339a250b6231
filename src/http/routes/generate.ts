import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { etagFor, toGenerateRequest, type GenerateInput, type GenerateService } from '../../app/generate.js';
import { GENERATE_CONTENT_TYPES, GenerateBodySchema, GenerateQuerySchema, errorResponses } from '../schemas.js';

/** Generate requests are small; a JSON body beyond this is a mistake or an attack. */
const GENERATE_BODY_LIMIT = 64 * 1024;

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  return !!ifNoneMatch && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));
}

export function registerGenerateRoutes(app: FastifyInstance, service: GenerateService, cacheMaxAgeSeconds: number): void {
  /** Sends the image (or a 304); the reply is complete when this resolves. */
  async function respond(request: FastifyRequest, reply: FastifyReply, input: GenerateInput, cacheControl: string): Promise<void> {
    const req = toGenerateRequest(input);
    const etag = etagFor(req);
    reply.header('ETag', etag).header('Cache-Control', cacheControl);
    if (matches(request.headers['if-none-match'], etag)) {
      await reply.code(304).send();
      return;
    }
    const image = await service.generate(req, etag);
    await reply
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

  const response = errorResponses(400, 413, 422, 429, 503);

  app.post<{ Body: GenerateInput }>(
    '/api/v1/generate',
    { bodyLimit: GENERATE_BODY_LIMIT, schema: { summary: 'Generate a QR code', tags: ['generate'], body: GenerateBodySchema, response, produces: GENERATE_CONTENT_TYPES } },
    (request, reply) => respond(request, reply, request.body, 'private, no-cache'),
  );
  app.get<{ Querystring: GenerateInput }>(
    '/api/v1/generate',
    { schema: { summary: 'Generate a QR code (usable as <img src>)', tags: ['generate'], querystring: GenerateQuerySchema, response, produces: GENERATE_CONTENT_TYPES } },
    (request, reply) => respond(request, reply, request.query, `public, max-age=${cacheMaxAgeSeconds}, immutable`),
  );
  // The original service's route: JSON {"text", "ec"?} -> PNG.
  app.post<{ Body: GenerateInput }>(
    '/generate',
    { bodyLimit: GENERATE_BODY_LIMIT, schema: { summary: 'Compatibility with the original service: JSON {text} -> PNG', tags: ['compat'], body: GenerateBodySchema, response } },
    (request, reply) => respond(request, reply, { ...request.body, format: 'png' }, 'private, no-cache'),
  );
}
