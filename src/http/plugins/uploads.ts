import type { FastifyInstance, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';

/** Uploads: raw image bodies (checked by the decoder, not by their declared type) and multipart forms, both bounded. */
export async function registerUploads(server: FastifyInstance, maxBodyBytes: number): Promise<void> {
  server.addContentTypeParser(/^(image\/[\w.+-]+|application\/octet-stream)$/i, { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));
  await server.register(multipart, { limits: { fileSize: maxBodyBytes, files: 4, fields: 8, fieldSize: 4096, parts: 12 }, throwFileSizeLimit: true });
}

/** The same memory as a plain Uint8Array (`new Uint8Array(buffer)` would copy it); a whole-buffer view moves to the worker without a copy. */
export function viewOf(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** Aborts when the connection closes before the response was sent (the client timed out or gave up). */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
