// `emekit serve`: run the Clear Key license server. One process by default; --workers N forks N processes with
// node:cluster that share the listening port and the key store (each keeps its own key and token caches).
import cluster, { type Worker } from 'node:cluster';
import { DB_ENV, MASTER_KEY_ENV } from '../server/env.js';
import { DEFAULT_DB } from '../server/db-location.js';
import type { RunningLicenseServer } from '../server/index.js';
import { parse } from './args.js';

// This module is loaded only when `serve` runs; the server (Fastify, pg, better-sqlite3, jose) only once the
// options are good.
const loadServer = () => import('../server/index.js');

interface ServeOptions {
  db?: string;
  port: string;
  host: string;
  workers: string;
  demo: boolean;
  insecureNoAuth: boolean;
  logLevel: string;
  logRequests: boolean;
  corsOrigin?: string[];
  keyCache: string;
  requestTimeout: string;
  releaseDays: string;
  releasesPerSubject: string;
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new Error(`${name} must be ${min}..${max}`);
  return value;
}

function fail(error: unknown): void {
  console.error(`emekit serve: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
  // A worker's IPC channel would keep it alive; it must go so the primary sees the failure.
  if (cluster.isWorker) process.exit(1);
}

// A worker tells the primary its URL over IPC, so the primary can print one line once all are up.
interface ListeningMessage {
  type: 'emekit-listening';
  url: string;
}

async function runServer(options: ServeOptions, db: string, masterKey: Buffer, announce: boolean): Promise<RunningLicenseServer> {
  const { authFromEnv, startLicenseServer } = await loadServer();
  const server = await startLicenseServer({
    db,
    masterKey,
    auth: authFromEnv(process.env, options.insecureNoAuth),
    port: integer('--port', options.port, 0, 65535),
    host: options.host,
    log: { level: options.logLevel, requests: options.logRequests },
    requestTimeoutMs: integer('--request-timeout', options.requestTimeout, 1, 3600) * 1000,
    storeOptions: {
      cacheSize: integer('--key-cache', options.keyCache, 0, 10_000_000),
      releaseRetentionMs: integer('--release-days', options.releaseDays, 1, 36_500) * 24 * 60 * 60_000,
      maxReleasesPerSubject: integer('--releases-per-subject', options.releasesPerSubject, 1, 100_000_000),
    },
    ...(options.corsOrigin === undefined ? {} : { corsOrigin: options.corsOrigin }),
  });
  const stop = () => void server.close().finally(() => process.exit(0));
  process.once('SIGINT', stop).once('SIGTERM', stop);
  if (announce) {
    console.log(`emekit license server listening on ${server.url} (POST ${server.licenseUrl}; ${server.store.kind} store ${server.store.location}; 1 process)`);
  }
  return server;
}

async function runPrimary(options: ServeOptions, db: string, masterKey: Buffer, workers: number): Promise<void> {
  // Create the schema and check the master key once, so N workers don't all report the same mistake.
  const { openKeyStore } = await loadServer();
  const store = await openKeyStore(db, masterKey);
  const kind = store.kind;
  const location = store.location;
  await store.close();
  // Workers re-run this command; a demo key made up here must reach them, or each would invent its own.
  const env = { [MASTER_KEY_ENV]: masterKey.toString('hex') };
  let stopping = false;
  let announced = false;
  const listening = new Set<Worker>();
  const fork = (): void => {
    const worker = cluster.fork(env);
    worker.on('message', (message: ListeningMessage) => {
      if (message?.type !== 'emekit-listening') return;
      listening.add(worker);
      if (!announced && listening.size === workers) {
        announced = true;
        console.log(`emekit license server listening on ${message.url} (POST ${message.url}/license; ${kind} store ${location}; ${workers} worker processes)`);
      }
    });
  };
  cluster.on('exit', (worker, code, signal) => {
    const wasListening = listening.delete(worker);
    if (stopping) return;
    if (!wasListening) {
      // It failed while starting (port taken, store unreachable): another would fail the same way.
      console.error(`emekit serve: a worker failed to start (exit ${signal ?? code}); stopping`);
      process.exitCode = 1;
      stop();
      return;
    }
    console.error(`emekit serve: worker ${worker.process.pid} exited (${signal ?? code}); starting another`);
    fork();
  });
  function stop(): void {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    setTimeout(() => process.exit(), 5000).unref();
    cluster.on('exit', () => {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit();
    });
  }
  process.once('SIGINT', stop).once('SIGTERM', stop);
  for (let i = 0; i < workers; i++) fork();
}

async function serve(options: ServeOptions): Promise<void> {
  const { authFromEnv, masterKeyFromEnv, resolveDbLocation } = await loadServer();
  const workers = integer('--workers', options.workers, 1, 64);
  const explicitDb = options.db ?? process.env[DB_ENV];
  // A demo's made-up master key dies with the process, so by default its keys live in memory, not in a file
  // that no later run could read.
  const db = options.demo && (explicitDb === undefined || explicitDb === '') ? ':memory:' : resolveDbLocation(options.db);
  if (workers > 1 && db === ':memory:') throw new Error('--workers needs a shared store: give --db a file or postgres:// URL');

  if (cluster.isWorker) {
    const server = await runServer(options, db, masterKeyFromEnv(process.env).key, false);
    process.send?.({ type: 'emekit-listening', url: server.url } satisfies ListeningMessage);
    return;
  }
  const { key, generated } = masterKeyFromEnv(process.env, options.demo);
  if (generated) {
    console.error(`emekit serve: demo mode: ${MASTER_KEY_ENV} is not set, so a random master key was generated; keys stored now cannot be read after this process ends`);
  }
  if (options.insecureNoAuth) {
    console.error('emekit serve: WARNING: --insecure-no-auth: anyone who can reach this server gets every key in it');
  }
  // Fail on bad auth settings before forking, with one message.
  authFromEnv(process.env, options.insecureNoAuth);
  if (workers === 1) await runServer(options, db, key, true);
  else await runPrimary(options, db, key, workers);
}

export const spec = {
  command: 'emekit serve',
  options: {
    db: { type: 'string' },
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    workers: { type: 'string', default: '1' },
    demo: { type: 'boolean', default: false },
    'insecure-no-auth': { type: 'boolean', default: false },
    'log-level': { type: 'string', default: 'info' },
    'log-requests': { type: 'boolean', default: false },
    'cors-origin': { type: 'string', multiple: true },
    'key-cache': { type: 'string', default: '10000' },
    'request-timeout': { type: 'string', default: '10' },
    'release-days': { type: 'string', default: '30' },
    'releases-per-subject': { type: 'string', default: '10000' },
  },
  variadic: 'cors-origin',
  help: `Usage: emekit serve [options]

Run the Clear Key license server (POST /license, GET /healthz). Needs
${MASTER_KEY_ENV}, and EMEKIT_JWT_SECRET or EMEKIT_JWT_JWKS for tokens.

Options:
  --db LOCATION            SQLite file or postgres:// URL
                           (default: $${DB_ENV} or ${DEFAULT_DB})
  --port PORT              TCP port, 0 for any free port (default: 8080)
  --host HOST              address to listen on, 0.0.0.0 to expose beyond this
                           machine (default: 127.0.0.1)
  --workers N              server processes sharing the port, with node:cluster
                           (default: 1)
  --demo                   make up a throwaway master key if $${MASTER_KEY_ENV}
                           is unset (the store is then in memory by default)
  --insecure-no-auth       serve every key to anyone, no token needed (local
                           demos only)
  --log-level LEVEL        fatal, error, warn, info, debug, trace or silent
                           (default: info)
  --log-requests           log every request at info (off by default: costly at
                           high rates)
  --cors-origin ORIGIN...  origins allowed to call from a browser (repeatable;
                           default: '*')
  --key-cache N            decrypted keys cached in memory per process, 0 for
                           none (default: 10000)
  --request-timeout S      seconds a client has to send a whole request, then
                           408 (default: 10)
  --release-days N         days a recorded license release is kept (default: 30)
  --releases-per-subject N releases one token subject may have on record, then
                           429 (default: 10000)
  -h, --help               show this help
`,
} as const;

export async function run(argv: string[]): Promise<void> {
  const args = parse(spec, argv);
  if (args === undefined) return;
  const {
    'insecure-no-auth': insecureNoAuth,
    'log-level': logLevel,
    'log-requests': logRequests,
    'cors-origin': corsOrigin,
    'key-cache': keyCache,
    'request-timeout': requestTimeout,
    'release-days': releaseDays,
    'releases-per-subject': releasesPerSubject,
    ...rest
  } = args.values;
  await serve({ ...rest, insecureNoAuth, logLevel, logRequests, corsOrigin, keyCache, requestTimeout, releaseDays, releasesPerSubject }).catch(fail);
}
