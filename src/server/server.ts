// Putting the pieces together: a store (opened here or handed in), the Fastify app, and a listening socket.
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildLicenseApp, type LicenseAppOptions } from './app.js';
import { openKeyStore, type KeyStore, type KeyStoreOptions } from './key-store.js';

export interface LicenseServerOptions extends Omit<LicenseAppOptions, 'store'> {
  /** An open key store; the caller keeps it and closes it. */
  store?: KeyStore;
  /** Otherwise, where to open one (SQLite path or postgres:// URL); the server closes it on close(). */
  db?: string;
  /** With `db`: the 32-byte master key, or its hex/base64 text. */
  masterKey?: Uint8Array | string;
  storeOptions?: KeyStoreOptions;
}

export interface ListeningLicenseServer {
  /** Base URL, e.g. http://127.0.0.1:8080 */
  url: string;
  /** Where Clear Key license requests go: `${url}/license`. */
  licenseUrl: string;
  close(): Promise<void>;
}

export interface LicenseServer {
  /** The Fastify app: routes can be added (e.g. a demo page) before listen(), or it can be driven with inject(). */
  app: FastifyInstance;
  store: KeyStore;
  /** Listens on `host` (default 127.0.0.1: exposing the server is a deliberate choice) and `port` (default 0: any). */
  listen(port?: number, host?: string): Promise<ListeningLicenseServer>;
  /** Stops the app and, if the server opened the store, the store. */
  close(): Promise<void>;
}

export async function createLicenseServer(options: LicenseServerOptions): Promise<LicenseServer> {
  let store = options.store;
  const ownsStore = store === undefined;
  if (store === undefined) {
    if (options.db === undefined || options.masterKey === undefined) {
      throw new TypeError('createLicenseServer needs either `store` or both `db` and `masterKey`');
    }
    store = await openKeyStore(options.db, options.masterKey, options.storeOptions);
  }
  const openStore = store;
  let app: FastifyInstance;
  try {
    app = await buildLicenseApp({ ...options, store: openStore });
  } catch (error) {
    if (ownsStore) await openStore.close();
    throw error;
  }
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      await app.close();
      if (ownsStore) await openStore.close();
    })());

  return {
    app,
    store: openStore,
    async listen(port = 0, host = '127.0.0.1') {
      await app.listen({ port, host });
      const address = app.server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const url = `http://${shownHost}:${address.port}`;
      return { url, licenseUrl: `${url}/license`, close };
    },
    close,
  };
}

export interface StartLicenseServerOptions extends LicenseServerOptions {
  port?: number;
  host?: string;
}

export type RunningLicenseServer = ListeningLicenseServer & Pick<LicenseServer, 'app' | 'store'>;

/** createLicenseServer() and listen() in one call. */
export async function startLicenseServer(options: StartLicenseServerOptions): Promise<RunningLicenseServer> {
  const server = await createLicenseServer(options);
  try {
    const listening = await server.listen(options.port, options.host);
    return { ...listening, app: server.app, store: server.store };
  } catch (error) {
    await server.close();
    throw error;
  }
}
