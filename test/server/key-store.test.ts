// The key store on both backends: keys in and out, encryption at rest, master key checks, tampering, and
// (PostgreSQL) several processes setting up one store at the same moment.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuplicateKeyError, KeyIntegrityError, MasterKeyError } from '../../src/server/errors.js';
import { openKeyStore, type KeyStore } from '../../src/server/key-store.js';
import { TEST_PG, dropSchema, pgUrlWithSchema, tempDir, uniqueSchema, warnNoPostgres, withPg } from './support.js';

interface Backend {
  name: string;
  /** A location for a brand-new store. */
  fresh(): string;
  /** Runs raw SQL against the store at `location`, returning rows. */
  raw(location: string, sql: string): Promise<Record<string, unknown>[]>;
  /** Every byte the backend keeps for the store, as one buffer to search. */
  allBytes(location: string): Promise<Buffer>;
  cleanup(): Promise<void>;
}

const temp = tempDir();
let sqliteCount = 0;
const sqlite: Backend = {
  name: 'sqlite',
  fresh: () => join(temp.dir, `store-${++sqliteCount}.sqlite`),
  async raw(location, sql) {
    const db = new Database(location);
    try {
      const statement = db.prepare(sql);
      return statement.reader ? (statement.all() as Record<string, unknown>[]) : (statement.run(), []);
    } finally {
      db.close();
    }
  },
  async allBytes(location) {
    return Buffer.concat(
      [location, `${location}-wal`].filter((path) => existsSync(path)).map((path) => readFileSync(path)),
    );
  },
  async cleanup() {
    temp.remove();
  },
};

const schemas: string[] = [];
const schemaOf = (location: string) => new URL(location).searchParams.get('schema')!;
const postgres: Backend = {
  name: 'postgres',
  fresh() {
    const schema = uniqueSchema();
    schemas.push(schema);
    return pgUrlWithSchema(schema);
  },
  async raw(location, sql) {
    return withPg(async (client) => {
      await client.query(`SET search_path TO "${schemaOf(location)}"`);
      return (await client.query(sql)).rows as Record<string, unknown>[];
    });
  },
  async allBytes(location) {
    const rows = await this.raw(location, 'SELECT kid, sealed, label FROM emekit_keys UNION ALL SELECT name::bytea, value, NULL FROM emekit_meta');
    return Buffer.concat(rows.flatMap((row) => Object.values(row).map((value) => (Buffer.isBuffer(value) ? value : Buffer.from(String(value))))));
  },
  async cleanup() {
    for (const schema of schemas) await dropSchema(schema);
  },
};

warnNoPostgres('key-store');
const backends = TEST_PG === undefined ? [sqlite] : [sqlite, postgres];
afterAll(async () => {
  for (const backend of backends) await backend.cleanup();
});

