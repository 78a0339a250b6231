import type { FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';

/** Uploads: raw image bodies (checked by the decoder, not by their declared type) and multipart forms, both bounded. */
export async function registerUploads(server: FastifyInstance, maxBodyBytes: number): Promise<void> {
  server.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/i, { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));
  await server.register(multipart, { limits: { fileSize: maxBodyBytes, files: 4, fields: 8, fieldSize: 4096, parts: 12 }, throwFileSizeLimit: true });
}
