/** What a process opens for accounts: the store and the counters, on Redis when the service has one, else SQLite and this process. */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../platform/config.js';
import { Accounts } from './accounts.js';
import { createKeyMetrics } from './metrics.js';
import { MemoryQuotaCounter, RedisQuotaCounter } from './quota.js';
import { RedisAccountStore } from './redis-store.js';
import { SqliteAccountStore } from './sqlite-store.js';

export async function openAccounts(config: Pick<Config, 'accountsDb' | 'redisKeyPrefix'>, redis: Redis | undefined, log?: Logger, registry?: Registry): Promise<Accounts> {
  const metrics = registry && createKeyMetrics(registry);
  if (redis) return new Accounts(new RedisAccountStore(redis, config.redisKeyPrefix), new RedisQuotaCounter(redis, config.redisKeyPrefix), log, metrics);
  return new Accounts(await SqliteAccountStore.open(config.accountsDb), new MemoryQuotaCounter(), log, metrics);
}
