import { loadConfig } from '../../dist/src/platform/config.js';
import { startServer, type RunningServer } from '../../dist/src/server.js';

/** The real server (production build) on a random loopback port, quiet logs, with optional environment overrides. */
export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer & { base: string }> {
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  const running = await startServer(config);
  return Object.assign(running, { base: running.url.replace('0.0.0.0', '127.0.0.1') });
}

export function multipart(field: string, bytes: Uint8Array, filename = 'upload.png', type = 'image/png'): FormData {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(bytes)], { type }), filename);
  return form;
}
