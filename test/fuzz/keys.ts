/**
 * The API keys the fuzzer presents (AUTH_MODE=optional): made in the run's own ACCOUNTS_DB before its
 * server starts, one per role. A case names a key by a placeholder (`{{key:normal}}`, `{{id:normal}}`:
 * the key's id with a secret that is not its own); the runner puts the real key in just before it sends,
 * and what it saves goes through `redact`, so a saved finding never holds a secret.
 */
import { hashKey } from '../../src/accounts/keys.js';
import { parsePolicy } from '../../src/accounts/policy.js';
import { openAccounts } from '../../src/accounts/setup.js';
import type { FuzzCase } from './targets.js';

/** Each role's name and policy; the expectations of the auth cases (targets.ts) follow from these. */
export const KEY_ROLES = {
  /** Every tool, no limits. */
  normal: { name: 'fuzz-normal', policy: {} },
  /** 3 requests a minute: a rate the long run's few cases a minute with this key go over (429 QUOTA_EXCEEDED, window minute). */
  limited: { name: 'fuzz-limited', policy: { rate: ['3/min'] } },
  /** 1 request a day: every case after its first gets 429 QUOTA_EXCEEDED (window day). */
  spent: { name: 'fuzz-spent', policy: { quota: ['1/day'] } },
  /** The ID-photo tool only: 403 TOOL_NOT_ALLOWED on the QR routes. */
  idphotoOnly: { name: 'fuzz-idphoto-only', policy: { tools: 'idphoto' } },
  admin: { name: 'fuzz-admin', policy: { admin: true } },
  /** Made, then revoked: 401 INVALID_API_KEY. */
  revoked: { name: 'fuzz-revoked', policy: {} },
} as const;

export type KeyRole = keyof typeof KEY_ROLES;
export const KEY_ROLE_NAMES = Object.keys(KEY_ROLES) as KeyRole[];
/** The roles whose key works. */
export const LIVE_ROLES = KEY_ROLE_NAMES.filter((r) => r !== 'revoked');
export type FuzzKeys = Readonly<Record<KeyRole, string>>;

/** Makes a key per role in the SQLite file `accountsDb` (as `qrw keys create` does) and revokes the revoked one. */
export async function makeFuzzKeys(accountsDb: string): Promise<FuzzKeys> {
  const accounts = await openAccounts({ accountsDb, redisKeyPrefix: '' }, undefined);
  try {
    const keys: Partial<Record<KeyRole, string>> = {};
    for (const role of KEY_ROLE_NAMES) keys[role] = (await accounts.create(KEY_ROLES[role].name, parsePolicy(KEY_ROLES[role].policy))).key;
    await accounts.revoke(KEY_ROLES.revoked.name);
    return keys as FuzzKeys;
  } finally {
    await accounts.store.close();
  }
}

/** A key's id, the 8 characters after `qrw_` (docs/design/accounts.md). */
const idOf = (key: string): string => key.slice(4, 12);

const PLACEHOLDER = /\{\{(key|id):(\w+)\}\}/g;

function fill(text: string, keys: FuzzKeys): string {
  return text.replace(PLACEHOLDER, (whole, what: string, role: string) => {
    const key = keys[role as KeyRole];
    if (key === undefined) return whole;
    return what === 'key' ? key : idOf(key);
  });
}

/** The case as it goes on the wire: placeholders in its headers and raw bytes replaced by the real keys. */
export function withKeys(c: FuzzCase, keys: FuzzKeys | undefined): FuzzCase {
  if (!keys || c.target !== 'auth') return c;
  return {
    ...c,
    headers: Object.fromEntries(Object.entries(c.headers).map(([k, v]) => [k, fill(v, keys)])),
    // latin1 both ways keeps every byte as it was; the keys themselves are ASCII.
    ...(c.raw && { raw: Buffer.from(fill(c.raw.toString('latin1'), keys), 'latin1') }),
  };
}

/** What must never appear in an answer: each key and the SHA-256 the store keeps of it. */
export function secretsOf(keys: FuzzKeys): string[] {
  return KEY_ROLE_NAMES.flatMap((role) => [keys[role], hashKey(keys[role])]);
}

/** `text` with each key, its hash, and its id where it follows `qrw_`, put back as placeholders. */
export function redact(text: string, keys: FuzzKeys): string {
  let out = text;
  for (const role of KEY_ROLE_NAMES) {
    const key = keys[role];
    out = out
      .split(key)
      .join(`{{key:${role}}}`)
      .split(hashKey(key))
      .join(`{{hash:${role}}}`)
      .split(`qrw_${idOf(key)}`)
      .join(`qrw_{{id:${role}}}`);
  }
  return out;
}
