import { pino } from 'pino';
import { inProcessEngine } from '../../src/app/qr-engine.js';
import { loadConfig } from '../../src/platform/config.js';
import { assembleApp, type App } from '../../src/server.js';

/** The app as the service assembles it, from the sources, with QR work in this thread: for app.inject() route tests. */
export async function injectableApp(env: Record<string, string> = {}): Promise<App> {
  return assembleApp(loadConfig({ MAX_EVENT_LOOP_DELAY_MS: '0', ...env }), inProcessEngine(), [], pino({ level: 'silent' }));
}
