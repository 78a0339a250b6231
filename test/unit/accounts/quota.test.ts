import { describe, expect, it } from 'vitest';
import { parseLimit, parsePolicy, QUOTA_WINDOWS, RATE_WINDOWS } from '../../../src/accounts/policy.js';
import { MemoryQuotaCounter } from '../../../src/accounts/quota.js';

describe('limits', () => {
  it('parses rates and quotas and refuses what they are not', () => {
    expect(parsePolicy({ rate: ['50/s', '1000/min'], quota: ['100000/day', '2000000/month'], tools: 'qr, idphoto', admin: true })).toEqual({
      admin: true,
      tools: ['qr', 'idphoto'],
      limits: { second: 50, minute: 1000, day: 100000, month: 2000000 },
    });
    for (const raw of ['50', '0/s', '-1/s', '5/week', '1.5/s', '5/day']) expect(() => parseLimit('rate', raw, RATE_WINDOWS), raw).toThrow(/rate must look like/);
    expect(() => parseLimit('quota', '5/s', QUOTA_WINDOWS)).toThrow(/quota/);
    expect(() => parsePolicy({ tools: 'qr,pdf' })).toThrow(/tools/);
  });
});

describe('quota counter', () => {
  const at = Date.UTC(2025, 0, 31, 23, 59, 58, 500);

  it('admits up to each limit, reports the binding window, and refuses without counting', async () => {
    const counter = new MemoryQuotaCounter();
    const limits = { second: 2, day: 3 };
    expect(await counter.take('k', limits, at)).toEqual({ allowed: true, window: 'second', limit: 2, remaining: 1, resetSeconds: 1 });
    expect(await counter.take('k', limits, at)).toMatchObject({ allowed: true, window: 'second', remaining: 0 });
    expect(await counter.take('k', limits, at)).toMatchObject({ allowed: false, window: 'second', remaining: 0, resetSeconds: 1 });
    // The next second: the refused request did not count against the day.
    expect(await counter.take('k', limits, at + 1000)).toEqual({ allowed: true, window: 'day', limit: 3, remaining: 0, resetSeconds: 1 });
    expect(await counter.take('k', limits, at + 1000)).toMatchObject({ allowed: false, window: 'day' });
    // A new UTC day (and month) starts afresh.
    expect(await counter.take('k', limits, at + 2000)).toMatchObject({ allowed: true });
    expect(await counter.take('other', limits, at)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('resets a month at the first of the next UTC month', async () => {
    const counter = new MemoryQuotaCounter();
    expect(await counter.take('k', { month: 1 }, at)).toMatchObject({ allowed: true, resetSeconds: 2 });
    expect(await counter.take('k', { month: 1 }, at)).toMatchObject({ allowed: false, window: 'month', resetSeconds: 2 });
    expect(await counter.take('k', { month: 1 }, Date.UTC(2025, 1, 1))).toMatchObject({ allowed: true, resetSeconds: 28 * 86400 });
  });

  it('has nothing to say about a key without limits', async () => {
    expect(await new MemoryQuotaCounter().take('k', {}, at)).toBeUndefined();
  });
});
