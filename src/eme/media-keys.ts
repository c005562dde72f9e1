// MediaKeys (EME §5): a CDM instance and the sessions it creates.

import type { Cdm, KeySystemCapabilities } from '../cdm/cdm.js';
import { HDCP_VERSIONS } from '../cdm/hdcp-versions.js';
import { viewOfBufferSource } from '../webidl/buffer-source.js';
import { dictionarySource, readMember, requireArguments, toDOMString, toEnum } from '../webidl/conversions.js';
import { domException, typeError } from '../webidl/errors.js';
import { WebIDLInterface } from '../webidl/interface.js';
import { PlatformObject } from '../webidl/platform-object.js';
import type { Realm } from '../webidl/realm.js';
import { queueTask } from '../webidl/tasks.js';
import type { BufferSourceInput } from './buffer-types.js';
import { MEDIA_KEY_SESSION_TYPES, type MediaKeySessionTypeValue, type MediaKeyStatusValue } from './enums.js';
import { toSpecException } from './exceptions.js';
import { MediaKeySession } from './media-key-session.js';
import type { SessionRegistry } from './session-registry.js';
import { describeValue, traced, type Tracer, type TraceWho } from './trace.js';

export interface MediaKeysPolicy {
  minHdcpVersion?: string;
}

export interface MediaKeysInit {
  readonly realm: Realm;
  readonly cdm: Cdm;
  readonly capabilities: KeySystemCapabilities;
  readonly supportedSessionTypes: readonly string[];
  readonly persistentStateAllowed: boolean;
  readonly useDistinctiveIdentifier: boolean;
  readonly registry: SessionRegistry;
  readonly tracer: Tracer | undefined;
}

/** Internal access for the media-element side and decryption: not part of the public API. */
export let mediaKeysInternals: (mediaKeys: MediaKeys) => {
  readonly cdm: Cdm;
  /** Media elements' "attempt to resume playback" callbacks, run when any session's keys change. */
  readonly keysChangedListeners: Set<() => void>;
  /** This object's name in the EME trace ('keys 2'), '' when not tracing. */
  readonly traceName: string;
};

export class MediaKeys extends PlatformObject {
  readonly #init: MediaKeysInit;
  readonly #keysChangedListeners = new Set<() => void>();
  /**
   * The sessions created here that are not closed. A session SHALL NOT be destroyed while it is not closed and
   * this object remains accessible (EME §6), even when the page keeps no reference to it: hold it until closed.
   */
  readonly #openSessions = new Set<MediaKeySession>();

