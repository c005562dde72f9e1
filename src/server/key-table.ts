// The storage backend behind the key store: rows of sealed (encrypted) keys. Backends never see a plaintext key;
// encryption, caching and validation live in key-store.ts, once for all backends.

export interface KeyRow {
  kid: Buffer;
  /** The key sealed by sealed-key.ts. */
  sealed: Buffer;
  label: string | null;
  createdAt: Date;
}

export type NewKeyRow = Omit<KeyRow, 'createdAt'>;

export interface KeyTable {
  readonly kind: 'sqlite' | 'postgres';
  /** Inserts all rows or none; throws DuplicateKeyError when a key ID is already stored. */
  insertKeys(rows: readonly NewKeyRow[]): Promise<void>;
  /** The rows for those key IDs that exist, in no particular order. */
  findKeys(kids: readonly Buffer[]): Promise<KeyRow[]>;
  listKeys(): Promise<KeyRow[]>;
  /** Stores `value` under `name` unless a value is already there; returns the stored value either way. */
  ensureMeta(name: string, value: Buffer): Promise<Buffer>;
  /** Records a release of each key ID unless `subject` would then have more than `max` releases since `since`
   *  (then records nothing and returns false). */
  insertReleases(kids: readonly Buffer[], subject: string | null, since: Date, max: number): Promise<boolean>;
  /** Deletes the releases recorded before `before`. */
  pruneReleases(before: Date): Promise<void>;
  /** Throws unless the database answers. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
