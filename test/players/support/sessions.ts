// The MediaKeySessions a player creates, seen from the test: a spy on the window's MediaKeys.prototype.createSession
// (the player calls it unchanged), so a test can check the key statuses the player reached.

export interface SessionLike {
  readonly sessionId: string;
  readonly keyStatuses: { forEach(fn: (status: string, keyId: ArrayBuffer | ArrayBufferView) => void): void };
}

/** Records every session created through the window's MediaKeys from now on. */
export function watchSessions(window: { readonly MediaKeys: { prototype: { createSession: (...args: never[]) => unknown } } }): SessionLike[] {
  const sessions: SessionLike[] = [];
  const proto = window.MediaKeys.prototype;
  const original = proto.createSession;
  proto.createSession = function (this: unknown, ...args: never[]) {
    const session = original.apply(this, args) as SessionLike;
    sessions.push(session);
    return session;
  };
  return sessions;
}

/** key ID (hex) → status, over all sessions. */
export function keyStatuses(sessions: readonly SessionLike[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const session of sessions) {
    session.keyStatuses.forEach((status, keyId) => {
      const bytes = ArrayBuffer.isView(keyId) ? Buffer.from(keyId.buffer, keyId.byteOffset, keyId.byteLength) : Buffer.from(keyId);
      out.set(bytes.toString('hex'), status);
    });
  }
  return out;
}