  static {
    mediaKeysInternals = (mediaKeys) => {
      if (!MediaKeysInterface.implementedBy(mediaKeys)) throw new TypeError('not a MediaKeys');
      return { cdm: mediaKeys.#init.cdm, keysChangedListeners: mediaKeys.#keysChangedListeners, traceName: mediaKeys.#traceName };
    };
  }

  readonly #traceName: string;
  readonly #traceWho: TraceWho;

  constructor(init: MediaKeysInit) {
    super(init.realm.create(MediaKeysInterface));
    this.#init = init;
    const target = (this.#traceName = init.tracer?.name('keys') ?? '');
    this.#traceWho = () => ({ target });
  }

  createSession(sessionType?: MediaKeySessionTypeValue): MediaKeySession {
    const tracer = this.#init.tracer;
    if (!tracer) return this.#createSession(sessionType, undefined);
    const name = tracer.name('session');
    const args = { sessionType: describeValue(sessionType ?? 'temporary') };
    return tracer.callSync(this.#traceWho, 'createSession', args, () => this.#createSession(sessionType, name), () => () => ({ target: name }));
  }

  #createSession(sessionType: MediaKeySessionTypeValue | undefined, traceName: string | undefined): MediaKeySession {
    const type: MediaKeySessionTypeValue =
      sessionType === undefined
        ? 'temporary'
        : toEnum(sessionType, MEDIA_KEY_SESSION_TYPES, "Failed to execute 'createSession' on 'MediaKeys': sessionType");
    // 1. If this object's supported session types value does not contain sessionType, throw a NotSupportedError.
    if (!this.#init.supportedSessionTypes.includes(type)) {
      throw domException(this.#init.realm, 'NotSupportedError', `Session type '${type}' is not supported by this MediaKeys' configuration.`);
    }
    // 2. A CDM that cannot create sessions in its current state (e.g. after a crash) throws an InvalidStateError.
    // 3–4. A new session with its initial values (sessionId "", expiration NaN, empty key statuses).
    const listeners = this.#keysChangedListeners;
    return new MediaKeySession({
      realm: this.#init.realm,
      sessionType: type,
      createCdmSession: (client) => {
        try {
          return this.#init.cdm.createSession(type, client);
        } catch (error) {
          throw toSpecException(this.#init.realm, error);
        }
      },
      supportsInitDataType: (t) => this.#init.capabilities.supportsInitDataType(t),
      registry: this.#init.registry,
      openSessions: this.#openSessions,
      keysChangedListener: () => (listeners.size === 0 ? undefined : () => listeners.forEach((resume) => resume())),
      trace: this.#init.tracer && traceName !== undefined ? { tracer: this.#init.tracer, name: traceName } : undefined,
    });
  }

  getStatusForPolicy(policy?: MediaKeysPolicy): Promise<MediaKeyStatusValue> {
    const steps = () => this.#getStatusForPolicy(policy);
    return traced(this.#init.tracer, this.#traceWho, 'getStatusForPolicy', () => ({ policy: describeValue(policy) }), steps, (status) => status);
  }

  #getStatusForPolicy(policy: MediaKeysPolicy | undefined): Promise<MediaKeyStatusValue> {
    const context = "Failed to execute 'getStatusForPolicy' on 'MediaKeys'";
    const source = dictionarySource(policy, `${context}: policy`);
    const hdcp = readMember(source, 'minHdcpVersion');
    const converted: MediaKeysPolicy = {};
    if (hdcp !== undefined) converted.minHdcpVersion = toDOMString(hdcp, `${context}: minHdcpVersion`);
    // 1. If policy has no present dictionary members, reject with a TypeError.
    if (converted.minHdcpVersion === undefined) throw typeError(this.#init.realm, `${context}: the policy has no members.`);
    // 3.1. A value of the wrong kind is a TypeError: a version not in the HDCP version registry (as Chromium does;
    //      the empty string means no requirement).
    if (converted.minHdcpVersion !== '' && !HDCP_VERSIONS.has(converted.minHdcpVersion)) {
      throw typeError(this.#init.realm, `${context}: '${converted.minHdcpVersion}' is not an HDCP version from the registry.`);
    }
    // 2. Let promise be a new promise. 3. Queue a task to ask the CDM.
    return new this.#init.realm.intrinsics.Promise((resolve, reject) => {
      queueTask(() => {
        this.#init.cdm.getStatusForPolicy(converted).then(
          (status) => queueTask(() => resolve(status)),
          (error: unknown) => queueTask(() => reject(toSpecException(this.#init.realm, error))),
        );
      });
    });
  }

  setServerCertificate(serverCertificate: BufferSourceInput): Promise<boolean> {
    const argumentCount = arguments.length;
    const steps = () => this.#setServerCertificate(argumentCount, serverCertificate);
    const args = () => ({ serverCertificate: describeValue(serverCertificate) });
    return traced(this.#init.tracer, this.#traceWho, 'setServerCertificate', args, steps, (set) => set);
  }

  #setServerCertificate(argumentCount: number, serverCertificate: BufferSourceInput): Promise<boolean> {
    const context = "Failed to execute 'setServerCertificate' on 'MediaKeys'";
    requireArguments(argumentCount, 1, context);
    const certificate = viewOfBufferSource(serverCertificate, `${context}: serverCertificate`);
    // 2. An empty certificate is a TypeError. Checked before step 1, as Chromium does, so the error does not
    //    depend on the key system.
    if (certificate.length === 0) throw typeError(this.#init.realm, `${context}: the serverCertificate parameter is empty.`);
    // 1. Key systems without server certificates resolve false.
    const setCertificate = this.#init.cdm.setServerCertificate;
    if (!setCertificate) return this.#init.realm.intrinsics.Promise.resolve(false);
    // 3. Let certificate be a copy of the bytes. 5. In parallel, let the CDM process it.
    const copy = certificate.slice();
    return new this.#init.realm.intrinsics.Promise((resolve, reject) => {
      setCertificate.call(this.#init.cdm, copy).then(
        () => queueTask(() => resolve(true)),
        (error: unknown) => queueTask(() => reject(toSpecException(this.#init.realm, error))),
      );
    });
  }
}

/** Whether value is a MediaKeys, of any realm (setMediaKeys' argument conversion). */
export function isMediaKeys(value: unknown): value is MediaKeys {
  return MediaKeysInterface.implementedBy(value);
}

export const MediaKeysInterface: WebIDLInterface<MediaKeys> = WebIDLInterface.define({
  name: 'MediaKeys',
  implementation: MediaKeys,
  operations: [
    { name: 'createSession', length: 0 },
    { name: 'getStatusForPolicy', length: 0, promise: true },
    { name: 'setServerCertificate', length: 1, promise: true },
  ],
});
