import type { FastifyInstance } from 'fastify';
import { photoGeometry } from '../../idphoto/geometry.js';
import { SHEETS } from '../../idphoto/sheet.js';
import { SPECS } from '../../idphoto/specs.js';
import { IdPhotoSpecsSchema } from '../schemas.js';

/** The catalogue never changes while the process runs: built once. */
const LISTING = { specs: SPECS.map((spec) => ({ ...spec, pixels: photoGeometry(spec) })), sheets: SHEETS };

export function registerIdPhotoRoutes(app: FastifyInstance): void {
  app.get(
    '/api/v1/idphoto/specs',
    { schema: { summary: 'The ID-photo specs (sizes, head and eye bands, backgrounds, sources) and print sheets', tags: ['idphoto'], response: { 200: IdPhotoSpecsSchema } } },
    async (_request, reply) => {
      reply.header('Cache-Control', 'public, max-age=3600');
      return LISTING;
    },
  );
}
