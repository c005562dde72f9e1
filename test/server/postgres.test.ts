// Several stateless server processes sharing one PostgreSQL store: started together on an empty schema, keys
// added while they run are served by all of them. Skipped (with a warning) without EMEKIT_TEST_PG.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TEST_PG,
  dropSchema,
  freshSecrets,
  licenseRequest,
  pgUrlWithSchema,
  readLicense,
  runCli,
  startServerProcess,
  uniqueSchema,
  warnNoPostgres,
  withPg,
  type ServerProcess,
} from './support.js';

warnNoPostgres('postgres');

describe.runIf(TEST_PG !== undefined)('two server processes on one PostgreSQL', () => {
  const schema = uniqueSchema();
  const db = pgUrlWithSchema(schema);
  const { masterKey, jwtSecret } = freshSecrets();
  const env = { EMEKIT_MASTER_KEY: masterKey, EMEKIT_JWT_SECRET: jwtSecret };
  let servers: ServerProcess[] = [];

  beforeAll(async () => {
    // Both start at once on a schema that does not exist yet: set-up must be safe under that race.
    servers = await Promise.all([startServerProcess(['--db', db], env), startServerProcess(['--db', db], env)]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await dropSchema(schema);
  });

  async function license(server: ServerProcess, kids: string[]): Promise<Response> {
    const token = (await runCli(['token', '--kid', kids.join(','), '--ttl', '5m'], env)).stdout.trim();
    return fetch(server.licenseUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: licenseRequest(kids) });
  }

  async function addKey(kid: string, key: string): Promise<void> {
    const result = await runCli(['keys', 'add', '--db', db, '--kid', kid, '--key', key], env);
    expect(result.code, result.stderr).toBe(0);
  }

  it('both report a healthy postgres store', async () => {
    for (const server of servers) expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok', store: 'postgres' });
  });

  it('serves a key added while both run, through either process', async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const kid1 = 'aa'.repeat(16);
    const key1 = '11'.repeat(16);
    // Unknown at first (and not remembered as unknown: the next request must see the new key).
    expect((await license(a, [kid1])).status).toBe(404);
    await addKey(kid1, key1);
    expect(readLicense(await (await license(b, [kid1])).json(), 'temporary').get(kid1)).toBe(key1);
    expect(readLicense(await (await license(a, [kid1])).json(), 'temporary').get(kid1)).toBe(key1);
    // A second key after the first is cached in both: each process fetches it from the shared store.
    const kid2 = 'bb'.repeat(16);
    const key2 = '22'.repeat(16);
    await addKey(kid2, key2);
    expect(readLicense(await (await license(a, [kid1, kid2])).json(), 'temporary')).toEqual(
      new Map([[kid1, key1], [kid2, key2]]),
    );
    expect(readLicense(await (await license(b, [kid2])).json(), 'temporary').get(kid2)).toBe(key2);
  });

  it('keeps key bytes out of every PostgreSQL table', async () => {
    const rows = await withPg(async (client) => {
      await client.query(`SET search_path TO "${schema}"`);
      return (await client.query<{ sealed: Buffer }>('SELECT sealed FROM emekit_keys')).rows;
    });
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const { sealed } of rows) {
      expect(sealed.includes(Buffer.from('11'.repeat(16), 'hex'))).toBe(false);
      expect(sealed.includes(Buffer.from('22'.repeat(16), 'hex'))).toBe(false);
    }
  });

  it('a third process with another master key is refused', async () => {
    await expect(startServerProcess(['--db', db], { ...env, EMEKIT_MASTER_KEY: freshSecrets().masterKey })).rejects.toThrow(
      /does not match the master key/,
    );
  });
});
