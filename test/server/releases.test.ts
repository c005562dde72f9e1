// License releases cannot fill the server's disk (issue 16, item 5). The attack: a token for one key ID sent
// releases naming 64 made-up key IDs as fast as it could, and every one was written (1.6 million rows in 10 s).
// Now only the key IDs the token covers are recorded, one subject has a bounded number on record, and records
// expire. On SQLite, and on PostgreSQL when EMEKIT_TEST_PG is set.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { buildLicenseApp } from '../../src/server/app.js';
import { openKeyStore, type KeyStore, type KeyStoreOptions } from '../../src/server/key-store.js';
import { signLicenseToken } from '../../src/server/token.js';
import { TEST_PG, b64u, dropSchema, pgUrlWithSchema, tempDir, uniqueSchema, warnNoPostgres, withPg } from './support.js';

interface Backend {
  name: string;
  fresh(): string;
  /** The recorded releases, as hex key ID and subject. */
  releases(location: string): Promise<{ kid: string; subject: string | null }[]>;
}

const temp = tempDir();
const schemas: string[] = [];
const backends: Backend[] = [
  {
    name: 'sqlite',
    fresh: () => join(temp.dir, `releases-${randomBytes(4).toString('hex')}.sqlite`),
    async releases(location) {
      const db = new Database(location, { readonly: true });
      try {
        const rows = db.prepare('SELECT kid, subject FROM emekit_releases').all() as { kid: Buffer; subject: string | null }[];
        return rows.map((row) => ({ kid: row.kid.toString('hex'), subject: row.subject }));
      } finally {
        db.close();
      }
    },
  },
];
warnNoPostgres('releases');
if (TEST_PG !== undefined) {
  backends.push({
    name: 'postgres',
    fresh() {
      const schema = uniqueSchema();
      schemas.push(schema);
      return pgUrlWithSchema(schema);
    },
    releases: (location) =>
      withPg(async (client) => {
        const schema = new URL(location).searchParams.get('schema')!;
        const { rows } = await client.query<{ kid: Buffer; subject: string | null }>(`SELECT kid, subject FROM "${schema}".emekit_releases`);
        return rows.map((row) => ({ kid: row.kid.toString('hex'), subject: row.subject }));
      }),
  });
}
afterAll(async () => {
  temp.remove();
  for (const schema of schemas) await dropSchema(schema);
});

const secret = randomBytes(32).toString('hex');
const hex = () => randomBytes(16).toString('hex');

describe.each(backends)('license releases on $name', (backend) => {
  let location: string;
  let store: KeyStore;
  let app: FastifyInstance;
  const mine = hex();
  const labelled = [hex(), hex()];

  async function open(options: KeyStoreOptions = {}): Promise<void> {
    location = backend.fresh();
    store = await openKeyStore(location, randomBytes(32), options);
    await store.addKeys([
      { kid: Buffer.from(mine, 'hex'), key: randomBytes(16) },
      ...labelled.map((kid) => ({ kid: Buffer.from(kid, 'hex'), key: randomBytes(16), label: 'sd' })),
    ]);
    app = await buildLicenseApp({ store, auth: { kind: 'hs256', secret }, log: false });
  }
  afterEach(async () => {
    await app.close();
    await store.close();
  });

  async function release(kids: string[], claims: { kids?: string[]; labels?: string[]; subject?: string }) {
    const token = await signLicenseToken(secret, { ...claims, persistent: true, ttlSeconds: 60 });
    return app.inject({
      method: 'POST',
      url: '/license',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ kids: kids.map(b64u) }),
    });
  }

  it('the attack: a token for one key ID releasing 64 key IDs over and over records only its own key ID', async () => {
    await open();
    const attack = [mine, ...Array.from({ length: 63 }, hex)];
    for (let i = 0; i < 10; i++) {
      const response = await release(attack, { kids: [mine], subject: 'attacker' });
      // Still acknowledged as asked: the acknowledgement holds no secret.
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ kids: attack.map(b64u) });
    }
    const rows = await backend.releases(location);
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((row) => `${row.kid} ${row.subject}`))).toEqual(new Set([`${mine} attacker`]));
    // A token that covers none of them records nothing.
    expect((await release(attack.slice(1), { kids: [mine], subject: 'attacker' })).statusCode).toBe(200);
    expect(await backend.releases(location)).toHaveLength(10);
  });

  it('a label token records the stored keys under its labels, not unknown key IDs', async () => {
    await open();
    const response = await release([...labelled, hex(), mine], { labels: ['sd'], subject: 'viewer' });
    expect(response.statusCode, response.body).toBe(200);
    const rows = await backend.releases(location);
    expect(rows.map((row) => row.kid).sort()).toEqual([...labelled].sort());
  });

  it('one subject has at most maxReleasesPerSubject on record: beyond that 429 and nothing written; others go on', async () => {
    await open({ maxReleasesPerSubject: 5 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await release(labelled, { labels: ['sd'], subject: 'greedy' })).statusCode);
    expect(statuses).toEqual([200, 200, 429, 429]);
    const refused = await release(labelled, { labels: ['sd'], subject: 'greedy' });
    expect(refused.json()).toMatchObject({ error: 'too_many_releases' });
    // 4 recorded; a fifth and sixth would pass the bound, so neither is written.
    expect((await release([mine], { kids: [mine], subject: 'greedy' })).statusCode).toBe(200);
    expect((await release([mine], { kids: [mine], subject: 'greedy' })).statusCode).toBe(429);
    expect((await release([mine], { kids: [mine], subject: 'someone-else' })).statusCode).toBe(200);
    // Tokens without a subject share one record.
    expect((await release(labelled, { labels: ['sd'] })).statusCode).toBe(200);
    const rows = await backend.releases(location);
    expect(rows.filter((row) => row.subject === 'greedy')).toHaveLength(5);
    expect(rows).toHaveLength(8);
  });

  it('keeps releases for releaseRetentionMs, then deletes them, which frees the subject’s bound', async () => {
    await open({ releaseRetentionMs: 300, maxReleasesPerSubject: 2 });
    expect((await release(labelled, { labels: ['sd'], subject: 'viewer' })).statusCode).toBe(200);
    expect((await release([mine], { kids: [mine], subject: 'viewer' })).statusCode).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await release([mine], { kids: [mine], subject: 'viewer' })).statusCode).toBe(200);
    expect(await backend.releases(location)).toEqual([{ kid: mine, subject: 'viewer' }]);
  });
});
