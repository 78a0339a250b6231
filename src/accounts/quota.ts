/**
 * Per-key rates and quotas in fixed windows: a second or a minute (epoch-aligned), a UTC day, a UTC month.
 * A request is admitted only if every limited window has room, and then counts in all of them; a refused
 * request counts in none, so a client that keeps trying past its quota does not push its reset further.
 */
import type { Redis } from 'ioredis';
import { WINDOWS, type Limits, type Window } from './policy.js';

/** The window that binds: the refused one, or the one with the least room left. Drives 429 and the RateLimit-* headers. */
export interface QuotaDecision {
  readonly allowed: boolean;
  readonly window: Window;
  readonly limit: number;
  readonly remaining: number;
  /** Seconds until the window resets (at least 1). */
  readonly resetSeconds: number;
}

export interface QuotaCounter {
  /** Undefined when the key has no limits. */
  take(id: string, limits: Limits, now?: number): Promise<QuotaDecision | undefined>;
}

interface Slot {
  readonly window: Window;
  readonly limit: number;
  /** Names the window instance: its start (seconds) or the UTC date or month. */
  readonly label: string;
  /** Epoch ms at which it ends. */
  readonly endsAt: number;
}

function slotsFor(limits: Limits, now: number): Slot[] {
  const date = new Date(now);
  const slots: Slot[] = [];
  for (const window of WINDOWS) {
    const limit = limits[window];
    if (limit === undefined) continue;
    if (window === 'second' || window === 'minute') {
      const span = window === 'second' ? 1000 : 60_000;
      const start = Math.floor(now / span) * span;
      slots.push({ window, limit, label: String(start / 1000), endsAt: start + span });
    } else if (window === 'day') {
      slots.push({ window, limit, label: date.toISOString().slice(0, 10), endsAt: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1) });
    } else {
      slots.push({ window, limit, label: date.toISOString().slice(0, 7), endsAt: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) });
    }
  }
  return slots;
}

const resetOf = (slot: Slot, now: number): number => Math.max(1, Math.ceil((slot.endsAt - now) / 1000));

/** From the counts before (refused at `refused`) or after the increment. */
function decide(slots: readonly Slot[], now: number, refused: number | undefined, counts: readonly number[]): QuotaDecision {
  if (refused !== undefined) {
    const slot = slots[refused]!;
    return { allowed: false, window: slot.window, limit: slot.limit, remaining: 0, resetSeconds: resetOf(slot, now) };
  }
  let binding = 0;
  for (let i = 1; i < slots.length; i++) if (slots[i]!.limit - counts[i]! < slots[binding]!.limit - counts[binding]!) binding = i;
  const slot = slots[binding]!;
  return { allowed: true, window: slot.window, limit: slot.limit, remaining: Math.max(0, slot.limit - counts[binding]!), resetSeconds: resetOf(slot, now) };
}

/** This process's counters: the store without Redis, and the fallback while Redis is unreachable. */
export class MemoryQuotaCounter implements QuotaCounter {
  private readonly counts = new Map<string, { count: number; endsAt: number }>();
  private nextSweep = 0;

  async take(id: string, limits: Limits, now = Date.now()): Promise<QuotaDecision | undefined> {
    const slots = slotsFor(limits, now);
    if (slots.length === 0) return undefined;
    this.sweep(now);
    const keys = slots.map((s) => `${id}:${s.window}:${s.label}`);
    const before = keys.map((k) => this.counts.get(k)?.count ?? 0);
    const refused = slots.findIndex((s, i) => before[i]! >= s.limit);
    if (refused >= 0) return decide(slots, now, refused, before);
    const after = keys.map((k, i) => {
      const count = before[i]! + 1;
      this.counts.set(k, { count, endsAt: slots[i]!.endsAt });
      return count;
    });
    return decide(slots, now, undefined, after);
  }

  /** Ended windows are dropped once a minute, so memory follows the keys in use, not the time running. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 60_000;
    for (const [k, v] of this.counts) if (v.endsAt <= now) this.counts.delete(k);
  }
}

/**
 * Check every window, then count in every window, in one step: a Lua script is atomic, so replicas
 * racing for the last request of a quota cannot both get it. Returns {0, i} refused at window i, or {1, counts...}.
 */
const TAKE_SCRIPT = `
local n = #KEYS
for i = 1, n do
  if tonumber(redis.call('GET', KEYS[i]) or '0') >= tonumber(ARGV[i]) then return {0, i} end
end
local out = {1}
for i = 1, n do
  local c = redis.call('INCR', KEYS[i])
  if c == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[n + i]) end
  out[i + 1] = c
end
return out`;

/** Ended windows linger this long in Redis, so a replica whose clock is a little behind still finds the count. */
const EXPIRY_SLACK_MS = 5000;

/**
 * Counters shared by every replica through Redis (`quota:{<id>}:<window>:<label>`; the hash tag keeps one
 * key's counters in one cluster slot). While Redis is unreachable each replica counts on its own (so a key
 * gets at most its limit per replica) instead of refusing everything or nothing.
 */
export class RedisQuotaCounter implements QuotaCounter {
  private readonly local = new MemoryQuotaCounter();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async take(id: string, limits: Limits, now = Date.now()): Promise<QuotaDecision | undefined> {
    const slots = slotsFor(limits, now);
    if (slots.length === 0) return undefined;
    if (this.redis.status !== 'ready') return this.local.take(id, limits, now);
    const keys = slots.map((s) => `${this.prefix}quota:{${id}}:${s.window}:${s.label}`);
    const args = [...slots.map((s) => s.limit), ...slots.map((s) => s.endsAt - now + EXPIRY_SLACK_MS)];
    let reply: number[];
    try {
      reply = (await this.redis.eval(TAKE_SCRIPT, keys.length, ...keys, ...args)) as number[];
    } catch {
      return this.local.take(id, limits, now);
    }
    return reply[0] === 0 ? decide(slots, now, reply[1]! - 1, []) : decide(slots, now, undefined, reply.slice(1));
  }
}
