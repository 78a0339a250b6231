import { pino } from 'pino';
import { inProcessIdPhotoEngine } from '../../src/app/idphoto.js';
import { inProcessEngine } from '../../src/app/qr-engine.js';
import { loadConfig } from '../../src/platform/config.js';
import { assembleApp, type App } from '../../src/server.js';

/** The app as the service assembles it, from the sources, with the tools' work in this thread: for app.inject() route tests. */
export async function injectableApp(env: Record<string, string> = {}): Promise<App> {
  const config = loadConfig({ MAX_EVENT_LOOP_DELAY_MS: '0', ...env });
  const limits = { maxPixels: config.maxImagePixels, maxSide: config.idphotoMaxSide };
  return assembleApp(
    config,
    {
      qr: config.tools.includes('qr') ? inProcessEngine() : undefined,
      idphoto: config.tools.includes('idphoto') ? inProcessIdPhotoEngine(limits, { device: config.idphotoDevice, isnetProfile: config.idphotoIsnetProfile }) : undefined,
    },
    [],
    pino({ level: 'silent' }),
  );
}
