// The server soak (issue 16): one `emekit serve` process on SQLite, good clients on `connections` keep-alive
// connections asking for licenses as fast as they are answered (autocannon), and beside them hostile requests
// paced to 10 % of all requests (on up to a fifth as many connections again, enough to keep that pace), plus a tenth
// as many slow clients dripping a byte a second, both from a process of their own (hostile-driver.ts). Good
// requests must all succeed; their latency is autocannon's. Loopback only, bounded in time and connections.
import { fork } from 'node:child_process';
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { SignJWT } from 'jose';
import { signLicenseToken } from '../../src/server/index.js';
import type { Tally } from './hostile.js';
import type { DriverMessage, DriverResult, DriverStart } from './hostile-driver.js';
import { fillStore, memoryMb, startServer, stopServer, type BenchSecrets } from './license-server.js';

const HOSTILE_SHARE = 0.1;

export interface SoakOptions {
  db: string;
  secrets: BenchSecrets;
  keyCount: number;
  tokenCount: number;
  /** Connections of good clients; hostile and slow clients come on top. */
  connections: number;
  seconds: number;
}

export interface SoakRow {
  connections: number;
  seconds: number;
  good: number;
  goodFailed: number;
  p50: number;
  p99: number;
  hostile: number;
  tally: Tally;
  slowHeldSeconds: number[];
  rssBefore: number;
  rssAfter: number;
  rssPeak: number;
  releaseRows: number;
  dbMb: number;
  load: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function soak(options: SoakOptions): Promise<SoakRow> {
  const { secrets, connections, seconds } = options;
  const kids = await fillStore(options.db, secrets, options.keyCount);
  const tokens = await Promise.all(
    Array.from({ length: options.tokenCount }, (_, i) => signLicenseToken(secrets.jwtSecret, { labels: ['bench'], subject: `viewer-${i}`, ttlSeconds: 3600 })),
  );
  const now = Math.floor(Date.now() / 1000);
  const hostileTokens = {
    forged: await signLicenseToken(Buffer.alloc(32, 7), { labels: ['bench'], ttlSeconds: 3600 }),
    // An hour old, expired ten minutes ago: well past the server's clock tolerance.
    expired: await new SignJWT({ labels: ['bench'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(now - 3600)
      .setExpirationTime(now - 600)
      .sign(Buffer.from(secrets.jwtSecret, 'utf8')),
    flooder: await signLicenseToken(secrets.jwtSecret, { kids: [kids[0]!], subject: 'flooder', persistent: true, ttlSeconds: 3600 }),
    flooderKid: kids[0]!.toString('base64url'),
  };
  const bodies = kids.map((kid) => JSON.stringify({ kids: [kid.toString('base64url')], type: 'temporary' }));
  const { url, child } = await startServer(options.db, 1, secrets);
  try {
    let next = 0;
    const good = (duration: number) =>
      autocannon({
        url: `${url}/license`,
        connections,
        duration,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const i = next++;
              return { ...request, body: bodies[i % bodies.length], headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` } };
            },
          },
        ],
      });
    await good(2); // warm up: JIT, caches, connections
    await sleep(1000);
    const rssBefore = memoryMb(child.pid!)?.rss ?? NaN;
    const load = loadavg()[0] ?? 0;

    const driver = await startDriver({
      licenseUrl: `${url}/license`,
      tokens: hostileTokens,
      bodies,
      connections: Math.ceil(connections / 5),
      slowConnections: Math.ceil(connections * HOSTILE_SHARE),
      share: HOSTILE_SHARE,
    });
    let goodDone = 0;
    // Without a callback autocannon's instance is also the promise of its result.
    const instance = good(seconds) as Promise<autocannon.Result> & autocannon.Instance;
    instance.on('response', () => goodDone++);
    const tell = (m: DriverMessage) => driver.connected && driver.send(m);
    const pacing = setInterval(() => tell({ good: goodDone }), 50);
    const result = await instance;
    clearInterval(pacing);
    const finished = new Promise<DriverResult>((resolve, reject) => {
      driver.once('message', resolve);
      driver.once('exit', (code) => reject(new Error(`hostile driver exited (${code}) before its result`)));
    });
    tell({ stop: true });
    const { tally, slowHeldSeconds } = await finished;
    const memory = memoryMb(child.pid!);
    const releaseRows = countReleases(options.db);
    return {
      connections,
      seconds,
      good: result['2xx'],
      goodFailed: result.non2xx + result.errors + result.timeouts,
      p50: result.latency.p50,
      p99: result.latency.p99,
      hostile: [...tally.values()].reduce((sum, outcomes) => sum + [...outcomes.values()].reduce((a, b) => a + b, 0), 0),
      tally,
      slowHeldSeconds,
      rssBefore,
      rssAfter: memory?.rss ?? NaN,
      rssPeak: memory?.peak ?? NaN,
      releaseRows,
      dbMb: (statSync(options.db).size + walSize(options.db)) / 1e6,
      load,
    };
  } finally {
    await stopServer(child);
  }
}

/** The hostile driver process, started, connected and waiting for the good clients' counts. */
async function startDriver(start: DriverStart) {
  const driver = fork(new URL('./hostile-driver.ts', import.meta.url), [], { serialization: 'advanced' });
  await new Promise((resolve, reject) => {
    driver.once('message', resolve);
    driver.once('exit', (code) => reject(new Error(`hostile driver exited (${code})`)));
  });
  driver.send(start);
  await new Promise((resolve) => driver.once('message', resolve));
  return driver;
}

function countReleases(db: string): number {
  const handle = new Database(db, { readonly: true });
  try {
    return handle.prepare('SELECT count(*) FROM emekit_releases').pluck().get() as number;
  } finally {
    handle.close();
  }
}

function walSize(db: string): number {
  try {
    return statSync(`${db}-wal`).size;
  } catch {
    return 0;
  }
}

export function printSoak(rows: SoakRow[]): void {
  const n = (value: number) => Math.round(value).toLocaleString('en');
  console.log(
    `\nSoak: one server process (SQLite); good clients on as many connections as the row says; hostile requests paced to ${HOSTILE_SHARE * 100} % of all ` +
      'requests on a fifth as many connections again, and slow clients (a byte a second) on a tenth as many, from a process of their own',
  );
  console.log('| good connections | seconds | good licenses/s | good failed | p50 ms | p99 ms | hostile requests (share) | slow clients held s | server RSS MB before → after (peak) | release rows, DB MB | load avg |');
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    const held = row.slowHeldSeconds.length === 0 ? 'n/a' : `${Math.min(...row.slowHeldSeconds).toFixed(1)}–${Math.max(...row.slowHeldSeconds).toFixed(1)}`;
    console.log(
      `| ${row.connections} | ${row.seconds} | ${n(row.good / row.seconds)} | ${row.goodFailed} | ${row.p50} | ${row.p99} | ` +
        `${n(row.hostile)} (${((100 * row.hostile) / (row.hostile + row.good + row.goodFailed)).toFixed(1)} %) | ${held} | ` +
        `${row.rssBefore.toFixed(0)} → ${row.rssAfter.toFixed(0)} (${row.rssPeak.toFixed(0)}) | ${n(row.releaseRows)}, ${row.dbMb.toFixed(1)} | ${row.load.toFixed(2)} |`,
    );
  }
  for (const row of rows) {
    console.log(`\nhostile outcomes at ${row.connections} good connections (kind: status or error × count):`);
    for (const [kind, outcomes] of row.tally) {
      console.log(`  ${kind}: ${[...outcomes].map(([outcome, times]) => `${outcome} × ${n(times)}`).join(', ')}`);
    }
  }
}
