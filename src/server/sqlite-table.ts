// SQLite backend (better-sqlite3): the default, embedded store. WAL mode lets several server processes on one
// machine read while the CLI writes; statements are prepared once.
import Database from 'better-sqlite3';
import { DuplicateKeyError } from './errors.js';
import { toHex } from './bytes.js';
import type { KeyRow, KeyTable, NewKeyRow } from './key-table.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS emekit_keys (
  kid BLOB PRIMARY KEY,
  sealed BLOB NOT NULL,
  label TEXT,
  created_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS emekit_keys_label ON emekit_keys (label);
CREATE TABLE IF NOT EXISTS emekit_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS emekit_releases (
  id INTEGER PRIMARY KEY,
  kid BLOB NOT NULL,
  subject TEXT,
  released_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS emekit_releases_subject ON emekit_releases (subject, released_at);
CREATE INDEX IF NOT EXISTS emekit_releases_time ON emekit_releases (released_at);`;

interface RawRow {
  kid: Buffer;
  sealed: Buffer;
  label: string | null;
  created_at: string;
}

function toRow(raw: RawRow): KeyRow {
  return { kid: raw.kid, sealed: raw.sealed, label: raw.label, createdAt: new Date(raw.created_at) };
}

export function openSqliteTable(path: string): KeyTable {
  const db = new Database(path);
  // Another process (the CLI adding keys, a second worker) may hold the write lock briefly: wait, don't fail.
  db.pragma('busy_timeout = 5000');
  if (path !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);

  const insertKey = db.prepare<[Buffer, Buffer, string | null, string]>(
    'INSERT INTO emekit_keys (kid, sealed, label, created_at) VALUES (?, ?, ?, ?)',
  );
  const keyExists = db.prepare<[Buffer]>('SELECT 1 FROM emekit_keys WHERE kid = ?').pluck();
  const findKey = db.prepare<[Buffer], RawRow>('SELECT kid, sealed, label, created_at FROM emekit_keys WHERE kid = ?');
  const listKeys = db.prepare<[], RawRow>(
    'SELECT kid, sealed, label, created_at FROM emekit_keys ORDER BY created_at, kid',
  );
  const insertMeta = db.prepare<[string, Buffer]>('INSERT OR IGNORE INTO emekit_meta (name, value) VALUES (?, ?)');
  const readMeta = db.prepare<[string], Buffer>('SELECT value FROM emekit_meta WHERE name = ?').pluck();
  const insertRelease = db.prepare<[Buffer, string | null, string]>(
    'INSERT INTO emekit_releases (kid, subject, released_at) VALUES (?, ?, ?)',
  );
  // IS, not =: releases by tokens without a subject are counted together.
  const countReleases = db
    .prepare<[string | null, string], number>('SELECT count(*) FROM emekit_releases WHERE subject IS ? AND released_at >= ?')
    .pluck();
  const pruneReleases = db.prepare<[string]>('DELETE FROM emekit_releases WHERE released_at < ?');
  const ping = db.prepare('SELECT 1').pluck();

  const insertAll = db.transaction((rows: readonly NewKeyRow[], now: string) => {
    for (const row of rows) {
      if (keyExists.get(row.kid) !== undefined) throw new DuplicateKeyError(`key ID ${toHex(row.kid)} is already stored`);
      insertKey.run(row.kid, row.sealed, row.label, now);
    }
  });
  const releaseAll = db.transaction((kids: readonly Buffer[], subject: string | null, now: string, since: string, max: number) => {
    if ((countReleases.get(subject, since) ?? 0) + kids.length > max) return false;
    for (const kid of kids) insertRelease.run(kid, subject, now);
    return true;
  });
  const ensureMeta = db.transaction((name: string, value: Buffer): Buffer => {
    insertMeta.run(name, value);
    return readMeta.get(name) ?? value;
  });

  return {
    kind: 'sqlite',
    async insertKeys(rows) {
      insertAll.immediate(rows, new Date().toISOString());
    },
    async findKeys(kids) {
      const rows: KeyRow[] = [];
      for (const kid of kids) {
        const raw = findKey.get(kid);
        if (raw !== undefined) rows.push(toRow(raw));
      }
      return rows;
    },
    async listKeys() {
      return listKeys.all().map(toRow);
    },
    async ensureMeta(name, value) {
      return ensureMeta.immediate(name, value);
    },
    async insertReleases(kids, subject, since, max) {
      return releaseAll.immediate(kids, subject, new Date().toISOString(), since.toISOString(), max);
    },
    async pruneReleases(before) {
      pruneReleases.run(before.toISOString());
    },
    async ping() {
      ping.get();
    },
    async close() {
      db.close();
    },
  };
}
