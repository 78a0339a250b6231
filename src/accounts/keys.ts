/**
 * The keys themselves: `qrw_<id><secret>`, 32 random bytes in base64url after the prefix. The first
 * ID_LENGTH characters are the key's id, stored in clear for lookup; the whole key is stored only as
 * its SHA-256, compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'qrw_';
/** 8 base64url characters (48 bits): enough that ids of randomly made keys practically never collide (a collision is retried). */
export const ID_LENGTH = 8;
const KEY_PATTERN = /^qrw_[A-Za-z0-9_-]{43}$/;

export interface NewKey {
  /** The secret, shown once. */
  readonly key: string;
  readonly id: string;
  readonly hash: string;
}

/** SHA-256 suffices: the key is 256 random bits, so there is nothing to guess, and a slow hash (bcrypt, argon2) would cost every request milliseconds. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newKey(): NewKey {
  const key = PREFIX + randomBytes(32).toString('base64url');
  return { key, id: key.slice(PREFIX.length, PREFIX.length + ID_LENGTH), hash: hashKey(key) };
}

/** The id a presented key is looked up by, or undefined when it cannot be one of ours. */
export function keyId(presented: string): string | undefined {
  return KEY_PATTERN.test(presented) ? presented.slice(PREFIX.length, PREFIX.length + ID_LENGTH) : undefined;
}

/** Constant time in the key's content: the stored and computed hashes always have the same length. */
export function keyMatches(presented: string, storedHash: string): boolean {
  const stored = Buffer.from(storedHash, 'hex');
  const computed = createHash('sha256').update(presented).digest();
  return stored.length === computed.length && timingSafeEqual(stored, computed);
}
