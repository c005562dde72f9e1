// The CDM boundary: what the EME API layer asks of a key system, in plain async methods and data.
// Modelled on the spec's user agent / CDM split (and Chromium's ContentDecryptionModule): no promises handed to
// the page, no events, no DOM types here. The API layer owns WebIDL conversion, state machines and task ordering;
// a key system owns formats, keys and storage of its own session data.

import type { SessionStore } from '../storage/session-store.js';

export type SessionType = 'temporary' | 'persistent-license';
export type KeyStatus =
  | 'usable'
  | 'expired'
  | 'released'
  | 'output-restricted'
  | 'output-downscaled'
  | 'usable-in-future'
  | 'status-pending'
  | 'internal-error';
export type MessageType = 'license-request' | 'license-renewal' | 'license-release' | 'individualization-request';
export type ClosedReason =
  | 'internal-error'
  | 'closed-by-application'
  | 'release-acknowledged'
  | 'hardware-context-reset'
  | 'resource-evicted';

/** A media capability as the Get Supported Capabilities algorithm hands it to the key system. */
export interface MediaCapabilityQuery {
  readonly kind: 'audio' | 'video';
  /** Lower-case "type/subtype", e.g. "video/mp4". */
  readonly container: string;
  /** The RFC 6381 codecs parameter, split and trimmed; never empty here. */
  readonly codecs: readonly string[];
  readonly encryptionScheme: string | null;
  readonly robustness: string;
}

export type FeatureSupport = 'not-supported' | 'optional' | 'required';

/** What a key system implementation can do; read by requestMediaKeySystemAccess. */
export interface KeySystemCapabilities {
  readonly distinctiveIdentifier: FeatureSupport;
  /** 'optional' when this platform can persist state for the key system, 'not-supported' otherwise. */
  readonly persistentState: FeatureSupport;
  supportsInitDataType(initDataType: string): boolean;
  supportsSessionType(sessionType: string, persistentStateAllowed: boolean): boolean;
  supportsMediaCapability(query: MediaCapabilityQuery): boolean;
}

export interface CdmConfiguration {
  readonly distinctiveIdentifierAllowed: boolean;
  readonly persistentStateAllowed: boolean;
  readonly sessionTypes: readonly SessionType[];
}

/** Where a CDM instance may keep persistent session data: one origin's partition of the platform's store. */
export interface CdmStorage {
  readonly store: SessionStore;
  readonly origin: string;
}

/** A key system implementation (the spec's "cdm implementation"). */
export interface KeySystem {
  readonly keySystem: string;
  capabilities(storageAvailable: boolean): KeySystemCapabilities;
  createCdm(configuration: CdmConfiguration, storage: CdmStorage | undefined): Cdm;
}

/** A key ID with the key's status, as the Update Key Statuses algorithm takes them. */
export interface KeyStatusEntry {
  readonly keyId: Uint8Array;
  readonly status: KeyStatus;
}

/** What a session operation produced; the API layer turns it into attribute changes and events. */
export interface CdmSessionResult {
  readonly message?: { readonly type: MessageType; readonly data: Uint8Array };
  /** The complete list of known keys when it changed (undefined: unchanged). */
  readonly keyStatuses?: readonly KeyStatusEntry[];
  /** New expiration time in ms since the epoch, or NaN; undefined: unchanged. */
  readonly expiration?: number;
  /** Set when the operation closed the session (e.g. a release acknowledgement). */
  readonly closed?: ClosedReason;
  /**
   * Likely mistakes in what the application passed that the spec lets through (e.g. a license holding none of the
   * requested key IDs), for the EME trace. Never key material.
   */
  readonly warnings?: readonly string[];
}

/**
 * What a CDM session does on its own, outside any call (EME §6.6 "Monitor for CDM State Changes"; the session
 * callbacks of Chromium's ContentDecryptionModule host): a license-renewal or individualization-request message, key
 * statuses that changed (e.g. keys expiring), a new expiration time, the session closed by the CDM (a crash, an
 * eviction). The API layer runs the spec's algorithm for each in a queued task, after any operation of the session
 * still in progress, and ignores them once the session is closed. Each call is synchronous and returns at once.
 */
export interface CdmSessionClient {
  message(type: MessageType, data: Uint8Array): void;
  /** The complete list of keys known to the session, with their statuses (as CdmSessionResult.keyStatuses). */
  keyStatusesChanged(statuses: readonly KeyStatusEntry[]): void;
  /** Ms since the epoch, or NaN for none. */
  expirationChanged(expiration: number): void;
  closed(reason: ClosedReason): void;
}

/** A CDM instance (the spec's "cdm instance"), one per MediaKeys. */
export interface Cdm {
  /**
   * `client` is where the session reports what it does on its own; a key system that only answers calls (Clear Key)
   * ignores it. Throwing a CdmError (InvalidStateError) refuses new sessions, e.g. once the instance is unusable.
   */
  createSession(sessionType: SessionType, client: CdmSessionClient): CdmSession;
  /** Undefined when the key system has no server certificates (setServerCertificate resolves false). */
  readonly setServerCertificate?: (certificate: Uint8Array) => Promise<void>;
  /** The policy's minHdcpVersion, when present, is "" or a registered version (see hdcp-versions.ts). */
  getStatusForPolicy(policy: { readonly minHdcpVersion?: string }): Promise<KeyStatus>;
  /**
   * The key for a key ID across this instance's open sessions, for decryption: only a key that is usable for
   * decryption (status "usable" or "output-downscaled"), so a key that expired or whose output is restricted stops
   * decrypting its samples.
   */
  keyFor(keyId: Uint8Array): Uint8Array | undefined;
}

export interface CdmSession {
  /** Assigned by generateRequest() or load(); the empty string before. */
  readonly sessionId: string;
  generateRequest(initDataType: string, sanitizedInitData: Uint8Array): Promise<CdmSessionResult>;
  /** Resolves undefined when nothing is stored for the session ID. */
  load(sessionId: string): Promise<CdmSessionResult | undefined>;
  update(sanitizedResponse: Uint8Array): Promise<CdmSessionResult>;
  close(): Promise<void>;
  remove(): Promise<CdmSessionResult>;
}

export const CDM_ERROR_NAMES = ['TypeError', 'NotSupportedError', 'InvalidStateError', 'QuotaExceededError', 'InvalidAccessError'] as const;
export type CdmErrorName = (typeof CDM_ERROR_NAMES)[number];

/**
 * A failure the API layer maps to the spec's exception: TypeError for 'TypeError', a DOMException otherwise.
 * Messages must never contain key material.
 */
export class CdmError extends Error {
  readonly errorName: CdmErrorName;
  /** As CdmSessionResult.warnings: the likely mistake behind the failure, for the EME trace. */
  readonly warnings: readonly string[];
  constructor(errorName: CdmErrorName, message: string, warnings: readonly string[] = []) {
    super(message);
    this.name = 'CdmError';
    this.errorName = errorName;
    this.warnings = warnings;
  }
}
