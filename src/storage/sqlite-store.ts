// A SessionStore in an SQLite file (better-sqlite3). WAL journaling with synchronous=FULL: each put/delete is
// one transaction, so a process killed mid-write leaves the previous state and a committed write survives.

import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import type { SessionStore } from './session-store.js';

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS eme_sessions (
    origin     TEXT NOT NULL,
    session_id TEXT NOT NULL,
    record     BLOB NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (origin, session_id)
  ) WITHOUT ROWID;
`;

/** The native addon is loaded on first use, so that platforms without a store path never pay for it. */
function loadSqlite(): typeof Database {
  return createRequire(import.meta.url)('better-sqlite3') as typeof Database;
}

export class SqliteSessionStore implements SessionStore {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #get: Database.Statement<[string, string], { record: Buffer }>;
  readonly #put: Database.Statement<[string, string, Buffer, number]>;
  readonly #delete: Database.Statement<[string, string]>;
  readonly #list: Database.Statement<[string], { session_id: string }>;

  constructor(path: string) {
    this.path = path;
    this.#db = new (loadSqlite())(path);
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.pragma('busy_timeout = 5000');
      this.#db.exec(SCHEMA);
    } catch (error) {
      this.#db.close();
      throw new Error(`cannot open session store ${path}: ${(error as Error).message}`);
    }
    this.#get = this.#db.prepare('SELECT record FROM eme_sessions WHERE origin = ? AND session_id = ?');
    this.#put = this.#db.prepare(
      `INSERT INTO eme_sessions (origin, session_id, record, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (origin, session_id) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at`,
    );
    this.#delete = this.#db.prepare('DELETE FROM eme_sessions WHERE origin = ? AND session_id = ?');
    this.#list = this.#db.prepare('SELECT session_id FROM eme_sessions WHERE origin = ? ORDER BY session_id');
  }

  async get(origin: string, sessionId: string): Promise<Uint8Array | undefined> {
    const row = this.#get.get(origin, sessionId);
    return row ? new Uint8Array(row.record) : undefined;
  }

  async put(origin: string, sessionId: string, record: Uint8Array): Promise<void> {
    this.#put.run(origin, sessionId, Buffer.from(record), Date.now());
  }

  async delete(origin: string, sessionId: string): Promise<boolean> {
    return this.#delete.run(origin, sessionId).changes > 0;
  }

  async list(origin: string): Promise<string[]> {
    return this.#list.all(origin).map((row) => row.session_id);
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}
