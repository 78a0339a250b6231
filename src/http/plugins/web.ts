import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';

/** Where `vite build` puts the page: dist/web beside dist/src. */
export const WEB_ROOT = fileURLToPath(new URL('../../../web/', import.meta.url));

/**
 * The page may only talk to its own origin: scripts, styles, the worker and its .wasm, and the API.
 * 'wasm-unsafe-eval' lets the camera worker compile zxing's WebAssembly; blob: and data: cover previews.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Serves the built web page at /; hashed assets are cached for a year, the HTML is revalidated. */
export async function registerWebRoutes(app: FastifyInstance, root = WEB_ROOT): Promise<boolean> {
  if (!existsSync(root)) return false;
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    preCompressed: true,
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (res, path: string) => {
      if (path.endsWith('.html')) {
        res.header('Cache-Control', 'no-cache');
        res.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
        res.header('X-Content-Type-Options', 'nosniff');
        res.header('Referrer-Policy', 'no-referrer');
      } else {
        res.header('Cache-Control', 'public, max-age=31536000, immutable');
      }
    },
  });
  return true;
}
