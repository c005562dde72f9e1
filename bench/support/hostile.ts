// The hostile side of the server soak: requests that must be refused cheaply (forged, expired, missing and
// malformed tokens, bodies over the limit, sent or only announced, floods of license releases), and slow clients
// that drip a request a byte a second until the server's request timeout closes them. Each outcome is tallied by
// kind: an HTTP status, or how the connection ended.
import { Agent, request } from 'node:http';
import { connect } from 'node:net';

export type HostileKind =
  | 'forged token'
  | 'expired token'
  | 'no token'
  | 'malformed token'
  | 'body over 64 KB'
  | 'body of 1 GB announced'
  | 'release flood';

export const HOSTILE_KINDS: readonly HostileKind[] = [
  'forged token',
  'expired token',
  'no token',
  'malformed token',
  'body over 64 KB',
  'body of 1 GB announced',
  'release flood',
];

export interface HostileTokens {
  forged: string;
  expired: string;
  /** A valid token for one key ID (flooderKid, base64url), releasing it and 63 others at a time. */
  flooder: string;
  flooderKid: string;
}

/** outcome → count, per kind. */
export type Tally = Map<string, Map<string, number>>;

export function count(tally: Tally, kind: string, outcome: string): void {
  const outcomes = tally.get(kind) ?? new Map<string, number>();
  outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  tally.set(kind, outcomes);
}

const randomKids = (n: number) => Array.from({ length: n }, () => Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url'));

export class HostileClient {
  readonly #agent: Agent;

  constructor(
    readonly licenseUrl: string,
    readonly tokens: HostileTokens,
    connections: number,
  ) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  /** Sends one request of `kind` and resolves with its outcome: the status, or the error that ended it. */
  send(kind: HostileKind, goodBody: string): Promise<string> {
    let headers: Record<string, string | number> = { 'content-type': 'application/json' };
    let body: Buffer | string = goodBody;
    let announceOnly = false;
    switch (kind) {
      case 'forged token':
        headers['authorization'] = `Bearer ${this.tokens.forged}`;
        break;
      case 'expired token':
        headers['authorization'] = `Bearer ${this.tokens.expired}`;
        break;
      case 'no token':
        break;
      case 'malformed token':
        headers['authorization'] = 'Bearer eyJhbGciOiJub25lIn0.e30.';
        break;
      case 'body over 64 KB':
        headers['authorization'] = `Bearer ${this.tokens.flooder}`;
        body = Buffer.alloc(200 * 1024, 0x20);
        break;
      case 'body of 1 GB announced':
        headers = { ...headers, authorization: `Bearer ${this.tokens.flooder}`, 'content-length': 1e9 };
        body = Buffer.alloc(1024, 0x20);
        announceOnly = true;
        break;
      case 'release flood':
        headers['authorization'] = `Bearer ${this.tokens.flooder}`;
        body = JSON.stringify({ kids: [this.tokens.flooderKid, ...randomKids(63)] });
        break;
    }
    return new Promise((resolve) => {
      const req = request(this.licenseUrl, { method: 'POST', headers, agent: announceOnly ? false : this.#agent });
      req.on('response', (response) => {
        response.resume();
        response.on('end', () => {
          // The rest of the announced gigabyte will never come: drop the connection.
          if (announceOnly) req.destroy();
          resolve(String(response.statusCode));
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      if (announceOnly) req.write(body);
      else req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/**
 * Keeps `connections` connections dripping one request a byte a second (headers, then a body) until `running()` turns
 * false; each closed by the server is replaced. Resolves with the outcomes and how long each was held.
 */
export async function slowClients(
  licenseUrl: string,
  connections: number,
  running: () => boolean,
  tally: Tally,
): Promise<number[]> {
  const { hostname, port } = new URL(licenseUrl);
  const heldSeconds: number[] = [];
  const dripped = 'POST /license HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60\r\n\r\n' + ' '.repeat(60);
  const one = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const socket = connect(Number(port), hostname);
      let received = '';
      let sent = 0;
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('error', () => {});
      socket.write(dripped[sent++]!);
      const timer = setInterval(() => {
        if (!running()) socket.destroy();
        else if (sent < dripped.length) socket.write(dripped[sent++]!);
      }, 1000);
      socket.on('close', () => {
        clearInterval(timer);
        if (running()) {
          heldSeconds.push((performance.now() - started) / 1000);
          count(tally, 'slow client', /^HTTP\/1\.1 (\d+)/.exec(received)?.[1] ?? 'closed without an answer');
        }
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (running()) await one();
    }),
  );
  return heldSeconds;
}
