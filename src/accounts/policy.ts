/** What a key may do: its tools, its rate and its daily and monthly quotas, parsed from `50/s`, `100000/day`. */
import { QrwError } from '../errors.js';
import { TOOLS, type Tool } from '../platform/config.js';

export type Window = 'second' | 'minute' | 'day' | 'month';
export const WINDOWS: readonly Window[] = ['second', 'minute', 'day', 'month'];

/** At most one limit per window; a window without a limit is not counted. */
export type Limits = Partial<Record<Window, number>>;

export interface KeyPolicy {
  readonly admin: boolean;
  /** The tools the key may call; undefined: every tool. */
  readonly tools?: readonly Tool[] | undefined;
  readonly limits: Limits;
}

const UNITS: Record<string, Window> = { s: 'second', sec: 'second', second: 'second', m: 'minute', min: 'minute', minute: 'minute', d: 'day', day: 'day', mo: 'month', month: 'month' };
const LIMIT = /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/i;

/** `50/s`, `3000/min`, `100000/day`, `2000000/month` -> { window: count }. `allowed` keeps rates (second, minute) apart from quotas (day, month). */
export function parseLimit(option: string, raw: string, allowed: readonly Window[]): Limits {
  const m = LIMIT.exec(raw);
  const window = m && UNITS[m[2]!.toLowerCase()];
  const count = m ? Number(m[1]) : NaN;
  if (!window || !allowed.includes(window) || !Number.isSafeInteger(count) || count < 1) {
    throw new QrwError('INVALID_OPTION', `${option} must look like ${allowed.map((w) => `N/${w}`).join(' or ')} with N at least 1; got "${raw}".`, { option });
  }
  return { [window]: count };
}

export const RATE_WINDOWS: readonly Window[] = ['second', 'minute'];
export const QUOTA_WINDOWS: readonly Window[] = ['day', 'month'];

export function parseTools(raw: string): readonly Tool[] {
  const tools = raw
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  const bad = tools.find((t) => !(TOOLS as readonly string[]).includes(t));
  if (bad !== undefined || tools.length === 0) throw new QrwError('INVALID_OPTION', `tools must list one or more of ${TOOLS.join(', ')}; got "${raw}".`, { option: 'tools' });
  return [...new Set(tools)] as Tool[];
}

/** The policy from the CLI's or the admin route's strings. */
export function parsePolicy(input: { admin?: boolean | undefined; tools?: string | undefined; rate?: readonly string[] | undefined; quota?: readonly string[] | undefined }): KeyPolicy {
  const limits: Limits = {};
  for (const raw of input.rate ?? []) Object.assign(limits, parseLimit('rate', raw, RATE_WINDOWS));
  for (const raw of input.quota ?? []) Object.assign(limits, parseLimit('quota', raw, QUOTA_WINDOWS));
  return { admin: input.admin === true, tools: input.tools === undefined ? undefined : parseTools(input.tools), limits };
}

/** `50/second, 100000/day` for listings. */
export function describeLimits(limits: Limits): string {
  return WINDOWS.filter((w) => limits[w] !== undefined)
    .map((w) => `${limits[w]}/${w}`)
    .join(', ');
}
