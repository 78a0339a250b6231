/** Per-key metrics, labelled with the key's name (never the secret or its id). */
import { Counter, type Registry } from 'prom-client';

export interface KeyMetrics {
  readonly requests: Counter<'key' | 'route' | 'status'>;
  readonly work: Counter<'key' | 'work'>;
  readonly bytes: Counter<'key' | 'direction'>;
}

export function createKeyMetrics(registry: Registry): KeyMetrics {
  return {
    requests: new Counter({
      name: 'qrw_key_requests_total',
      help: 'Requests made with an API key, by key name, route and status',
      labelNames: ['key', 'route', 'status'] as const,
      registers: [registry],
    }),
    work: new Counter({
      name: 'qrw_key_work_total',
      help: 'Work done for an API key, by key name and work: codes (generated), decoded (images), idphotos',
      labelNames: ['key', 'work'] as const,
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'qrw_key_bytes_total',
      help: 'Request and response bytes of an API key, by key name and direction (in, out)',
      labelNames: ['key', 'direction'] as const,
      registers: [registry],
    }),
  };
}
