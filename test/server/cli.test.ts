// The operator's view on SQLite: keys in with `emekit keys`, tokens from `emekit token`, licenses from a real
// `emekit serve` process on loopback, and the refusals that protect the store.
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshSecrets, licenseRequest, readLicense, runCli, startServerProcess, tempDir, type ServerProcess } from './support.js';

const temp = tempDir();
const db = join(temp.dir, 'keys.sqlite');
const { masterKey, jwtSecret } = freshSecrets();
const env = { EMEKIT_MASTER_KEY: masterKey, EMEKIT_JWT_SECRET: jwtSecret };
const kid = '0123456789abcdef0123456789abcdef';
const key = 'feedfacedeadbeef0011223344556677';
let generated: { kid: string; key: string; label: string }[] = [];
const servers: ServerProcess[] = [];

beforeAll(async () => {
  const added = await runCli(['keys', 'add', '--db', db, '--kid', kid, '--key', key, '--label', 'sd'], env);
  expect(added.code, added.stderr).toBe(0);
  const made = await runCli(['keys', 'generate', '--db', db, '--count', '2', '--label', 'hd', '--show-keys', '--json'], env);
  expect(made.code, made.stderr).toBe(0);
  generated = JSON.parse(made.stdout) as typeof generated;
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  temp.remove();
});

async function serve(args: string[], serveEnv: Record<string, string | undefined> = env): Promise<ServerProcess> {
  const server = await startServerProcess(args, serveEnv);
  servers.push(server);
  return server;
}

async function mintToken(args: string[]): Promise<string> {
  const result = await runCli(['token', ...args], env);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

describe('emekit keys', () => {
  it('lists key IDs and labels without key values unless --show-keys', async () => {
    const plain = await runCli(['keys', 'list', '--db', db], env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(kid);
    expect(plain.stdout).toContain(generated[0]!.kid);
    expect(plain.stdout).not.toContain(key);
    expect(plain.stdout).not.toContain(generated[0]!.key);
    const shown = await runCli(['keys', 'list', '--db', db, '--show-keys'], env);
    expect(shown.stdout).toContain(key);
  });

  it('keeps the key bytes out of the database file', () => {
    const bytes = Buffer.concat([db, `${db}-wal`].filter(existsSync).map((path) => readFileSync(path)));
    expect(bytes.includes(Buffer.from(kid, 'hex'))).toBe(true);
    for (const value of [key, generated[0]!.key]) {
      expect(bytes.includes(Buffer.from(value, 'hex'))).toBe(false);
      expect(bytes.includes(Buffer.from(value))).toBe(false);
    }
  });

  it('refuses a duplicate key ID, bad hex and a short key with a one-line error', async () => {
    for (const args of [
      ['--kid', kid, '--key', key],
      ['--kid', 'xyz', '--key', key],
      ['--kid', 'aa'.repeat(16), '--key', 'aa'.repeat(8)],
    ]) {
      const result = await runCli(['keys', 'add', '--db', db, ...args], env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^emekit keys: .+\n$/);
    }
  });

  it('refuses to run without the master key, or with another one', async () => {
    const none = await runCli(['keys', 'list', '--db', db], { EMEKIT_JWT_SECRET: jwtSecret });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/EMEKIT_MASTER_KEY is not set/);
    const wrong = await runCli(['keys', 'list', '--db', db, '--show-keys'], { EMEKIT_MASTER_KEY: freshSecrets().masterKey });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/does not match/);
    expect(wrong.stdout).toBe('');
  });
});

