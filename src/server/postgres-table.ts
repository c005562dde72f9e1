// PostgreSQL backend (pg): one store shared by any number of stateless server processes. The schema is created
// at start under an advisory lock, because CREATE ... IF NOT EXISTS alone can still collide when two processes
// start at the same moment.
import pg from 'pg';
import { DuplicateKeyError } from './errors.js';
import { toHex } from './bytes.js';
import type { KeyRow, KeyTable } from './key-table.js';

// Any fixed number; every emekit process takes the same lock while creating tables.
const SCHEMA_LOCK = 0x656d656b;
const UNIQUE_VIOLATION = '23505';
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PostgresTableOptions {
  /** Schema for emekit's tables (created if missing); the connection's default schema when omitted. */
  schema?: string;
  /** Connections per process. */
  poolSize?: number;
}

interface RawRow {
  kid: Buffer;
  sealed: Buffer;
  label: string | null;
  created_at: Date;
}

function toRow(raw: RawRow): KeyRow {
  return { kid: raw.kid, sealed: raw.sealed, label: raw.label, createdAt: raw.created_at };
}

/**
 * Splits emekit's own `schema` query parameter off a postgres:// URL, e.g.
 * `postgres://u:p@host/db?schema=licenses`; pg would otherwise pass it to the server as a setting.
 */
export function splitSchemaParam(url: string): { connectionString: string; schema: string | undefined } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

export async function openPostgresTable(connectionString: string, options: PostgresTableOptions = {}): Promise<KeyTable> {
  const schema = options.schema;
  if (schema !== undefined && !IDENTIFIER.test(schema)) {
    throw new Error(`PostgreSQL schema name must match ${IDENTIFIER.source}: ${JSON.stringify(schema)}`);
  }
  const q = schema === undefined ? '' : `"${schema}".`;
  const keys = `${q}emekit_keys`;
  const meta = `${q}emekit_meta`;
  const releases = `${q}emekit_releases`;
  // Prepared statements are per connection and per name: the schema is part of the name so two stores in one
  // process (tests) never reuse a plan made for the other's tables.
  const stmt = (name: string) => `emekit_${schema ?? 'default'}_${name}`;

  const pool = new pg.Pool({ connectionString, max: options.poolSize ?? 10 });
  // An idle client's error (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => {});

  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${keys} (
        kid bytea PRIMARY KEY,
        sealed bytea NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS emekit_keys_label ON ${keys} (label);
      CREATE TABLE IF NOT EXISTS ${meta} (name text PRIMARY KEY, value bytea NOT NULL);
      CREATE TABLE IF NOT EXISTS ${releases} (
        id bigserial PRIMARY KEY,
        kid bytea NOT NULL,
        subject text,
        released_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS emekit_releases_subject ON ${releases} (subject, released_at);
      CREATE INDEX IF NOT EXISTS emekit_releases_time ON ${releases} (released_at);`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    client.release();
    await pool.end();
    throw error;
  }
  client.release();

  return {
    kind: 'postgres',
    async insertKeys(rows) {
      const tx = await pool.connect();
      try {
        await tx.query('BEGIN');
        for (const row of rows) {
          try {
            await tx.query({
              name: stmt('insert_key'),
              text: `INSERT INTO ${keys} (kid, sealed, label) VALUES ($1, $2, $3)`,
              values: [row.kid, row.sealed, row.label],
            });
          } catch (error) {
            if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
              throw new DuplicateKeyError(`key ID ${toHex(row.kid)} is already stored`);
            }
            throw error;
          }
        }
        await tx.query('COMMIT');
      } catch (error) {
        await tx.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        tx.release();
      }
    },
    async findKeys(kids) {
      const result = await pool.query<RawRow>({
        name: stmt('find_keys'),
        text: `SELECT kid, sealed, label, created_at FROM ${keys} WHERE kid = ANY($1::bytea[])`,
        values: [kids],
      });
      return result.rows.map(toRow);
    },
    async listKeys() {
      const result = await pool.query<RawRow>(`SELECT kid, sealed, label, created_at FROM ${keys} ORDER BY created_at, kid`);
      return result.rows.map(toRow);
    },
    async ensureMeta(name, value) {
      await pool.query(`INSERT INTO ${meta} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, value]);
      const result = await pool.query<{ value: Buffer }>(`SELECT value FROM ${meta} WHERE name = $1`, [name]);
      return result.rows[0]?.value ?? value;
    },
    async insertReleases(kids, subject, since, max) {
      // One statement: the count and the insert see the same snapshot. Requests of one subject running at the same
      // moment in several processes can each pass the check, so the bound may be overshot by what they add.
      const bySubject = subject === null ? 'subject IS NULL' : 'subject = $2::text';
      const result = await pool.query({
        name: stmt(subject === null ? 'insert_releases_anonymous' : 'insert_releases'),
        text:
          `INSERT INTO ${releases} (kid, subject) SELECT kid, $2::text FROM unnest($1::bytea[]) AS kid ` +
          `WHERE (SELECT count(*) FROM ${releases} WHERE ${bySubject} AND released_at >= $3) + cardinality($1::bytea[]) <= $4`,
        values: [kids, subject, since, max],
      });
      return (result.rowCount ?? 0) > 0 || kids.length === 0;
    },
    async pruneReleases(before) {
      await pool.query({ name: stmt('prune_releases'), text: `DELETE FROM ${releases} WHERE released_at < $1`, values: [before] });
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
