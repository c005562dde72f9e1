// emekit's license server for tests that need one over HTTP: an in-memory store holding the given keys under one
// label, HS256 tokens, on a free loopback port.
import { randomBytes } from 'node:crypto';
import { buildLicenseApp } from '../../src/server/app.js';
import { openKeyStore } from '../../src/server/key-store.js';

export interface TestLicenseServer {
  licenseUrl: string;
  /** The HS256 secret tokens are signed with. */
  secret: Buffer;
  close(): Promise<void>;
}

export async function startLicenseServer(keys: readonly { kid: Buffer; key: Buffer }[], label: string): Promise<TestLicenseServer> {
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
