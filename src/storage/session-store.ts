// Persistent session data, partitioned by origin. A key system serialises its own session records; the store
// only keeps bytes, so another key system can share it. Every write is atomic: a crash mid-write leaves the
// previous record, never half of one.

export interface SessionStore {
  /** The stored record, or undefined. */
  get(origin: string, sessionId: string): Promise<Uint8Array | undefined>;
  /** Creates or replaces a record atomically. */
  put(origin: string, sessionId: string, record: Uint8Array): Promise<void>;
  /** Removes a record; resolves whether one existed. */
  delete(origin: string, sessionId: string): Promise<boolean>;
  /** Session IDs stored for an origin, sorted. */
  list(origin: string): Promise<string[]>;
  close(): Promise<void>;
}
