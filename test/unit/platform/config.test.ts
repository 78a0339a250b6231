import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration, SETTINGS } from '../../../src/platform/config.js';

describe('config', () => {
  it('has safe defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', maxBodyBytes: 10 * 1024 * 1024, rateLimitMax: undefined, rateLimitWindowMs: 60_000, decodeMaxSide: 1200 });
    expect(c.poolThreads).toBeGreaterThan(0);
    expect(c.poolMaxQueue).toBe(c.poolThreads * 16);
  });

  it('reads every variable', () => {
    const c = loadConfig({ PORT: '9000', HOST: '127.0.0.1', POOL_THREADS: '3', RATE_LIMIT_MAX: '10', RATE_LIMIT_WINDOW: '5m', TRUST_PROXY: 'true', GENERATE_CACHE_BYTES: '0', NATIVE_DECODE: 'Off' });
    expect(c).toMatchObject({
      port: 9000,
      host: '127.0.0.1',
      poolThreads: 3,
      poolMaxQueue: 48,
      rateLimitMax: 10,
      rateLimitWindowMs: 300_000,
      trustProxy: true,
      generateCacheBytes: 0,
      nativeDecode: 'off',
    });
    expect(loadConfig({}).nativeDecode).toBe('auto');
  });

  it('parses durations', () => {
    expect(parseDuration('X', '500ms')).toBe(500);
    expect(parseDuration('X', '60s')).toBe(60_000);
    expect(parseDuration('X', '1h')).toBe(3_600_000);
    expect(parseDuration('X', '250')).toBe(250);
    expect(() => parseDuration('X', 'soon')).toThrow(ConfigError);
  });

  it.each([
    ['PORT', '70000'],
    ['POOL_THREADS', '0'],
    ['RATE_LIMIT_WINDOW', 'x'],
    ['TRUST_PROXY', 'maybe'],
    ['MAX_BODY_BYTES', '12.5'],
    ['NATIVE_DECODE', 'fast'],
  ])('refuses %s=%s with a clear message', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('the reference documents every setting with its default', () => {
    const reference = readFileSync(new URL('../../../docs/reference.md', import.meta.url), 'utf8');
    for (const s of SETTINGS) expect(reference, s.env).toContain(`| \`${s.env}\` | ${s.default} |`);
  });
});
