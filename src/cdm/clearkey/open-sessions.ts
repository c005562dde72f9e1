// Persistent sessions that a MediaKeySession currently represents, per store and origin, across every MediaKeys
// and platform in this process: load() must fail with QuotaExceededError while one is open ("in any Document").

import type { SessionStore } from '../../storage/session-store.js';

const openByStore = new WeakMap<SessionStore, Set<string>>();

function keyOf(origin: string, sessionId: string): string {
  return `${origin}\u0000${sessionId}`;
}

function setFor(store: SessionStore): Set<string> {
  let open = openByStore.get(store);
  if (!open) {
    open = new Set();
    openByStore.set(store, open);
  }
  return open;
}

export const openPersistentSessions = {
  has: (store: SessionStore, origin: string, sessionId: string) => setFor(store).has(keyOf(origin, sessionId)),
  add: (store: SessionStore, origin: string, sessionId: string) => void setFor(store).add(keyOf(origin, sessionId)),
  delete: (store: SessionStore, origin: string, sessionId: string) => void setFor(store).delete(keyOf(origin, sessionId)),
};
