// Slow clients cannot hold the server's connections (issue 16, item 6). The attack: with the 10 s request timeout
// configured, clients dripping their headers a byte at a time got 408 only at ~29 s, and clients dripping their
// body were still connected after 70 s. Here, over real sockets, a server configured with a 600 ms timeout must
// answer 408 and close each kind of dripping client within that time (plus Node's checking interval), long before
// its drip would end; a slow client that does finish in time is served.
import { connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKeyStore, type KeyStore } from '../../src/server/key-store.js';
import { startLicenseServer, type RunningLicenseServer } from '../../src/server/server.js';
import { licenseRequest } from './support.js';

const TIMEOUT_MS = 600;
const KEEP_ALIVE_MS = 400;
// Node checks for expired requests every TIMEOUT_MS / 4; the rest is slack for a loaded machine.
const LATEST_MS = TIMEOUT_MS + 900;
// Node closes an idle keep-alive connection this long after the keep-alive timeout it announces.
const NODE_KEEP_ALIVE_BUFFER_MS = 1000;

let store: KeyStore;
let server: RunningLicenseServer;
const kid = randomBytes(16).toString('hex');

beforeAll(async () => {
  store = await openKeyStore(':memory:', randomBytes(32));
  await store.addKey(Buffer.from(kid, 'hex'), randomBytes(16));
  server = await startLicenseServer({ store, auth: { kind: 'none' }, log: false, requestTimeoutMs: TIMEOUT_MS, keepAliveTimeoutMs: KEEP_ALIVE_MS });
});
afterAll(async () => {
  await server.close();
  await store.close();
});

interface Outcome {
  /** What the server sent before closing. */
  received: string;
  /** ms from connecting until the server closed the connection. */
  closedAfter: number;
  /** Pieces of the drip still unsent when it closed. */
  unsent: number;
}

/** Connects, sends `head` at once and then the pieces of `drip` (its bytes, if a string) one every `everyMs`,
 *  until the server closes. */
function drip(head: string, drip: string | string[], everyMs: number): Promise<Outcome> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect(Number(port), '127.0.0.1');
    let received = '';
    let sent = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.write(head);
    const timer = setInterval(() => {
      if (sent < drip.length && socket.writable) socket.write(drip[sent++]!, 'latin1');
    }, everyMs);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ received, closedAfter: performance.now() - started, unsent: drip.length - sent });
    });
    setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      reject(new Error(`still connected after 10 s; received ${JSON.stringify(received)}`));
    }, 10_000);
  });
}

const body = licenseRequest([kid]);
const requestHead = `POST /license HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;

function expectTimedOut(outcome: Outcome): void {
  expect(outcome.received).toMatch(/^HTTP\/1\.1 408 /);
  expect(outcome.closedAfter).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  expect(outcome.closedAfter).toBeLessThan(LATEST_MS);
  expect(outcome.unsent).toBeGreaterThan(0);
}

describe('slow clients', () => {
  it('a client dripping its headers gets 408 and is closed at the request timeout', async () => {
    expectTimedOut(await drip('POST /license HTTP/1.1\r\n', `Host: 127.0.0.1\r\nX-Drip: ${'x'.repeat(100)}\r\n\r\n`, 50));
  });

  it('a client dripping its body gets 408 and is closed at the request timeout', async () => {
    expectTimedOut(await drip(requestHead, body, 50));
  });

  it('the timeout covers headers and body together: half the time on each is too slow', async () => {
    const headers = requestHead.slice('POST /license HTTP/1.1\r\n'.length);
    // ~0.45 s of headers, then the body at the same pace: neither alone passes the timeout, both do.
    const paced = Math.ceil((TIMEOUT_MS * 0.75) / headers.length);
    expectTimedOut(await drip('POST /license HTTP/1.1\r\n', headers + body, paced));
  });

  it('a client that connects and sends nothing is closed at the request timeout', async () => {
    const outcome = await drip('', '', 1000);
    expect(outcome.closedAfter).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(outcome.closedAfter).toBeLessThan(LATEST_MS);
  });

  it('a slow client that finishes in time is answered, and its idle keep-alive connection closed after keepAliveTimeoutMs', async () => {
    const quarters = [0, 1, 2, 3].map((i) => body.slice((i * body.length) / 4, ((i + 1) * body.length) / 4));
    const outcome = await drip(requestHead, quarters, 50);
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(outcome.unsent).toBe(0);
    expect(outcome.closedAfter).toBeGreaterThanOrEqual(200 + KEEP_ALIVE_MS + NODE_KEEP_ALIVE_BUFFER_MS - 50);
    expect(outcome.closedAfter).toBeLessThan(200 + KEEP_ALIVE_MS + NODE_KEEP_ALIVE_BUFFER_MS + 900);
  });
});