describe.each(backends)('key store on $name', (backend) => {
  const masterKey = randomBytes(32);
  let location: string;
  let store: KeyStore;

  beforeAll(async () => {
    location = backend.fresh();
    store = await openKeyStore(location, masterKey, { cacheSize: 0 });
  });
  afterAll(async () => {
    await store.close();
  });

  it('stores keys and finds them by key ID, with unknown IDs absent', async () => {
    const kid = randomBytes(16);
    const key = randomBytes(16);
    await store.addKey(kid, key, 'sd');
    const found = await store.getKeys([kid, randomBytes(16)]);
    expect([...found.keys()]).toEqual([kid.toString('hex')]);
    expect(found.get(kid.toString('hex'))).toMatchObject({ key, label: 'sd' });
  });

  it('generates keys and lists them without key values unless asked', async () => {
    const made = await store.generateKeys(3, 'batch');
    const listed = await store.listKeys();
    for (const { kid } of made) expect(listed.some((info) => info.kid.equals(kid))).toBe(true);
    expect(listed.every((info) => info.key === undefined)).toBe(true);
    const withKeys = await store.listKeys({ withKeys: true });
    for (const { kid, key } of made) expect(withKeys.find((info) => info.kid.equals(kid))?.key).toEqual(key);
  });

  it('refuses a second key under the same key ID, keeping the first', async () => {
    const kid = randomBytes(16);
    const key = randomBytes(16);
    await store.addKey(kid, key);
    await expect(store.addKey(kid, randomBytes(16))).rejects.toBeInstanceOf(DuplicateKeyError);
    // All or none: the fresh key in the same batch is not stored either.
    const other = randomBytes(16);
    await expect(store.addKeys([{ kid: other, key }, { kid, key }])).rejects.toBeInstanceOf(DuplicateKeyError);
    expect((await store.getKeys([kid, other])).get(kid.toString('hex'))?.key).toEqual(key);
    expect((await store.getKeys([other])).size).toBe(0);
  });

  it('refuses keys that are not 16 bytes and key IDs outside 1..512 bytes', async () => {
    await expect(store.addKey(randomBytes(16), randomBytes(32))).rejects.toThrow(RangeError);
    await expect(store.addKey(new Uint8Array(0), randomBytes(16))).rejects.toThrow(RangeError);
    await expect(store.addKey(randomBytes(513), randomBytes(16))).rejects.toThrow(RangeError);
    await store.addKey(randomBytes(1), randomBytes(16));
  });

  it('keeps keys encrypted at rest', async () => {
    const key = randomBytes(16);
    const kid = randomBytes(16);
    await store.addKey(kid, key, 'secret');
    const bytes = await backend.allBytes(location);
    expect(bytes.includes(kid)).toBe(true); // the search itself works: key IDs are stored in the clear
    expect(bytes.includes(key)).toBe(false);
    expect(bytes.includes(Buffer.from(key.toString('hex')))).toBe(false);
    expect(bytes.includes(Buffer.from(key.toString('base64url')))).toBe(false);
  });

  it('refuses another master key with a clear error, and opens again with the right one', async () => {
    await expect(openKeyStore(location, randomBytes(32))).rejects.toThrow(MasterKeyError);
    await expect(openKeyStore(location, randomBytes(32))).rejects.toThrow(/does not match/);
    const again = await openKeyStore(location, masterKey.toString('base64'));
    await again.close();
  });

  it('detects sealed keys swapped between rows or relabelled', async () => {
    const a = randomBytes(16);
    const b = randomBytes(16);
    await store.addKeys([
      { kid: a, key: randomBytes(16), label: 'one' },
      { kid: b, key: randomBytes(16), label: 'one' },
    ]);
    const hexA = a.toString('hex');
    const hexB = b.toString('hex');
    const kidLiteral = (hex: string) => (backend.name === 'sqlite' ? `x'${hex}'` : `'\\x${hex}'::bytea`);
    // Put b's sealed key on a's row: its associated data names b, so opening it as a must fail.
    await backend.raw(
      location,
      `UPDATE emekit_keys SET sealed = (SELECT sealed FROM emekit_keys WHERE kid = ${kidLiteral(hexB)}) WHERE kid = ${kidLiteral(hexA)}`,
    );
    await expect(store.getKeys([a])).rejects.toBeInstanceOf(KeyIntegrityError);
    // A label is part of the associated data too: moving a key into another label's group is detected.
    await backend.raw(location, `UPDATE emekit_keys SET label = 'premium' WHERE kid = ${kidLiteral(hexB)}`);
    await expect(store.getKeys([b])).rejects.toBeInstanceOf(KeyIntegrityError);
    await backend.raw(location, `DELETE FROM emekit_keys WHERE kid IN (${kidLiteral(hexA)}, ${kidLiteral(hexB)})`);
  });

  it('records license releases', async () => {
    const kid = randomBytes(16);
    await store.recordRelease([kid], 'user-7');
    const rows = await backend.raw(location, 'SELECT kid, subject FROM emekit_releases');
    expect(rows.some((row) => Buffer.from(row['kid'] as Uint8Array).equals(kid) && row['subject'] === 'user-7')).toBe(true);
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
});

describe.runIf(TEST_PG !== undefined)('key store on postgres, several processes at once', () => {
  it('sets up one fresh schema from several stores opened together', async () => {
    const location = postgres.fresh();
    const masterKey = randomBytes(32);
    const stores = await Promise.all(Array.from({ length: 4 }, () => openKeyStore(location, masterKey, { poolSize: 2 })));
    const kid = randomBytes(16);
    const key = randomBytes(16);
    await stores[0]!.addKey(kid, key);
    for (const store of stores) expect((await store.getKeys([kid])).get(kid.toString('hex'))?.key).toEqual(key);
    await Promise.all(stores.map((store) => store.close()));
  });

  it('lets exactly one of two master keys claim a fresh store', async () => {
    const location = postgres.fresh();
    const results = await Promise.allSettled([openKeyStore(location, randomBytes(32)), openKeyStore(location, randomBytes(32))]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(MasterKeyError);
    for (const result of results) if (result.status === 'fulfilled') await result.value.close();
  });
});
