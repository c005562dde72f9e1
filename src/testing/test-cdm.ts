// A CDM instance of the test key system (one per MediaKeys): its sessions, its server certificate, and decryption
// keys that honour key statuses.

import {
  CdmError,
  type Cdm,
  type CdmSessionClient,
  type CdmStorage,
  type ClosedReason,
  type KeyStatus,
  type SessionType,
} from '../cdm/cdm.js';
import { toHex } from '../util/bytes.js';
import { hdcpMeets } from './policy.js';
import { TestSession, type SessionHost } from './test-session.js';
import type { KeySystemState } from './state.js';

export class TestCdm implements Cdm {
  readonly #state: KeySystemState;
  readonly #storage: CdmStorage | undefined;
  /** Open sessions, oldest first: the newest usable key for a key ID wins, as in Clear Key. */
  readonly #sessions = new Set<TestSession>();
  #certificate: Uint8Array | undefined;
  #unusable = false;
  readonly setServerCertificate: ((certificate: Uint8Array) => Promise<void>) | undefined;

  constructor(state: KeySystemState, storage: CdmStorage | undefined) {
    this.#state = state;
    this.#storage = storage && state.wrapStorage(storage);
    this.setServerCertificate =
      (state.options.serverCertificate ?? 'unsupported') === 'unsupported'
        ? undefined
        : async (certificate) => {
            await state.faults.enter('setServerCertificate');
            this.#requireUsable();
            this.#certificate = certificate;
          };
  }

  createSession(sessionType: SessionType, client: CdmSessionClient): TestSession {
    this.#requireUsable();
    const session = new TestSession(this.#host(), sessionType, client);
    this.#sessions.add(session);
    this.#state.sessionCreated(session);
    return session;
  }

  async getStatusForPolicy(policy: { readonly minHdcpVersion?: string }): Promise<KeyStatus> {
    await this.#state.faults.enter('getStatusForPolicy');
    this.#requireUsable();
    return hdcpMeets(this.#state.hdcp, policy.minHdcpVersion ?? '') ? 'usable' : 'output-restricted';
  }

  keyFor(keyId: Uint8Array): Uint8Array | undefined {
    const hex = toHex(keyId);
    let found: Uint8Array | undefined;
    for (const session of this.#sessions) found = session.keyFor(hex) ?? found;
    return found;
  }

  /**
   * The instance crashes: every open session closes with `reason`. After "internal-error" the instance stays
   * unusable (new sessions: InvalidStateError); after a hardware context reset or an eviction the application may
   * create new sessions on the same MediaKeys (EME MediaKeySessionClosedReason).
   */
  async crash(reason: ClosedReason): Promise<void> {
    if (reason === 'internal-error') this.#unusable = true;
    await Promise.all([...this.#sessions].map((session) => session.closeByCdm(reason)));
  }

  /** Sessions' statuses before an HDCP change, to report those that change. */
  openSessions(): readonly TestSession[] {
    return [...this.#sessions];
  }

  #host(): SessionHost {
    const state = this.#state;
    return {
      clock: state.clock,
      faults: state.faults,
      storage: this.#storage,
      hdcp: () => state.hdcp,
      defaultRenewalSeconds: () => state.renewalSeconds,
      requireCertificate: () => {
        if (state.options.serverCertificate === 'required' && !this.#certificate) {
          throw new CdmError('InvalidStateError', 'this key system requires a server certificate: call setServerCertificate() first');
        }
      },
      needsIndividualization: () => state.options.individualization === true && !state.individualizedOnce,
      individualized: () => {
        state.individualizedOnce = true;
      },
      sessionClosed: (session) => this.#sessions.delete(session),
    };
  }

  #requireUsable(): void {
    if (this.#unusable) throw new CdmError('InvalidStateError', 'the CDM instance crashed: create a new MediaKeys');
  }
}
