// One session of the test key system: a Clear Key session (same licenses, same keys, same stored records) whose
// key statuses, expiration, renewals and closing a test scripts. What it does on its own goes to the API layer
// through the session client, so the page sees it through the spec's algorithms like any CDM's.

import type {
  CdmSession,
  CdmSessionClient,
  CdmSessionResult,
  CdmStorage,
  ClosedReason,
  KeyStatus,
  KeyStatusEntry,
  MessageType,
  SessionType,
} from '../cdm/cdm.js';
import { CdmError } from '../cdm/cdm.js';
import { parseResponseObject } from '../cdm/clearkey/license.js';
import { licenseRequest } from '../cdm/clearkey/messages.js';
import { ClearKeySession, type SessionOwner } from '../cdm/clearkey/session.js';
import { decodeBase64Url } from '../util/base64url.js';
import { compareKeyIds, toHex } from '../util/bytes.js';
import type { Clock } from '../util/clock.js';
import type { Faults } from './faults.js';
import { hdcpMeets, readPolicy, readRecordedPolicy, recordPolicy } from './policy.js';

/** What a session needs from its CDM instance and key system. */
export interface SessionHost {
  readonly clock: Clock;
  readonly faults: Faults;
  readonly storage: CdmStorage | undefined;
  /** The display's HDCP version ('none' for none). */
  hdcp(): string;
  defaultRenewalSeconds(): number | undefined;
  /** Throws when a server certificate is required and none was set. */
  requireCertificate(): void;
  /** True while the key system still wants an individualization-request before license requests. */
  needsIndividualization(): boolean;
  individualized(): void;
  sessionClosed(session: TestSession): void;
}

/** Keys a session can decrypt with: usable for decryption (EME: "usable", or "output-downscaled"). */
const DECRYPTING: ReadonlySet<KeyStatus> = new Set(['usable', 'output-downscaled']);
const encoder = new TextEncoder();

/** A key ID given as bytes or as hex. */
export type KeyIdInput = Uint8Array | string;

function keyIdBytes(keyId: KeyIdInput): Uint8Array {
  if (typeof keyId !== 'string') return keyId.slice();
  if (!/^([0-9a-fA-F]{2})+$/.test(keyId)) throw new TypeError(`key ID '${keyId}' is not hex`);
  return Uint8Array.from(Buffer.from(keyId, 'hex'));
}

export class TestSession implements CdmSession, SessionOwner {
  readonly #host: SessionHost;
  readonly #type: SessionType;
  readonly #client: CdmSessionClient;
  readonly #clearKey: ClearKeySession;
  /** Keys the Clear Key session knows, by hex key ID, with its status (usable or released). */
  #known = new Map<string, KeyStatusEntry>();
  /** Statuses a test set, by hex key ID; a new license for a key clears its entry. */
  readonly #overrides = new Map<string, KeyStatusEntry>();
  #minHdcp = new Map<string, string>();
  /** The renewal interval the licenses set (not a test's renewEvery()), kept with a persistent record. */
  #licensedRenewalSeconds: number | undefined;
  #expiration = NaN;
  #expired = false;
  #renewalSeconds: number | undefined;
  #cancelExpiry: (() => void) | undefined;
  #cancelRenewal: (() => void) | undefined;
  /** The license request held back while an individualization-request is answered. */
  #heldRequest: Uint8Array | undefined;
  #closed = false;

  constructor(host: SessionHost, type: SessionType, client: CdmSessionClient) {
    this.#host = host;
    this.#type = type;
    this.#client = client;
    this.#clearKey = new ClearKeySession(this, type);
  }

  get sessionId(): string {
    return this.#clearKey.sessionId;
  }

