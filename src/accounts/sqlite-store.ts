/** Keys and usage in a local SQLite file (better-sqlite3): one machine needs nothing else. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type DatabaseConstructor from 'better-sqlite3';
import { QrwError } from '../errors.js';
import type { AccountStore, KeyRecord, UsageFields } from './store.js';

interface KeyRow {
  id: string;
  name: string;
  hash: string;
  admin: number;
  tools: string | null;
  limits: string;
  created_at: string;
  revoked_at: string | null;
}

const fromRow = (row: KeyRow): KeyRecord => ({
  id: row.id,
  name: row.name,
  hash: row.hash,
  admin: row.admin === 1,
  tools: row.tools === null ? undefined : (JSON.parse(row.tools) as KeyRecord['tools']),
  limits: JSON.parse(row.limits) as KeyRecord['limits'],
  createdAt: row.created_at,
  revokedAt: row.revoked_at ?? undefined,
});

export class SqliteAccountStore implements AccountStore {
  private constructor(private readonly db: DatabaseConstructor.Database) {}

  /** better-sqlite3 (native) is loaded only when this store is used. */
  static async open(path: string): Promise<SqliteAccountStore> {
    const { default: Database } = await import('better-sqlite3');
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    // WAL: the API reads keys while the CLI writes them; NORMAL: a power cut may lose the last usage counts, never corrupt the file.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 2000');
    db.exec(`
      CREATE TABLE IF NOT EXISTS keys (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, hash TEXT NOT NULL, admin INTEGER NOT NULL,
        tools TEXT, limits TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT);
      CREATE TABLE IF NOT EXISTS usage (name TEXT NOT NULL, field TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (name, field));
    `);
    return new SqliteAccountStore(db);
  }

  async create(record: KeyRecord): Promise<'created' | 'id-taken'> {
    if (this.db.prepare('SELECT 1 FROM keys WHERE name = ?').get(record.name)) throw new QrwError('KEY_EXISTS', `A key named "${record.name}" exists.`, { name: record.name });
    if (this.db.prepare('SELECT 1 FROM keys WHERE id = ?').get(record.id)) return 'id-taken';
    this.db
      .prepare('INSERT INTO keys (id, name, hash, admin, tools, limits, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(record.id, record.name, record.hash, record.admin ? 1 : 0, record.tools ? JSON.stringify(record.tools) : null, JSON.stringify(record.limits), record.createdAt);
    return 'created';
  }

  async byId(id: string): Promise<KeyRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM keys WHERE id = ?').get(id) as KeyRow | undefined;
    return row && fromRow(row);
  }

  async list(): Promise<KeyRecord[]> {
    return (this.db.prepare('SELECT * FROM keys ORDER BY created_at, name').all() as KeyRow[]).map(fromRow);
  }

  async revoke(name: string): Promise<KeyRecord> {
    this.db.prepare('UPDATE keys SET revoked_at = coalesce(revoked_at, ?) WHERE name = ?').run(new Date().toISOString(), name);
    const row = this.db.prepare('SELECT * FROM keys WHERE name = ?').get(name) as KeyRow | undefined;
    if (!row) throw new QrwError('KEY_NOT_FOUND', `There is no key named "${name}".`, { name });
    return fromRow(row);
  }

  async addUsage(name: string, fields: UsageFields): Promise<void> {
    const upsert = this.db.prepare('INSERT INTO usage (name, field, value) VALUES (?, ?, ?) ON CONFLICT (name, field) DO UPDATE SET value = value + excluded.value');
    this.db.transaction(() => {
      for (const [field, value] of Object.entries(fields)) if (value !== 0) upsert.run(name, field, value);
    })();
  }

  async usage(name?: string): Promise<Map<string, UsageFields>> {
    const rows = (name === undefined ? this.db.prepare('SELECT * FROM usage').all() : this.db.prepare('SELECT * FROM usage WHERE name = ?').all(name)) as {
      name: string;
      field: string;
      value: number;
    }[];
    const byName = new Map<string, Record<string, number>>();
    for (const row of rows) {
      const fields = byName.get(row.name) ?? {};
      fields[row.field] = row.value;
      byName.set(row.name, fields);
    }
    return byName;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
