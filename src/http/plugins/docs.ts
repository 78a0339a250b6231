import type { FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { VERSION } from '../../platform/version.js';

/** The OpenAPI document, built from the routes' schemas, and its UI at /docs. */
export async function registerDocs(server: FastifyInstance): Promise<void> {
  await server.register(swagger, {
    openapi: {
      info: { title: 'QR Workshop API', version: VERSION, description: 'Generate and recognise QR codes (and other barcodes); ID photos.' },
      tags: [
        { name: 'generate' },
        { name: 'decode' },
        { name: 'idphoto', description: 'ID photos (in progress: the spec catalogue)' },
        { name: 'ops' },
        { name: 'compat', description: 'Routes of the original service' },
      ],
    },
  });
  await server.register(swaggerUi, { routePrefix: '/docs' });
}