describe('emekit serve on SQLite', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await serve(['--db', db, '--log-level', 'trace', '--log-requests']);
  });

  it('serves licenses to token holders', async () => {
    const tok = await mintToken(['--kid', kid, '--label', 'hd', '--ttl', '5m']);
    const response = await fetch(server.licenseUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${tok}` },
      body: new TextEncoder().encode(licenseRequest([kid, generated[0]!.kid, generated[1]!.kid])),
    });
    expect(response.status).toBe(200);
    expect(readLicense(await response.json(), 'temporary')).toEqual(
      new Map([[kid, key], ...generated.map((entry) => [entry.kid, entry.key] as [string, string])]),
    );
  });

  it('refuses persistent licenses unless the token says --persistent', async () => {
    const send = async (args: string[]) =>
      fetch(server.licenseUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${await mintToken(args)}`, 'content-type': 'application/octet-stream' },
        body: licenseRequest([kid], 'persistent-license'),
      });
    expect((await send(['--kid', kid])).status).toBe(403);
    const allowed = await send(['--kid', kid, '--persistent']);
    expect(readLicense(await allowed.json(), 'persistent-license').get(kid)).toBe(key);
  });

  it('answers 401 with WWW-Authenticate without a token', async () => {
    const response = await fetch(server.licenseUrl, { method: 'POST', body: licenseRequest([kid]) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await response.json()).toMatchObject({ error: 'unauthorized' });
  });

  it('reports health', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(await response.json()).toEqual({ status: 'ok', store: 'sqlite' });
  });

  it('writes structured logs with no key or token in them, even at trace with every request logged', async () => {
    const { stdout, stderr } = server.output();
    const lines = stdout.split('\n').filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    const all = stdout + stderr;
    for (const value of [key, ...generated.map((entry) => entry.key)]) {
      const bytes = Buffer.from(value, 'hex');
      expect(all).not.toContain(value);
      expect(all).not.toContain(bytes.toString('base64url'));
    }
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });
});

describe('emekit serve refusals and modes', () => {
  it('will not start without a master key', async () => {
    await expect(startServerProcess(['--db', db], { EMEKIT_JWT_SECRET: jwtSecret })).rejects.toThrow(/EMEKIT_MASTER_KEY is not set/);
  });

  it('will not start with the wrong master key', async () => {
    await expect(
      startServerProcess(['--db', db], { EMEKIT_MASTER_KEY: freshSecrets().masterKey, EMEKIT_JWT_SECRET: jwtSecret }),
    ).rejects.toThrow(/does not match the master key/);
  });

  it('will not start without a way to check tokens unless told to be open', async () => {
    await expect(startServerProcess(['--db', db], { EMEKIT_MASTER_KEY: masterKey })).rejects.toThrow(/EMEKIT_JWT_SECRET/);
    const open = await serve(['--db', db, '--insecure-no-auth'], { EMEKIT_MASTER_KEY: masterKey });
    expect(open.output().stderr).toMatch(/WARNING: --insecure-no-auth/);
    const response = await fetch(open.licenseUrl, { method: 'POST', body: licenseRequest([kid]) });
    expect(readLicense(await response.json(), 'temporary').get(kid)).toBe(key);
  });

  it('demo mode makes up a master key and says so', async () => {
    const demo = await serve(['--demo', '--insecure-no-auth'], {});
    expect(demo.output().stderr).toMatch(/demo mode: .*random master key/);
    expect((await fetch(`${demo.url}/healthz`)).status).toBe(200);
  });

  it('takes the bound on one subject\'s recorded releases from --releases-per-subject, and refuses bad limits', async () => {
    const limited = await serve(['--db', db, '--releases-per-subject', '1', '--release-days', '7', '--request-timeout', '5']);
    const tok = await mintToken(['--kid', kid, '--sub', 'viewer-9', '--ttl', '5m']);
    const release = () => fetch(limited.licenseUrl, { method: 'POST', headers: { authorization: `Bearer ${tok}` }, body: JSON.stringify({ kids: [Buffer.from(kid, 'hex').toString('base64url')] }) });
    expect((await release()).status).toBe(200);
    expect((await release()).status).toBe(429);
    await expect(startServerProcess(['--db', db, '--release-days', '0'], env)).rejects.toThrow(/--release-days must be 1\.\.36500/);
  });

  it('runs several worker processes on one port', async () => {
    const cluster = await serve(['--db', db, '--workers', '2']);
    expect(cluster.output().stdout).toMatch(/2 worker processes/);
    const tok = await mintToken(['--kid', kid]);
    for (let i = 0; i < 6; i++) {
      const response = await fetch(cluster.licenseUrl, { method: 'POST', headers: { authorization: `Bearer ${tok}` }, body: licenseRequest([kid]) });
      expect(readLicense(await response.json(), 'temporary').get(kid)).toBe(key);
    }
  });
});
