// A Clear Key CDM instance (one per MediaKeys): creates sessions and finds keys for decryption.

import type { Cdm, CdmConfiguration, CdmStorage, KeyStatus, SessionType } from '../cdm.js';
import { CdmError } from '../cdm.js';
import { toHex } from '../../util/bytes.js';
import { ClearKeySession, type SessionOwner } from './session.js';

// W3C HDCP version registry.
const HDCP_VERSIONS = new Set(['1.0', '1.1', '1.2', '1.3', '1.4', '2.0', '2.1', '2.2', '2.3']);

export class ClearKeyCdm implements Cdm, SessionOwner {
  readonly storage: CdmStorage | undefined;
  /** Sessions holding keys, oldest first: the newest key for a key ID wins, as in Chromium's AesDecryptor. */
  readonly #sessionsWithKeys = new Set<ClearKeySession>();

  constructor(configuration: CdmConfiguration, storage: CdmStorage | undefined) {
    // With persistent state not allowed, the instance must neither read nor write stored state.
    this.storage = configuration.persistentStateAllowed ? storage : undefined;
  }

  createSession(sessionType: SessionType): ClearKeySession {
    return new ClearKeySession(this, sessionType);
  }

  async getStatusForPolicy(policy: { readonly minHdcpVersion?: string }): Promise<KeyStatus> {
    if (policy.minHdcpVersion !== undefined && policy.minHdcpVersion !== '' && !HDCP_VERSIONS.has(policy.minHdcpVersion)) {
      throw new CdmError('NotSupportedError', `HDCP version '${policy.minHdcpVersion}' is not in the HDCP version registry`);
    }
    // Clear Key has no output protection to enforce: always usable (EME §Clear Key capabilities).
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
