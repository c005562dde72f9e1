// An in-memory SessionStore: persistent for the life of the process, for tests and embedders.

import type { SessionStore } from './session-store.js';

export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, Map<string, Uint8Array>>();
  #closed = false;

  async get(origin: string, sessionId: string): Promise<Uint8Array | undefined> {
    this.#assertOpen();
    return this.#records.get(origin)?.get(sessionId)?.slice();
  }

  async put(origin: string, sessionId: string, record: Uint8Array): Promise<void> {
    this.#assertOpen();
    let partition = this.#records.get(origin);
    if (!partition) {
      partition = new Map();
      this.#records.set(origin, partition);
    }
    partition.set(sessionId, record.slice());
  }

  async delete(origin: string, sessionId: string): Promise<boolean> {
    this.#assertOpen();
    return this.#records.get(origin)?.delete(sessionId) ?? false;
  }

  async list(origin: string): Promise<string[]> {
    this.#assertOpen();
    return [...(this.#records.get(origin)?.keys() ?? [])].sort();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('session store is closed');
  }
}
