// emekit's license server for tests that need one over HTTP: `startLicenseServer`, a real `emekit serve` process
// over an SQLite key store (what an operator runs; the Chromium and player tests are licensed by it), and
// `startLicenseApp`, the same app in the test's own process (for tests that sign their own tokens).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buildLicenseApp } from '../../src/server/app.js';
import { openKeyStore } from '../../src/server/key-store.js';
import { freshSecrets, runCli, startServerProcess, tempDir, type ServerProcess } from '../server/support.js';

export interface LicenseServer {
  licenseUrl: string;
  /** A bearer token granting these key IDs (hex), from `emekit token` with the server's secret (and `extra` options). */
  token(kids: readonly string[], extra?: readonly string[]): Promise<string>;
  /** The license requests the server answered so far (its log lines). */
  output(): string;
  stop(): Promise<void>;
}

/** A real `emekit serve` process over an SQLite key store holding `keys` (hex). */
export async function startLicenseServer(keys: readonly { kid: string; key: string }[]): Promise<LicenseServer> {
  const temp = tempDir();
  const db = join(temp.dir, 'keys.sqlite');
  const { masterKey, jwtSecret } = freshSecrets();
  const env = { EMEKIT_MASTER_KEY: masterKey, EMEKIT_JWT_SECRET: jwtSecret };
  const store = await openKeyStore(db, masterKey);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k.kid)) continue;
    seen.add(k.kid);
    await store.addKey(Buffer.from(k.kid, 'hex'), Buffer.from(k.key, 'hex'), null);
  }
  await store.close();
  let server: ServerProcess;
  try {
    server = await startServerProcess(['--db', db, '--log-requests'], env);
  } catch (error) {
    temp.remove();
    throw error;
  }
  return {
    licenseUrl: server.licenseUrl,
    // The CLI in a process of its own: jose signs with the realm's WebCrypto, which a DOM environment replaces.
    token: async (kids, extra = []) => {
      const minted = await runCli(['token', '--kid', kids.join(','), '--ttl', '10m', ...extra], env);
      if (minted.code !== 0) throw new Error(`emekit token failed: ${minted.stderr}`);
      return minted.stdout.trim();
    },
    output: () => server.output().stdout + server.output().stderr,
    stop: async () => {
      await server.stop();
      temp.remove();
    },
  };
}

export interface LicenseApp {
  licenseUrl: string;
  /** The HS256 secret tokens are signed with. */
  secret: Buffer;
  close(): Promise<void>;
}

/** The license app in this process: an in-memory store holding `keys` under one label, HS256 tokens, loopback. */
export async function startLicenseApp(keys: readonly { kid: Buffer; key: Buffer }[], label: string): Promise<LicenseApp> {
  const store = await openKeyStore(':memory:', randomBytes(32));
  for (const { kid, key } of keys) await store.addKey(kid, key, label);
  const secret = randomBytes(32);
  const app = await buildLicenseApp({ store, auth: { kind: 'hs256', secret }, log: false });
  const licenseUrl = `${await app.listen({ port: 0, host: '127.0.0.1' })}/license`;
  return {
    licenseUrl,
    secret,
    async close() {
      // A browser still running keeps its connections alive: close them rather than wait for it.
      app.server.closeAllConnections();
      await app.close();
      await store.close();
    },
  };
}
