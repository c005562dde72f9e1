// What the test key system's CDM instances share: options, clock, faults, the display's HDCP version, the store's
// scripted failure, and every session created, for the test to reach.

import { CdmError, type CdmErrorName, type CdmStorage } from '../cdm/cdm.js';
import type { SessionStore } from '../storage/session-store.js';
import type { Clock } from '../util/clock.js';
import { Faults } from './faults.js';
import type { TestSession } from './test-session.js';

export interface TestKeySystemOptions {
  /** The key system name the platform offers it under: 'org.w3.clearkey' (default) or its own, e.g. 'com.example.test'. */
  readonly keySystem?: string;
  /** Time for expirations, renewals and latencies: real time by default, or emekit/dom's media clock, or a manual one. */
  readonly clock?: Clock;
  /** A license-renewal message every N seconds of the clock after each license (a license's policy can set its own). */
  readonly renewalIntervalSeconds?: number;
  /** An individualization-request message before the first license request of the key system. */
  readonly individualization?: boolean;
  /**
   * 'unsupported' (default, as Clear Key): setServerCertificate resolves false. 'optional': it resolves true.
   * 'required': it resolves true, and generateRequest() rejects with InvalidStateError until one is set.
   */
  readonly serverCertificate?: 'unsupported' | 'optional' | 'required';
  /** The display's HDCP version ('none': no HDCP); '2.3' by default. */
  readonly hdcp?: string;
}

export class KeySystemState {
  readonly options: TestKeySystemOptions;
  readonly clock: Clock;
  readonly faults: Faults;
  hdcp: string;
  /** Renewal interval for licenses whose policy sets none. */
  renewalSeconds: number | undefined;
  individualizedOnce = false;
  storeFailure: CdmErrorName | undefined;
  readonly sessions: TestSession[] = [];
  readonly #onSession: (session: TestSession) => void;
  /** One wrapper per store: Clear Key tells open persistent sessions apart by store object. */
  readonly #wrapped = new WeakMap<SessionStore, SessionStore>();

  constructor(options: TestKeySystemOptions, clock: Clock, onSession: (session: TestSession) => void) {
    this.options = options;
    this.clock = clock;
    this.faults = new Faults(clock);
    this.hdcp = options.hdcp ?? '2.3';
    this.renewalSeconds = options.renewalIntervalSeconds;
    this.#onSession = onSession;
  }

  sessionCreated(session: TestSession): void {
    this.sessions.push(session);
    this.#onSession(session);
  }

  /** The instance's storage, whose writes fail while the test says so (e.g. QuotaExceededError). */
  wrapStorage(storage: CdmStorage): CdmStorage {
    let store = this.#wrapped.get(storage.store);
    if (!store) this.#wrapped.set(storage.store, (store = this.#failingStore(storage.store)));
    return { store, origin: storage.origin };
  }

  #failingStore(inner: SessionStore): SessionStore {
    const state = this;
    const failing = (): void => {
      if (state.storeFailure) throw new CdmError(state.storeFailure, 'the persistent store failed (scripted by the test key system)');
    };
    const store: SessionStore = {
      get: (origin, sessionId) => inner.get(origin, sessionId),
      list: (origin) => inner.list(origin),
      close: () => inner.close(),
      async put(origin, sessionId, record) {
        failing();
        return inner.put(origin, sessionId, record);
      },
      async delete(origin, sessionId) {
        failing();
        return inner.delete(origin, sessionId);
      },
    };
    return store;
  }
}
