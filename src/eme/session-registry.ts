// The non-closed MediaKeySessions of one platform (the spec's "Document") by session ID, for load()'s
// QuotaExceededError check. Weak references: an open session lives as long as its MediaKeys (which holds it), and
// when both are collected its CDM session is closed (EME §6: the CDM closes sessions that become inaccessible).

import type { CdmSession } from '../cdm/cdm.js';

export class SessionRegistry {
  readonly #bySessionId = new Map<string, WeakRef<object>>();
  readonly #finalizer = new FinalizationRegistry<{ sessionId: string; cdmSession: CdmSession }>((held) => {
    const ref = this.#bySessionId.get(held.sessionId);
    if (ref && ref.deref() === undefined) this.#bySessionId.delete(held.sessionId);
    held.cdmSession.close().catch(() => {});
  });

  hasOpen(sessionId: string): boolean {
    return this.#bySessionId.get(sessionId)?.deref() !== undefined;
  }

  add(session: object, sessionId: string, cdmSession: CdmSession): void {
    this.#bySessionId.set(sessionId, new WeakRef(session));
    this.#finalizer.register(session, { sessionId, cdmSession }, session);
  }

  delete(session: object, sessionId: string): void {
    if (this.#bySessionId.get(sessionId)?.deref() === session) this.#bySessionId.delete(sessionId);
    this.#finalizer.unregister(session);
  }

  get size(): number {
    return this.#bySessionId.size;
  }
}
