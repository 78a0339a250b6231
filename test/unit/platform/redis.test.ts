import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { connectRedis } from '../../../src/platform/redis.js';
import { PrivateRedis, freePort, requireRedis } from '../../helpers/redis.js';

const log = pino({ level: 'silent' });
let redis: PrivateRedis | undefined;
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
});

// A private redis-server, taken away and brought back: the two profiles must behave oppositely during the outage.
describe.runIf(requireRedis)('Redis connection profiles', () => {
  it('cache fails a command at once while Redis is away; queue holds it and completes it when Redis returns', async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    const cache = await connectRedis(redis.url, 'cache', log);
    const queue = await connectRedis(redis.url, 'queue', log);
    try {
      const connected = Date.now() + 5000;
      while ((cache.status !== 'ready' || queue.status !== 'ready') && Date.now() < connected) await new Promise((r) => setTimeout(r, 20));
      expect(await cache.ping()).toBe('PONG');
      expect(await queue.ping()).toBe('PONG');
      await redis.stop();
      const until = Date.now() + 5000;
      while ((cache.status === 'ready' || queue.status === 'ready') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));

      const started = Date.now();
      await expect(cache.set('profile-test', 'x')).rejects.toThrow();
      expect(Date.now() - started, 'the cache profile does not wait for Redis').toBeLessThan(1000);

      let settled = false;
      const held = queue.set('profile-test', 'held').finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 500));
      expect(settled, 'the queue profile keeps the command while Redis is away').toBe(false);
      await redis.start();
      expect(await held).toBe('OK');
      expect(await queue.get('profile-test')).toBe('held');
    } finally {
      cache.disconnect();
      queue.disconnect();
    }
  });
});
