// Closing the license server cannot be held open by a client. Found when a Chromium test stopped `emekit serve` with
// SIGTERM while the browser held a connection on which it had sent nothing: the process never exited (Node's
// server.close() stops enforcing the request timeout, and closes only connections that completed a request). Now
// connections with no request in flight are closed at once, and a request in flight is still answered.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openKeyStore } from '../../src/server/key-store.js';
import { startLicenseServer } from '../../src/server/server.js';
import { freshSecrets, licenseRequest, startServerProcess, tempDir } from './support.js';

interface RawConnection {
  readonly socket: Socket;
  received(): string;
  /** Resolves once what the connection has received includes text; rejects, with what it did receive, if the
   * connection closes first (a failure reads as what the server sent, not as the test's timeout). */
  receives(text: string): Promise<void>;
  readonly closed: Promise<void>;
}

/** A raw connection to `url` that records what it receives and when it is closed. */
async function rawConnection(url: string): Promise<RawConnection> {
  const socket = connect(Number(new URL(url).port), '127.0.0.1');
  socket.on('error', () => {});
  let received = '';
  let isClosed = false;
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  const receives = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const closedFirst = () => reject(new Error(`the connection closed before it received ${JSON.stringify(text)}; it received ${JSON.stringify(received)}`));
      if (received.includes(text)) return resolve();
      if (isClosed) return closedFirst();
      // Added after the recorder above: each check sees its chunk already recorded.
      const check = () => {
        if (!received.includes(text)) return;
        socket.off('data', check).off('close', closedFirst);
        resolve();
      };
      socket.on('data', check).once('close', closedFirst);
    });
  await new Promise((resolve) => socket.once('connect', resolve));
  return { socket, received: () => received, receives, closed };
}

describe('closing the license server', () => {
  it('closes silent, half-sent and idle connections at once, and still answers a request in flight', async () => {
    const store = await openKeyStore(':memory:', randomBytes(32));
    const kid = randomBytes(16).toString('hex');
    await store.addKey(Buffer.from(kid, 'hex'), randomBytes(16));
    // A request timeout far beyond the test's own: only closing at once can end the first three connections.
    const server = await startLicenseServer({ store, auth: { kind: 'none' }, log: false, requestTimeoutMs: 3_600_000, keepAliveTimeoutMs: 3_600_000 });
    try {
      const body = licenseRequest([kid]);
      const head = `POST /license HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
      const silent = await rawConnection(server.url);
      const halfHead = await rawConnection(server.url);
      halfHead.socket.write('POST /license HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      const idle = await rawConnection(server.url);
      idle.socket.write(head + body);
      await idle.receives('"keys"');
      const requestSeen = new Promise((resolve) => server.app.server.once('request', resolve));
      const inFlight = await rawConnection(server.url);
      inFlight.socket.write(head + body.slice(0, 10));
      await requestSeen;

      let closedServer = false;
      const closing = server.close().then(() => (closedServer = true));
      await Promise.all([silent.closed, halfHead.closed, idle.closed]);
      expect(silent.received()).toBe('');
      expect(closedServer).toBe(false);

      inFlight.socket.write(body.slice(10));
      await closing;
      await inFlight.receives('"keys"');
      expect(inFlight.received()).toMatch(/^HTTP\/1\.1 200 /);
      inFlight.socket.destroy();
    } finally {
      await server.close();
      await store.close();
    }
  }, 30_000);

  it('`emekit serve` exits on SIGTERM while a client that sent nothing holds a connection', async () => {
    const temp = tempDir();
    try {
      const { masterKey, jwtSecret } = freshSecrets();
      const server = await startServerProcess(['--db', join(temp.dir, 'keys.sqlite'), '--request-timeout', '3600'], { EMEKIT_MASTER_KEY: masterKey, EMEKIT_JWT_SECRET: jwtSecret });
      const silent = await rawConnection(server.url);
      await server.stop();
      expect(server.child.exitCode).toBe(0);
      await silent.closed;
    } finally {
      temp.remove();
    }
  }, 30_000);
});
