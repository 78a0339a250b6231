import { once } from 'node:events';
import type { Command } from 'commander';
import { pino } from 'pino';
import { summary, type Accounts } from '../../accounts/accounts.js';
import { describeLimits, parsePolicy } from '../../accounts/policy.js';
import { openAccounts } from '../../accounts/setup.js';
import { loadConfig } from '../../platform/config.js';
import { connectRedis } from '../../platform/redis.js';
import { CliExit, EXIT_INPUT } from '../exit.js';

/** How long the CLI waits for REDIS_URL's server before giving up. */
const CONNECT_TIMEOUT_MS = 5000;

/** The store the service uses: Redis when REDIS_URL is set, else the SQLite file ACCOUNTS_DB. */
async function withAccounts<T>(work: (accounts: Accounts) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, 'cache', pino({ level: 'silent' })) : undefined;
  try {
    if (redis && redis.status !== 'ready') {
      const timeout = AbortSignal.timeout(CONNECT_TIMEOUT_MS);
      await once(redis, 'ready', { signal: timeout }).catch(() => {
        throw new CliExit(EXIT_INPUT, `cannot reach Redis at REDIS_URL within ${CONNECT_TIMEOUT_MS / 1000} s`);
      });
    }
    const accounts = await openAccounts(config, redis);
    try {
      return await work(accounts);
    } finally {
      await accounts.store.close();
    }
  } finally {
    redis?.disconnect();
  }
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

interface CreateFlags {
  name: string;
  quota?: string[];
  rate?: string[];
  tools?: string;
  admin?: boolean;
  json?: boolean;
}

/** `qrw keys create|list|revoke`: API keys in the store the service reads (REDIS_URL, else ACCOUNTS_DB). */
export function addKeysCommand(program: Command): void {
  const keys = program.command('keys').description('create, list and revoke API keys (AUTH_MODE); in Redis with REDIS_URL, else in the SQLite file ACCOUNTS_DB');
  keys
    .command('create')
    .description('create a key and print its secret, shown this once')
    .requiredOption('--name <name>', 'its name: how logs, metrics and usage call it')
    .option('--quota <n/window>', 'e.g. 100000/day or 2000000/month (repeatable)', collect)
    .option('--rate <n/window>', 'e.g. 50/s or 3000/min (repeatable)', collect)
    .option('--tools <list>', 'the tools it may call, e.g. qr,idphoto (default every tool)')
    .option('--admin', 'it may manage keys and read every key’s usage through the API')
    .option('--json', 'print {"name", "key"}')
    .action(async (flags: CreateFlags) => {
      const policy = parsePolicy({ admin: flags.admin, tools: flags.tools, rate: flags.rate, quota: flags.quota });
      const { key, record } = await withAccounts((accounts) => accounts.create(flags.name, policy));
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ name: record.name, key })}\n`);
        return;
      }
      process.stdout.write(`${key}\n`);
      process.stderr.write(`created key "${record.name}"${record.admin ? ' (admin)' : ''}: store the line above now, it is not shown again\n`);
    });
  keys
    .command('list')
    .description('list the keys (never their secrets)')
    .option('--json', 'print a JSON array')
    .action(async (flags: { json?: boolean }) => {
      const records = await withAccounts((accounts) => accounts.list());
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(records.map(summary))}\n`);
        return;
      }
      for (const r of records) {
        const limits = describeLimits(r.limits) || 'no limits';
        process.stdout.write(`${r.name}\t${r.revokedAt ? `revoked ${r.revokedAt}` : 'active'}\t${r.admin ? 'admin' : (r.tools ?? ['every tool']).join(',')}\t${limits}\tcreated ${r.createdAt}\n`);
      }
    });
  keys
    .command('revoke')
    .description('revoke a key: it is refused from then on (by every replica within 10 s)')
    .argument('<name>', 'the key’s name')
    .action(async (name: string) => {
      const record = await withAccounts((accounts) => accounts.revoke(name));
      process.stderr.write(`revoked key "${record.name}"\n`);
    });
}
