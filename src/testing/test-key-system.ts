// testKeySystem(): a key system a test scripts. It decrypts like Clear Key (same licenses, same media), and a test
// makes it do what real DRM does to players: renewals, expiry, output restrictions, individualization, server
// certificates, failures, latency, crashes. Every change reaches the page through the same CDM boundary and spec
// algorithms as a real CDM's, so a test never sees what a browser could not produce.

import { CdmError, type CdmErrorName, type ClosedReason, type KeyStatus, type KeySystem, type MessageType, type SessionType } from '../cdm/cdm.js';
import { clearKeyCapabilities } from '../cdm/clearkey/capabilities.js';
import { CLEAR_KEY } from '../cdm/clearkey/index.js';
import { HDCP_VERSIONS } from '../cdm/hdcp-versions.js';
import { toHex } from '../util/bytes.js';
import { realClock, type Clock } from '../util/clock.js';
import type { TestMethod } from './faults.js';
import { KeySystemState, type TestKeySystemOptions } from './state.js';
import { TestCdm } from './test-cdm.js';
import { runStep, type ScriptStep } from './script.js';
import type { KeyIdInput, TestSession } from './test-session.js';

/** A session of the test key system, as a test drives it. Key IDs are bytes or hex. */
export interface TestSessionControl {
  /** "" until generateRequest() or load() gave it one. */
  readonly sessionId: string;
  readonly sessionType: SessionType;
  /** Closed by the application, the CDM or a crash. */
  readonly closed: boolean;
  /** The expiration the CDM holds (ms since the epoch, NaN for none). */
  readonly expiration: number;
  /** Key statuses as the CDM holds them now, by hex key ID. */
  keyStatuses(): Map<string, KeyStatus>;
  /** A "license-renewal" message (a Clear Key license request for the session's keys), answered by update(). */
  renew(): void;
  /** A renewal every `seconds` of the clock; undefined stops them. */
  renewEvery(seconds: number | undefined): void;
  /** Any status for any key, at once (keystatuseschange); a new license for the key clears it. */
  setStatus(keyId: KeyIdInput, status: KeyStatus): void;
  /** A new expiration (NaN for none); every key turns "expired" when the clock passes it. */
  setExpiration(expiration: number): void;
  /** Any message of any type. */
  message(type: MessageType, data: Uint8Array): void;
  /** The CDM closes the session on its own, e.g. 'resource-evicted'. */
  close(reason: ClosedReason): Promise<void>;
}

export interface TestKeySystem extends KeySystem {
  readonly clock: Clock;
  /** Every session created through the key system, oldest first (closed ones included, marked closed). */
  readonly sessions: readonly TestSessionControl[];
  session(sessionId: string): TestSessionControl | undefined;
  /** Every open session of every CDM instance closes with `reason` ('internal-error' by default). */
  crash(reason?: ClosedReason): Promise<void>;
  /** The display's HDCP version ('none' for none): getStatusForPolicy answers from it; keys whose license asks more turn output-restricted. */
  setHdcp(version: string): void;
  /** The status of a key in every open session that knows it. */
  setStatus(keyId: KeyIdInput, status: KeyStatus): void;
  /** The expiration of every open session. */
  setExpiration(expiration: number): void;
  /** Renewals every `seconds` for every open session and for licenses to come. */
  renewEvery(seconds: number | undefined): void;
  /** The `nthCall`-th call of `method` from now (1: the next one) rejects with `errorName`. */
  fail(method: TestMethod, errorName: CdmErrorName, nthCall?: number): void;
  /** Each call of `method` takes `ms` of the clock. */
  setLatency(method: TestMethod, ms: number): void;
  /** Writes to the persistent store fail with `errorName` (e.g. QuotaExceededError) until called with undefined. */
  failStore(errorName: CdmErrorName | undefined): void;
  /** Runs a script of timed steps on the clock; returns a function that cancels the steps still to come. */
  play(steps: readonly ScriptStep[]): () => void;
}

export type { TestKeySystemOptions, TestMethod };

function controlFor(session: TestSession): TestSessionControl {
  return {
    get sessionId() {
      return session.sessionId;
    },
    get sessionType() {
      return session.sessionType;
    },
    get closed() {
      return session.isClosed;
    },
    get expiration() {
      return session.expiration;
    },
    keyStatuses: () => new Map(session.statuses().map((e) => [toHex(e.keyId), e.status])),
    renew: () => session.renew(),
    renewEvery: (seconds) => session.renewEvery(seconds),
    setStatus: (keyId, status) => session.setStatus(keyId, status),
    setExpiration: (expiration) => session.setExpiration(expiration),
    message: (type, data) => session.sendMessage(type, data.slice()),
    close: (reason) => session.closeByCdm(reason),
  };
}

export function testKeySystem(options: TestKeySystemOptions = {}): TestKeySystem {
  if (options.hdcp !== undefined && options.hdcp !== 'none' && !HDCP_VERSIONS.has(options.hdcp)) {
    throw new RangeError(`hdcp '${options.hdcp}' is neither 'none' nor an HDCP version from the registry`);
  }
  const clock = options.clock ?? realClock;
  const controls: TestSessionControl[] = [];
  const state = new KeySystemState(options, clock, (session) => controls.push(controlFor(session)));
  const cdms = new Set<TestCdm>();
  const open = () => state.sessions.filter((s) => !s.isClosed && s.sessionId !== '');

  const keySystem: TestKeySystem = {
    keySystem: options.keySystem ?? CLEAR_KEY,
    capabilities: clearKeyCapabilities,
    createCdm(configuration, storage) {
      const cdm = new TestCdm(state, configuration.persistentStateAllowed ? storage : undefined);
      cdms.add(cdm);
      return cdm;
    },
    clock,
    sessions: controls,
    session: (sessionId) => controls.find((c) => c.sessionId === sessionId && !c.closed) ?? controls.find((c) => c.sessionId === sessionId),
    async crash(reason = 'internal-error') {
      // Calls in progress fail first (their promises reject), then the sessions close.
      state.faults.abortWaits(new CdmError('InvalidStateError', 'the CDM crashed'));
      await Promise.all([...cdms].map((cdm) => cdm.crash(reason)));
    },
    setHdcp(version) {
      if (version !== 'none' && !HDCP_VERSIONS.has(version)) throw new RangeError(`hdcp '${version}' is neither 'none' nor a registered HDCP version`);
      const before = open().map((s) => [s, s.statuses()] as const);
      state.hdcp = version;
      for (const [session, statuses] of before) session.hdcpChanged(statuses);
    },
    setStatus(keyId, status) {
      const hex = typeof keyId === 'string' ? keyId.toLowerCase() : toHex(keyId);
      for (const session of open()) if (session.statuses().some((e) => toHex(e.keyId) === hex)) session.setStatus(keyId, status);
    },
    setExpiration(expiration) {
      for (const session of open()) session.setExpiration(expiration);
    },
    renewEvery(seconds) {
      state.renewalSeconds = seconds;
      for (const session of open()) session.renewEvery(seconds);
    },
    fail: (method, errorName, nthCall = 1) => state.faults.fail(method, errorName, nthCall),
    setLatency: (method, ms) => state.faults.setLatency(method, ms),
    failStore(errorName) {
      state.storeFailure = errorName;
    },
    play(steps) {
      const cancels = steps.map((step) => clock.schedule(step.at, () => void runStep(keySystem, step)));
      return () => cancels.forEach((cancel) => cancel());
    },
  };
  return keySystem;
}
