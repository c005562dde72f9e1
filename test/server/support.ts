// Shared by the server tests: real CLI processes on loopback, fresh master keys and secrets, PostgreSQL schemas.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '../..');
// The CLI from source through tsx, so these tests exercise the code as it is now, built or not.
const CLI = ['--import', 'tsx', join(ROOT, 'src/cli/main.ts')];

export const TEST_PG = process.env['EMEKIT_TEST_PG'];

export function warnNoPostgres(suite: string): void {
  if (TEST_PG === undefined) console.warn(`[${suite}] EMEKIT_TEST_PG is not set: PostgreSQL tests are skipped`);
}

export function freshSecrets(): { masterKey: string; jwtSecret: string } {
  return { masterKey: randomBytes(32).toString('hex'), jwtSecret: randomBytes(32).toString('hex') };
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'emekit-server-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A unique schema name per test run, so parallel runs on one database never meet. */
export function uniqueSchema(): string {
  return `emekit_test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export function pgUrlWithSchema(schema: string): string {
  const url = new URL(TEST_PG ?? 'postgres://localhost/none');
  url.searchParams.set('schema', schema);
  return url.toString();
}

export async function withPg<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withPg((client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function childEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  // Start from a clean slate for emekit's own variables so the test's choices are the only ones in force.
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(base)) if (name.startsWith('EMEKIT_') && name !== 'EMEKIT_TEST_PG') delete base[name];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete base[name];
    else base[name] = value;
  }
  return base;
}

export function runCli(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export interface ServerProcess {
  url: string;
  licenseUrl: string;
  child: ChildProcess;
  /** Everything the process wrote so far. */
  output(): { stdout: string; stderr: string };
  stop(): Promise<void>;
}

/** Starts `emekit serve --port 0 ...` and resolves with the URL it announces, or rejects with its output. */
export function startServerProcess(args: string[], env: Record<string, string | undefined>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`server did not start in time\n${stdout}\n${stderr}`));
    }, 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolvePromise({
          url: match[1],
          licenseUrl: `${match[1]}/license`,
          child,
          output: () => ({ stdout, stderr }),
          stop,
        });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening\n${stdout}\n${stderr}`));
    });
  });
}

export const b64u = (hex: string): string => Buffer.from(hex, 'hex').toString('base64url');

export function licenseRequest(kidsHex: string[], type: 'temporary' | 'persistent-license' = 'temporary'): string {
  return JSON.stringify({ kids: kidsHex.map(b64u), type });
}

/**
 * Checks a license against the Clear Key License Format (a JWK Set a Clear Key CDM's update() accepts) and
 * returns its keys as hex.
 */
export function readLicense(body: unknown, type: string): Map<string, string> {
  const B64U = /^[A-Za-z0-9_-]+$/;
  if (typeof body !== 'object' || body === null) throw new Error('license is not an object');
  const { keys, type: licenseType } = body as { keys?: unknown; type?: unknown };
  if (licenseType !== type) throw new Error(`license type ${String(licenseType)} is not ${type}`);
  if (!Array.isArray(keys) || keys.length === 0) throw new Error('license has no keys');
  const out = new Map<string, string>();
  for (const jwk of keys as Record<string, unknown>[]) {
    if (jwk['kty'] !== 'oct') throw new Error('kty is not oct');
    const { kid, k } = jwk;
    if (typeof kid !== 'string' || !B64U.test(kid) || typeof k !== 'string' || !B64U.test(k)) {
      throw new Error('kid/k not base64url without padding');
    }
    const key = Buffer.from(k, 'base64url');
    if (key.byteLength !== 16) throw new Error('k is not 16 bytes');
    out.set(Buffer.from(kid, 'base64url').toString('hex'), key.toString('hex'));
  }
  return out;
}
