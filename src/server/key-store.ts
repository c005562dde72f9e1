// The key store: content keys by key ID, encrypted at rest under the master key, on SQLite or PostgreSQL.
// Decrypted keys are cached in a bounded LRU: a license request then costs no database round trip and no
// AES-GCM open. Trade-off: up to `cacheSize` plaintext content keys live in the server's memory (a heap dump
// would show them) — the same keys the server hands out to entitled clients anyway, but an operator who prefers
// never to hold them can set cacheSize to 0. Keys are immutable, so the cache is never stale; the deadline
// bounds how long a row removed by hand keeps being served. Missing keys are not cached: a key added through
// another process is served at once.
import { randomBytes } from 'node:crypto';
import { DuplicateKeyError, KeyIntegrityError, MasterKeyError, ReleaseLimitError } from './errors.js';
import { toHex } from './bytes.js';
import {
  KEY_BYTES,
  LABEL_PATTERN,
  MAX_KID_BYTES,
  MAX_RELEASES_PER_SUBJECT,
  MIN_KID_BYTES,
  RELEASE_RETENTION_MS,
  isValidKid,
} from './limits.js';
import { LruCache } from './lru.js';
import { parseMasterKey, MASTER_KEY_BYTES, MASTER_KEY_ENV } from './master-key.js';
import { openKey, sealKey } from './sealed-key.js';
import { openPostgresTable, splitSchemaParam } from './postgres-table.js';
import { openSqliteTable } from './sqlite-table.js';
import type { KeyRow, KeyTable, NewKeyRow } from './key-table.js';

export interface StoredKey {
  kid: Buffer;
  /** The 16-byte AES content key. */
  key: Buffer;
  label: string | null;
}

export interface KeyInfo {
  kid: Buffer;
  label: string | null;
  createdAt: Date;
  /** Only present when asked for with `listKeys({ withKeys: true })`. */
  key?: Buffer;
}

export interface KeyStoreOptions {
  /** Decrypted keys kept in memory (default 10,000; 0 disables the cache). */
  cacheSize?: number;
  /** How long a cached key is trusted, in ms (default 5 minutes). */
  cacheTtlMs?: number;
  /** PostgreSQL schema for emekit's tables; also settable as `?schema=` in the URL. */
  schema?: string;
  /** PostgreSQL connections per process (default 10). */
  poolSize?: number;
  /** How long a recorded license release is kept, in ms (default 30 days). */
  releaseRetentionMs?: number;
  /** Most releases one token subject may have on record (default 10,000); recordRelease() refuses beyond. */
  maxReleasesPerSubject?: number;
}

export interface KeyStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the store is, safe to print (no password). */
  readonly location: string;
  addKey(kid: Uint8Array, key: Uint8Array, label?: string | null): Promise<void>;
  /** Adds all or none; throws DuplicateKeyError if any key ID is already stored. */
  addKeys(keys: readonly { kid: Uint8Array; key: Uint8Array; label?: string | null }[]): Promise<void>;
  /** Makes `count` random 16-byte key IDs and keys, stores them and returns them. */
  generateKeys(count: number, label?: string | null): Promise<StoredKey[]>;
  /** The stored keys among `kids`, by lowercase hex key ID; unknown key IDs are simply absent. */
  getKeys(kids: readonly Uint8Array[]): Promise<Map<string, StoredKey>>;
  listKeys(options?: { withKeys?: boolean }): Promise<KeyInfo[]>;
  /** Records that a persistent license for these key IDs was released (by `subject`, the token's `sub`); throws
   *  ReleaseLimitError, recording nothing, if the subject would have more than the store keeps for one. */
  recordRelease(kids: readonly Uint8Array[], subject: string | null): Promise<void>;
  /** Throws unless the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const CACHE_SIZE = 10_000;
const CACHE_TTL_MS = 5 * 60_000;
/** Expired releases are deleted at most this often (and at least as often as they expire). */
const PRUNE_INTERVAL_MS = 60_000;
const CHECK_NAME = 'master_key_check';
const CHECK_CONTEXT = 'emekit/master-key-check/v1';
const CHECK_ID = Buffer.from('master-key-check');

function isPostgresUrl(location: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(location);
}