  get sessionType(): SessionType {
    return this.#type;
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  get expiration(): number {
    return this.#expiration;
  }

  // SessionOwner, for the Clear Key session inside.
  get storage(): CdmStorage | undefined {
    return this.#host.storage;
  }

  sessionHasKeys(): void {}

  async generateRequest(initDataType: string, sanitizedInitData: Uint8Array): Promise<CdmSessionResult> {
    await this.#host.faults.enter('generateRequest');
    this.#host.requireCertificate();
    const result = await this.#clearKey.generateRequest(initDataType, sanitizedInitData);
    if (!this.#host.needsIndividualization() || !result.message) return result;
    // App-assisted individualization first; the license request follows its answer (update()).
    this.#heldRequest = result.message.data;
    const request = encoder.encode(JSON.stringify({ individualization: 'request', sessionId: this.sessionId }));
    return { message: { type: 'individualization-request', data: request } };
  }

  async load(sessionId: string): Promise<CdmSessionResult | undefined> {
    await this.#host.faults.enter('load');
    const result = await this.#clearKey.load(sessionId);
    if (!result) return undefined;
    if (result.keyStatuses) this.#absorb(result.keyStatuses);
    if (result.message) return { ...result, keyStatuses: this.statuses() }; // a record of license destruction
    // The policy its licenses set comes back with the keys (a record Clear Key wrote has none: as a license without).
    const stored = this.#clearKey.restoredPolicy;
    let policy;
    try {
      policy = stored ? readRecordedPolicy(stored) : { minHdcp: new Map<string, string>() };
    } catch (error) {
      await this.#clearKey.close();
      throw error;
    }
    this.#minHdcp = new Map(policy.minHdcp);
    this.#licensedRenewalSeconds = policy.renewalIntervalSeconds;
    this.#expired = false;
    this.#scheduleExpiry(policy.expiration ?? NaN);
    this.renewEvery(policy.renewalIntervalSeconds ?? this.#renewalSeconds ?? this.#host.defaultRenewalSeconds());
    return { ...result, keyStatuses: this.statuses(), expiration: this.#expiration };
  }

  async update(sanitizedResponse: Uint8Array): Promise<CdmSessionResult> {
    await this.#host.faults.enter('update');
    if (this.#heldRequest) {
      // Any JSON object answers the individualization request (the test plays the individualization server).
      parseResponseObject(sanitizedResponse);
      const held = this.#heldRequest;
      this.#heldRequest = undefined;
      this.#host.individualized();
      return { message: { type: 'license-request', data: held } };
    }
    const object = parseResponseObject(sanitizedResponse);
    // Read before Clear Key takes the keys, so a bad policy leaves the session as it was.
    const policy = Array.isArray(object['keys']) ? readPolicy(object) : undefined;
    // A license sets the expiration: its own, or none. A persistent record keeps what it sets, resolved now.
    const now = this.#host.clock.now();
    const expiration = policy && (policy.expiration ?? (policy.durationSeconds !== undefined ? now + policy.durationSeconds * 1000 : NaN));
    const minHdcp = new Map([...this.#minHdcp, ...(policy?.minHdcp ?? [])]);
    const licensedRenewal = policy?.renewalIntervalSeconds ?? this.#licensedRenewalSeconds;
    const record = policy && recordPolicy({ expiration, renewalIntervalSeconds: licensedRenewal, minHdcp });
    const result = await this.#clearKey.update(sanitizedResponse, record);
    if (result.closed) {
      this.#stopTimers();
      return result;
    }
    if (result.keyStatuses) this.#absorb(result.keyStatuses);
    if (!policy) return { ...result, keyStatuses: this.statuses() };
    const warnings = result.warnings ? { warnings: result.warnings } : {};
    for (const jwk of object['keys'] as Record<string, unknown>[]) {
      const keyId = typeof jwk['kid'] === 'string' ? decodeBase64Url(jwk['kid']) : undefined;
      if (keyId) this.#overrides.delete(toHex(keyId));
    }
    this.#minHdcp = minHdcp;
    this.#licensedRenewalSeconds = licensedRenewal;
    this.#expired = false;
    this.#scheduleExpiry(expiration ?? NaN);
    this.renewEvery(policy.renewalIntervalSeconds ?? this.#renewalSeconds ?? this.#host.defaultRenewalSeconds());
    return { keyStatuses: this.statuses(), expiration: this.#expiration, ...warnings };
  }

  async close(): Promise<void> {
    await this.#host.faults.enter('close');
    await this.#shutDown();
  }

  async remove(): Promise<CdmSessionResult> {
    await this.#host.faults.enter('remove');
    const result = await this.#clearKey.remove();
    this.#stopTimers();
    this.#overrides.clear();
    this.#expiration = NaN;
    this.#expired = false;
    if (result.keyStatuses) this.#absorb(result.keyStatuses);
    return { ...result, keyStatuses: this.statuses(), expiration: NaN };
  }

  /** The key for decryption, only while its status makes it usable for decryption. */
  keyFor(keyIdHex: string): Uint8Array | undefined {
    if (this.#closed) return undefined;
    const status = this.#statusOf(keyIdHex);
    return status && DECRYPTING.has(status) ? this.#clearKey.keyFor(keyIdHex) : undefined;
  }

  /** Every key the session knows, with its status now, sorted by key ID. */
  statuses(): KeyStatusEntry[] {
    const entries: KeyStatusEntry[] = [];
    for (const kid of new Set([...this.#known.keys(), ...this.#overrides.keys()])) {
      const keyId = (this.#known.get(kid) ?? this.#overrides.get(kid))!.keyId;
      entries.push({ keyId, status: this.#statusOf(kid)! });
    }
    return entries.sort((a, b) => compareKeyIds(a.keyId, b.keyId));
  }

  // What a test scripts (through TestSessionControl).

  sendMessage(type: MessageType, data: Uint8Array): void {
    this.#requireOpen();
    this.#client.message(type, data);
  }

  renew(): void {
    const kids = this.statuses().filter((e) => e.status !== 'released').map((e) => e.keyId);
    this.sendMessage('license-renewal', licenseRequest(kids, this.#type));
  }

  renewEvery(seconds: number | undefined): void {
    if (seconds !== undefined && !(seconds > 0)) throw new RangeError('a renewal interval must be a positive number of seconds');
    this.#renewalSeconds = seconds;
    this.#cancelRenewal?.();
    this.#cancelRenewal = undefined;
    if (seconds === undefined || this.#closed) return;
    const tick = () => {
      this.#cancelRenewal = this.#host.clock.schedule(seconds * 1000, () => {
        if (this.#closed) return;
        this.renew();
        tick();
      });
    };
    tick();
  }

  setStatus(keyId: KeyIdInput, status: KeyStatus): void {
    this.#requireOpen();
    const bytes = keyIdBytes(keyId);
    this.#overrides.set(toHex(bytes), { keyId: bytes, status });
    this.#client.keyStatusesChanged(this.statuses());
  }

  setExpiration(expiration: number): void {
    this.#requireOpen();
    this.#expired = false;
    this.#scheduleExpiry(expiration);
    this.#client.expirationChanged(this.#expiration);
    if (this.#expired) this.#client.keyStatusesChanged(this.statuses());
  }

  /** The display's HDCP version changed: report keys whose output restriction changed. */
  hdcpChanged(before: KeyStatusEntry[]): void {
    if (this.#closed) return;
    const after = this.statuses();
    if (after.some((entry, i) => entry.status !== before[i]?.status)) this.#client.keyStatusesChanged(after);
  }

  /** The CDM closes the session on its own (eviction, crash). */
  async closeByCdm(reason: ClosedReason): Promise<void> {
    if (this.#closed) return;
    await this.#shutDown();
    this.#client.closed(reason);
  }

  #statusOf(kid: string): KeyStatus | undefined {
    const known = this.#known.get(kid);
    if (known?.status === 'released') return 'released';
    const override = this.#overrides.get(kid);
    if (override) return override.status;
    if (!known) return undefined;
    if (this.#expired) return 'expired';
    const required = this.#minHdcp.get(kid);
    if (required && !hdcpMeets(this.#host.hdcp(), required)) return 'output-restricted';
    return known.status;
  }

  #absorb(statuses: readonly KeyStatusEntry[]): void {
    this.#known = new Map(statuses.map((entry) => [toHex(entry.keyId), entry]));
  }

  /** Sets the expiration and the timer that expires every key when the clock passes it. */
  #scheduleExpiry(expiration: number): void {
    this.#cancelExpiry?.();
    this.#cancelExpiry = undefined;
    this.#expiration = Number.isNaN(expiration) ? NaN : expiration;
    if (Number.isNaN(this.#expiration)) return;
    const remaining = this.#expiration - this.#host.clock.now();
    if (remaining < 0) {
      this.#expire();
      return;
    }
    // "expired": the expiration time is earlier than the current time, so one ms past it.
    this.#cancelExpiry = this.#host.clock.schedule(remaining + 1, () => {
      this.#cancelExpiry = undefined;
      if (this.#closed) return;
      this.#expire();
      this.#client.keyStatusesChanged(this.statuses());
    });
  }

  /** Every key of the session expires together (EME: "All other keys in the session MUST have this status"). */
  #expire(): void {
    this.#expired = true;
    this.#overrides.clear();
  }

  #stopTimers(): void {
    this.#cancelExpiry?.();
    this.#cancelRenewal?.();
    this.#cancelExpiry = this.#cancelRenewal = undefined;
  }

  async #shutDown(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    await this.#clearKey.close();
    this.#host.sessionClosed(this);
  }

  /** A CDM acts on its own only for a session it has given an ID (generateRequest() or load()) and not closed. */
  #requireOpen(): void {
    if (this.sessionId === '') throw new CdmError('InvalidStateError', 'the test session has no session ID yet: generateRequest() or load() first');
    if (this.#closed) throw new CdmError('InvalidStateError', `test session ${this.sessionId} is closed`);
  }
}
