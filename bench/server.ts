// License server load benchmark: licenses per second and latency, with autocannon on loopback against real
// `emekit serve` processes (separate from the load generator), on SQLite and (if reachable) PostgreSQL; then a
// soak with hostile requests mixed in (bench/README.md). Printed, not asserted. Run: npm run bench:server
//   EMEKIT_BENCH_PG (or EMEKIT_TEST_PG)  postgres:// URL; PostgreSQL rows are skipped without one
//   EMEKIT_BENCH_SECONDS                 measured seconds per row (default 10)
//   EMEKIT_BENCH_CONNECTIONS             concurrent connections (default 32)
//   EMEKIT_BENCH_WORKERS                 server process counts to try (default "1,2")
//   EMEKIT_BENCH_STORES                  which stores (default "sqlite,postgres"; "" for the soak alone)
//   EMEKIT_BENCH_SOAK_SECONDS            seconds per soak row (default 60; 0 skips the soak)
//   EMEKIT_BENCH_SOAK_CONNECTIONS        good connections per soak row (default "32,256")
// Each request asks for one key of 1,000, through one of 200 distinct tokens, so both caches are exercised as
// a real audience would: after the first second everything is warm, which is the steady state being measured.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { signLicenseToken } from '../src/server/index.js';
import { cpuSeconds, fillStore, startServer, stopServer } from './support/license-server.js';
import { soak, printSoak, type SoakRow } from './support/soak.js';

const SECONDS = Number(process.env['EMEKIT_BENCH_SECONDS'] ?? 10);
const CONNECTIONS = Number(process.env['EMEKIT_BENCH_CONNECTIONS'] ?? 32);
const PG_URL = process.env['EMEKIT_BENCH_PG'] ?? process.env['EMEKIT_TEST_PG'];
const WORKERS = (process.env['EMEKIT_BENCH_WORKERS'] ?? '1,2').split(',').map(Number);
const STORES = (process.env['EMEKIT_BENCH_STORES'] ?? 'sqlite,postgres').split(',');
const SOAK_SECONDS = Number(process.env['EMEKIT_BENCH_SOAK_SECONDS'] ?? 60);
const SOAK_CONNECTIONS = (process.env['EMEKIT_BENCH_SOAK_CONNECTIONS'] ?? '32,256').split(',').map(Number);
const KEY_COUNT = 1000;
const TOKEN_COUNT = 200;

const secrets = { masterKey: randomBytes(32).toString('hex'), jwtSecret: randomBytes(32).toString('hex') };

interface Row {
  store: string;
  processes: number;
  licensesPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
  total: number;
  /** Licenses per CPU-second used by the server processes: comparable even when other work shares the machine. */
  perCpuSecond: number | undefined;
  /** 1-minute load average when the row started: other work on the machine skews throughput and latency. */
  load: number;
}

async function load(url: string, kids: Buffer[], seconds: number): Promise<autocannon.Result> {
  const tokens = await Promise.all(
    Array.from({ length: TOKEN_COUNT }, (_, i) => signLicenseToken(secrets.jwtSecret, { labels: ['bench'], subject: `viewer-${i}`, ttlSeconds: 3600 })),
  );
  const requests = kids.map((kid, i) => ({
    body: JSON.stringify({ kids: [kid.toString('base64url')], type: 'temporary' }),
    authorization: `Bearer ${tokens[i % TOKEN_COUNT]}`,
  }));
  let next = 0;
  return autocannon({
    url: `${url}/license`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const pick = requests[next++ % requests.length]!;
          return { ...request, body: pick.body, headers: { 'content-type': 'application/json', authorization: pick.authorization } };
        },
      },
    ],
  });
}

async function measure(store: string, db: string, workers: number): Promise<Row> {
  const kids = await fillStore(db, secrets, KEY_COUNT);
  const { url, child } = await startServer(db, workers, secrets);
  try {
    await load(url, kids, 2); // warm up: JIT, caches, connections
    const loadAverage = loadavg()[0] ?? 0;
    const cpuBefore = cpuSeconds(child.pid!);
    const result = await load(url, kids, SECONDS);
    const cpuAfter = cpuSeconds(child.pid!);
    const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
    return {
      perCpuSecond: cpu === undefined || cpu <= 0 ? undefined : result['2xx'] / cpu,
      load: loadAverage,
      store,
      processes: workers,
      licensesPerSecond: result['2xx'] / SECONDS,
      p50: result.latency.p50,
      p99: result.latency.p99,
      failures: result.non2xx + result.errors + result.timeouts,
      total: result['2xx'],
    };
  } finally {
    await stopServer(child);
  }
}

function print(rows: Row[]): void {
  const n = (value: number) => Math.round(value).toLocaleString('en');
  console.log('\n| store | server processes | licenses/s | p50 ms | p99 ms | failed | licenses | per server CPU-s | load avg |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    const perCpu = row.perCpuSecond === undefined ? 'n/a' : n(row.perCpuSecond);
    console.log(
      `| ${row.store} | ${row.processes} | ${n(row.licensesPerSecond)} | ${row.p50} | ${row.p99} | ${row.failures} | ${n(row.total)} | ${perCpu} | ${row.load.toFixed(2)} |`,
    );
  }
}

const rows: Row[] = [];
console.log(
  `emekit license server benchmark: ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'}), ` +
    `autocannon in this process, ${CONNECTIONS} connections, ${SECONDS}s per row after 2s warm-up, Node ${process.version}`,
);

const dir = mkdtempSync(join(tmpdir(), 'emekit-bench-'));
const soakRows: SoakRow[] = [];
try {
  if (STORES.includes('sqlite')) for (const workers of WORKERS) rows.push(await measure('sqlite', join(dir, `keys-${workers}.sqlite`), workers));
  if (SOAK_SECONDS > 0) {
    for (const connections of SOAK_CONNECTIONS) {
      soakRows.push(await soak({ db: join(dir, `soak-${connections}.sqlite`), secrets, keyCount: KEY_COUNT, tokenCount: TOKEN_COUNT, connections, seconds: SOAK_SECONDS }));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (!STORES.includes('postgres')) {
  // not asked for
} else if (PG_URL === undefined) {
  console.log('PostgreSQL: skipped (set EMEKIT_BENCH_PG or EMEKIT_TEST_PG to a postgres:// URL)');
} else {
  const dropSchema = async (schema: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  };
  for (const workers of WORKERS) {
    // A fresh schema per row, dropped whatever happens.
    const schema = `emekit_bench_${process.pid}_${workers}`;
    const url = new URL(PG_URL);
    url.searchParams.set('schema', schema);
    try {
      rows.push(await measure('postgres', url.toString(), workers));
    } catch (error) {
      console.log(`PostgreSQL: skipped (${error instanceof Error ? error.message : String(error)})`);
      break;
    } finally {
      await dropSchema(schema).catch(() => {});
    }
  }
}
if (rows.length > 0) print(rows);
if (soakRows.length > 0) printSoak(soakRows);