function printableLocation(location: string): string {
  if (!isPostgresUrl(location)) return location.replace(/^sqlite:/i, '');
  const url = new URL(location);
  if (url.password !== '') url.password = '***';
  return url.toString();
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function checkLabel(label: string | null | undefined): string | null {
  if (label === undefined || label === null) return null;
  if (!LABEL_PATTERN.test(label)) throw new RangeError(`label must match ${LABEL_PATTERN.source}`);
  return label;
}

interface ReleaseLimits {
  retentionMs: number;
  maxPerSubject: number;
}

class SealedKeyStore implements KeyStore {
  readonly #cache: LruCache<string, StoredKey>;
  #prunedAt = -Infinity;

  constructor(
    readonly location: string,
    readonly table: KeyTable,
    readonly masterKey: Buffer,
    readonly cacheTtlMs: number,
    cacheSize: number,
    readonly releases: ReleaseLimits,
  ) {
    this.#cache = new LruCache(cacheSize);
  }

  get kind() {
    return this.table.kind;
  }

  /** Fails with MasterKeyError if the store was set up under another master key; sets it up if new. */
  async verifyMasterKey(): Promise<void> {
    const check = sealKey(this.masterKey, CHECK_ID, null, Buffer.alloc(32), CHECK_CONTEXT);
    const stored = await this.table.ensureMeta(CHECK_NAME, check);
    try {
      openKey(this.masterKey, CHECK_ID, null, stored, CHECK_CONTEXT);
    } catch (error) {
      if (!(error instanceof KeyIntegrityError)) throw error;
      throw new MasterKeyError(
        `${MASTER_KEY_ENV} does not match the master key the key store at ${this.location} was created with`,
      );
    }
  }

  addKey(kid: Uint8Array, key: Uint8Array, label?: string | null): Promise<void> {
    return this.addKeys([{ kid, key, label: label ?? null }]);
  }

  async addKeys(keys: readonly { kid: Uint8Array; key: Uint8Array; label?: string | null }[]): Promise<void> {
    const seen = new Set<string>();
    const rows: NewKeyRow[] = keys.map(({ kid, key, label }) => {
      if (!isValidKid(kid)) throw new RangeError(`key ID must be ${MIN_KID_BYTES}..${MAX_KID_BYTES} bytes`);
      if (key.byteLength !== KEY_BYTES) throw new RangeError(`key must be ${KEY_BYTES} bytes (AES-128)`);
      const hex = toHex(kid);
      if (seen.has(hex)) throw new DuplicateKeyError(`key ID ${hex} is given twice`);
      seen.add(hex);
      const checked = checkLabel(label);
      return { kid: Buffer.from(kid), label: checked, sealed: sealKey(this.masterKey, kid, checked, key) };
    });
    await this.table.insertKeys(rows);
  }

  async generateKeys(count: number, label?: string | null): Promise<StoredKey[]> {
    if (!Number.isSafeInteger(count) || count < 1 || count > 100_000) throw new RangeError('count must be 1..100000');
    const keys = Array.from({ length: count }, () => ({
      kid: randomBytes(16),
      key: randomBytes(KEY_BYTES),
      label: checkLabel(label),
    }));
    await this.addKeys(keys);
    return keys;
  }

  #open(row: KeyRow): StoredKey {
    return { kid: row.kid, label: row.label, key: openKey(this.masterKey, row.kid, row.label, row.sealed) };
  }

  async getKeys(kids: readonly Uint8Array[]): Promise<Map<string, StoredKey>> {
    const found = new Map<string, StoredKey>();
    const missing: Buffer[] = [];
    for (const kid of kids) {
      const hex = toHex(kid);
      const cached = this.#cache.get(hex);
      if (cached !== undefined) found.set(hex, cached);
      else missing.push(toBuffer(kid));
    }
    if (missing.length === 0) return found;
    const expiresAt = Date.now() + this.cacheTtlMs;
    for (const row of await this.table.findKeys(missing)) {
      const key = this.#open(row);
      const hex = toHex(row.kid);
      this.#cache.set(hex, key, expiresAt);
      found.set(hex, key);
    }
    return found;
  }

  async listKeys(options: { withKeys?: boolean } = {}): Promise<KeyInfo[]> {
    const rows = await this.table.listKeys();
    return rows.map((row) => {
      const info: KeyInfo = { kid: row.kid, label: row.label, createdAt: row.createdAt };
      // Opening every key even when not shown checks the whole store's integrity for `keys list`.
      const { key } = this.#open(row);
      if (options.withKeys === true) info.key = key;
      return info;
    });
  }

  async recordRelease(kids: readonly Uint8Array[], subject: string | null): Promise<void> {
    const { retentionMs, maxPerSubject } = this.releases;
    const now = Date.now();
    const since = new Date(now - retentionMs);
    if (now - this.#prunedAt >= Math.min(PRUNE_INTERVAL_MS, retentionMs)) {
      this.#prunedAt = now;
      await this.table.pruneReleases(since);
    }
    if (kids.length === 0) return;
    if (!(await this.table.insertReleases(kids.map(toBuffer), subject, since, maxPerSubject))) {
      throw new ReleaseLimitError(`this token's subject has ${maxPerSubject} license releases on record, the most kept for one`);
    }
  }

  ping(): Promise<void> {
    return this.table.ping();
  }

  async close(): Promise<void> {
    this.#cache.clear();
    await this.table.close();
  }
}

/**
 * Opens (creating if needed) the key store at `location`: a `postgres://` or `postgresql://` URL (optionally with
 * `?schema=name`), or else a SQLite file path (`sqlite:` prefix optional, `:memory:` for a throwaway store).
 * `masterKey` is 32 bytes, or its hex/base64 text. Throws MasterKeyError if the store was created under another
 * master key.
 */
export async function openKeyStore(
  location: string,
  masterKey: Uint8Array | string,
  options: KeyStoreOptions = {},
): Promise<KeyStore> {
  const master = typeof masterKey === 'string' ? parseMasterKey(masterKey) : Buffer.from(masterKey);
  if (master.byteLength !== MASTER_KEY_BYTES) throw new MasterKeyError(`master key must be ${MASTER_KEY_BYTES} bytes`);
  let table: KeyTable;
  if (isPostgresUrl(location)) {
    const { connectionString, schema } = splitSchemaParam(location);
    const pgOptions: { schema?: string; poolSize?: number } = {};
    const chosenSchema = options.schema ?? schema;
    if (chosenSchema !== undefined) pgOptions.schema = chosenSchema;
    if (options.poolSize !== undefined) pgOptions.poolSize = options.poolSize;
    table = await openPostgresTable(connectionString, pgOptions);
  } else {
    table = openSqliteTable(location.replace(/^sqlite:/i, ''));
  }
  const store = new SealedKeyStore(
    printableLocation(location),
    table,
    master,
    options.cacheTtlMs ?? CACHE_TTL_MS,
    options.cacheSize ?? CACHE_SIZE,
    {
      retentionMs: options.releaseRetentionMs ?? RELEASE_RETENTION_MS,
      maxPerSubject: options.maxReleasesPerSubject ?? MAX_RELEASES_PER_SUBJECT,
    },
  );
  try {
    await store.verifyMasterKey();
  } catch (error) {
    await table.close();
    throw error;
  }
  return store;
}
