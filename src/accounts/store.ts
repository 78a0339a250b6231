/** Where keys and their usage live: Redis when the service has one (shared by replicas), else a local SQLite file. */
import type { Tool } from '../platform/config.js';
import type { Limits } from './policy.js';

export interface KeyRecord {
  /** The key's first characters after `qrw_`, in clear: the lookup id. */
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the whole key, hex; the key itself is never stored. */
  readonly hash: string;
  readonly admin: boolean;
  readonly tools?: readonly Tool[] | undefined;
  readonly limits: Limits;
  readonly createdAt: string;
  readonly revokedAt?: string | undefined;
}

/** Usage counters of one key: `codes`, `decoded`, `idphotos`, `bytesIn`, `bytesOut`, and `requests` by `METHOD /route` and status. */
export type UsageFields = Readonly<Record<string, number>>;

/** The field of a request count: `req|POST /api/v1/generate|200`. */
export const requestField = (route: string, status: number): string => `req|${route}|${status}`;

export interface AccountStore {
  /** 'id-taken' when another key has the same id (the caller makes a new key); KEY_EXISTS when the name is taken. */
  create(record: KeyRecord): Promise<'created' | 'id-taken'>;
  byId(id: string): Promise<KeyRecord | undefined>;
  list(): Promise<KeyRecord[]>;
  /** Marks the key revoked (kept, so its name and usage stay attributable); KEY_NOT_FOUND when there is none. */
  revoke(name: string): Promise<KeyRecord>;
  addUsage(name: string, fields: UsageFields): Promise<void>;
  /** Usage by key name: one key's, or every key's. */
  usage(name?: string): Promise<Map<string, UsageFields>>;
  close(): Promise<void>;
}
