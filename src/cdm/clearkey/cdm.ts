// A Clear Key CDM instance (one per MediaKeys): creates sessions and finds keys for decryption.

import type { Cdm, CdmConfiguration, CdmStorage, KeyStatus, SessionType } from '../cdm.js';
import { toHex } from '../../util/bytes.js';
import { ClearKeySession, type SessionOwner } from './session.js';

export class ClearKeyCdm implements Cdm, SessionOwner {
  readonly storage: CdmStorage | undefined;
  /** Sessions holding keys, oldest first: the newest key for a key ID wins, as in Chromium's AesDecryptor. */
  readonly #sessionsWithKeys = new Set<ClearKeySession>();

  constructor(configuration: CdmConfiguration, storage: CdmStorage | undefined) {
    // With persistent state not allowed, the instance must neither read nor write stored state.
    this.storage = configuration.persistentStateAllowed ? storage : undefined;
  }

  createSession(sessionType: SessionType): ClearKeySession {
    // Clear Key only answers calls: it never reports anything to the session client on its own.
    return new ClearKeySession(this, sessionType);
  }

  async getStatusForPolicy(): Promise<KeyStatus> {
    // Clear Key has no output protection to enforce: always usable (EME §Clear Key capabilities). The API layer has
    // already rejected HDCP versions outside the registry.
    return 'usable';
  }

  keyFor(keyId: Uint8Array): Uint8Array | undefined {
    const hex = toHex(keyId);
    let found: Uint8Array | undefined;
    for (const session of this.#sessionsWithKeys) found = session.keyFor(hex) ?? found;
    return found;
  }

  sessionHasKeys(session: ClearKeySession, hasKeys: boolean): void {
    this.#sessionsWithKeys.delete(session);
    if (hasKeys) this.#sessionsWithKeys.add(session);
  }
}
