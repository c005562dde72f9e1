// MediaKeySession (EME §6): the session state machine and the spec's algorithms, step by step.
// States: uninitialized → callable (after generateRequest/load) → closing → closed. Every method that returns a
// promise reports every error, WebIDL conversion errors included, as a rejection.

import type { CdmSession, CdmSessionClient, CdmSessionResult, KeyStatusEntry } from '../cdm/cdm.js';
import { sanitizeInitData } from '../initdata/sanitize.js';
import { toArrayBuffer, viewOfBufferSource } from '../webidl/buffer-source.js';
import { requireArguments, toDOMString } from '../webidl/conversions.js';
import { domException, rejectedPromise, typeError } from '../webidl/errors.js';
import { WebIDLInterface } from '../webidl/interface.js';
import { PlatformObject } from '../webidl/platform-object.js';
import type { Realm } from '../webidl/realm.js';
import { queueTask, reportBug } from '../webidl/tasks.js';
import type { BufferSourceInput } from './buffer-types.js';
import {
  isPersistentSessionType,
  type MediaKeyMessageTypeValue,
  type MediaKeySessionClosedReasonValue,
  type MediaKeySessionTypeValue,
} from './enums.js';
import { messageEvent, simpleEvent } from './events.js';
import { toSpecException } from './exceptions.js';
import { MediaKeyStatusMap, replaceKeyStatuses } from './media-key-status-map.js';
import type { SessionRegistry } from './session-registry.js';
import type { MediaKeyMessageEventLike, MediaKeySessionLike } from './interfaces.js';
import { describeBytes, describeKeyStatuses, describeResponse, describeValue, traced, warningsOf, type Tracer, type TraceWho } from './trace.js';

/** What MediaKeys.createSession() hands a new session: the spec's internal values. */
export interface SessionInit {
  readonly realm: Realm;
  readonly sessionType: MediaKeySessionTypeValue;
  /** The CDM's key session, reporting what it does on its own to `client`. */
  readonly createCdmSession: (client: CdmSessionClient) => CdmSession;
  readonly supportsInitDataType: (initDataType: string) => boolean;
  readonly registry: SessionRegistry;
  /** Its MediaKeys' sessions that are not closed: the session is in it from creation until Session Closed. */
  readonly openSessions: Set<MediaKeySession>;
  /**
   * "Attempt to Resume Playback If Necessary" for the media elements using the session's MediaKeys; undefined
   * while no element uses them.
   */
  readonly keysChangedListener: () => (() => void) | undefined;
  /** The EME trace and this session's name in it, when tracing. */
  readonly trace: { readonly tracer: Tracer; readonly name: string } | undefined;
}

// Sanitized session IDs: "not longer than tens of characters and alphanumeric" (EME load() step 8.1).
const VALID_SESSION_ID = /^[A-Za-z0-9]{1,64}$/;

type MessageHandler = ((this: MediaKeySessionLike, ev: MediaKeyMessageEventLike) => any) | null;
type EventHandlerValue = ((this: MediaKeySessionLike, ev: Event) => any) | null;

/** onmessage and onkeystatuseschange: event handler attributes the interface's shape gives it (webidl). */
export interface MediaKeySession extends EventTarget {
  onmessage: MessageHandler;
  onkeystatuseschange: EventHandlerValue;
}
export class MediaKeySession extends PlatformObject {
  readonly #init: SessionInit;
  readonly #cdmSession: CdmSession;
  #sessionId = '';
  #expiration = NaN;
  readonly #closed: Promise<MediaKeySessionClosedReasonValue>;
  #resolveClosed!: (reason: MediaKeySessionClosedReasonValue) => void;
  #closedResolved = false;
  readonly #keyStatuses: MediaKeyStatusMap;
  #uninitialized = true;
  #callable = false;
  #closingOrClosed = false;
  /** The CDM handles one operation of a session at a time, in call order. */
  #cdmQueue: Promise<unknown> = Promise.resolve();

  constructor(init: SessionInit) {
    super(init.realm.create(MediaKeySessionInterface));
    this.#init = init;
    this.#cdmSession = init.createCdmSession(MediaKeySession.#clientFor(this));
    this.#keyStatuses = new MediaKeyStatusMap(init.realm);
    this.#closed = new init.realm.intrinsics.Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    init.openSessions.add(this);
  }

  /** The realm of the session's global: its promises, errors and events are that global's (webidl/errors.ts). */
  get #realm(): Realm {
    return this.#init.realm;
  }

  get sessionId(): string {
    return this.#sessionId;
  }

  get expiration(): number {
    return this.#expiration;
  }

  get closed(): Promise<MediaKeySessionClosedReasonValue> {
    return this.#closed;
  }

  get keyStatuses(): MediaKeyStatusMap {
    return this.#keyStatuses;
  }

  generateRequest(initDataType: string, initData: BufferSourceInput): Promise<undefined> {
    const argumentCount = arguments.length;
    const args = () => ({ initDataType: describeValue(initDataType), initData: describeValue(initData) });
    return this.#traced('generateRequest', args, () => this.#generateRequestSteps(argumentCount, initDataType, initData));
  }

  #generateRequestSteps(argumentCount: number, initDataType: string, initData: BufferSourceInput): Promise<undefined> {
    try {
      const context = "Failed to execute 'generateRequest' on 'MediaKeySession'";
      requireArguments(argumentCount, 2, context);
      const type = toDOMString(initDataType, `${context}: initDataType`);
      const data = viewOfBufferSource(initData, `${context}: initData`);
      return this.#generateRequest(type, data);
    } catch (error) {
      return rejectedPromise(this.#realm, error);
    }
  }

  #generateRequest(initDataType: string, initData: Uint8Array): Promise<undefined> {
    // 1. If this object's closing or closed value is true, reject with an InvalidStateError.
    if (this.#closingOrClosed) throw domException(this.#realm, 'InvalidStateError', 'The session is closed.');
    // 2. If this object's uninitialized value is false, reject with an InvalidStateError.
    if (!this.#uninitialized) throw domException(this.#realm, 'InvalidStateError', 'The session has already been used.');
    // 3. Let this object's uninitialized value be false.
    this.#uninitialized = false;
    // 4. If initDataType is the empty string, reject with a TypeError.
    if (initDataType === '') throw typeError(this.#realm, 'The initDataType parameter is empty.');
    // 5. If initData is empty, reject with a TypeError.
    if (initData.length === 0) throw typeError(this.#realm, 'The initData parameter is empty.');
    // 6. If the key system does not support initDataType, reject with a NotSupportedError.
    if (!this.#init.supportsInitDataType(initDataType)) {
      throw domException(this.#realm, 'NotSupportedError', `The initialization data type '${initDataType}' is not supported by the key system.`);
    }
    // 7. Let init data be a copy of the bytes held by initData.
    const initDataCopy = initData.slice();
    // 9. Let promise be a new promise.
    return new this.#realm.intrinsics.Promise((resolve, reject) => {
      // 10. Run the following steps in parallel.
      this.#runCdm(async () => {
        let result: CdmSessionResult;
        try {
          // 10.1–10.3. Validate and sanitize the init data (TypeError when invalid).
          const sanitized = sanitizeInitData(initDataType, initDataCopy);
          // 10.4. If sanitized init data is empty, reject with a NotSupportedError.
          if (sanitized.length === 0) throw domException(this.#realm, 'NotSupportedError', 'The initialization data holds nothing usable.');
          // 10.5–10.9. Use the CDM to generate a license request (and a session ID).
          result = await this.#cdmSession.generateRequest(initDataType, sanitized);
        } catch (error) {
          // 10.10.1–2. Reject in a task.
          queueTask(() => reject(toSpecException(this.#realm, error)));
          return;
        }
        // 10.10. Queue a task to run the remaining steps.
        queueTask(() => {
          // 10.10.3. Set the sessionId attribute to session id.
          this.#sessionId = this.#cdmSession.sessionId;
          this.#init.registry.add(this, this.#sessionId, this.#cdmSession);
          // 10.10.4. Set this object's callable value to true.
          this.#callable = true;
          // 10.10.5. Resolve promise.
          resolve(undefined);
          // 10.10.6. Run the Queue a "message" Event algorithm.
          if (result.message) this.#queueMessage(result.message.type, result.message.data);
        });
      });
    });
  }

  load(sessionId: string): Promise<boolean> {
    const argumentCount = arguments.length;
    return this.#traced('load', () => ({ sessionId: describeValue(sessionId) }), () => this.#loadSteps(argumentCount, sessionId));
  }

  #loadSteps(argumentCount: number, sessionId: string): Promise<boolean> {
    try {
      const context = "Failed to execute 'load' on 'MediaKeySession'";
      requireArguments(argumentCount, 1, context);
      return this.#load(toDOMString(sessionId, `${context}: sessionId`));
    } catch (error) {
      return rejectedPromise(this.#realm, error);
    }
  }

  #load(sessionId: string): Promise<boolean> {
    // 1. Closing or closed: InvalidStateError.
    if (this.#closingOrClosed) throw domException(this.#realm, 'InvalidStateError', 'The session is closed.');
    // 2. Uninitialized value false: InvalidStateError.
    if (!this.#uninitialized) throw domException(this.#realm, 'InvalidStateError', 'The session has already been used.');
    // 3. Let this object's uninitialized value be false.
    this.#uninitialized = false;
    // 4. If sessionId is the empty string, reject with a TypeError.
    if (sessionId === '') throw typeError(this.#realm, 'The sessionId parameter is empty.');
    // 5. Only persistent session types can be loaded.
    if (!isPersistentSessionType(this.#init.sessionType)) {
      throw typeError(this.#realm, `A '${this.#init.sessionType}' session cannot load a stored session.`);
    }
    // 7. Let promise be a new promise.
    return new this.#realm.intrinsics.Promise((resolve, reject) => {
      // 8. Run the following steps in parallel.
      this.#runCdm(async () => {
        let result: CdmSessionResult | undefined;
        try {
          // 8.1–8.2. Validate the session ID.
          if (!VALID_SESSION_ID.test(sessionId)) throw typeError(this.#realm, 'The sessionId parameter is not a valid session ID.');
          // 8.3. A non-closed session with this ID in this Document: QuotaExceededError.
          if (this.#init.registry.hasOpen(sessionId)) {
            throw domException(this.#realm, 'QuotaExceededError', `A session with ID ${sessionId} is already open.`);
          }
          // 8.4–8.8. Use the CDM to load the stored session (undefined: nothing stored).
          result = await this.#cdmSession.load(sessionId);
        } catch (error) {
          queueTask(() => reject(toSpecException(this.#realm, error)));
          return;
        }
        if (result === undefined) {
          // 8.8.1. No data stored for the session ID: resolve with false.
          queueTask(() => resolve(false));
          return;
        }
        const loaded = result;
        // 8.9. Queue a task to run the remaining steps.
        queueTask(() => {
          // 8.9.2. Set the sessionId attribute.
          this.#sessionId = sessionId;
          this.#init.registry.add(this, sessionId, this.#cdmSession);
          // 8.9.3. Let this object's callable value be true.
          this.#callable = true;
          // 8.9.4. If the loaded session knows keys, run the Update Key Statuses algorithm.
          if (loaded.keyStatuses && loaded.keyStatuses.length > 0) this.#updateKeyStatuses(loaded.keyStatuses);
          // 8.9.5. Run the Update Expiration algorithm.
          this.#updateExpiration(loaded.expiration ?? NaN);
          // 8.9.6. Resolve promise with true.
          resolve(true);
          // 8.9.7. Queue a message if one needs to be sent.
          if (loaded.message) this.#queueMessage(loaded.message.type, loaded.message.data);
        });
      });
    });
  }

  update(response: BufferSourceInput): Promise<undefined> {
    const argumentCount = arguments.length;
    return this.#traced('update', () => ({ response: describeResponseValue(response) }), () => this.#updateSteps(argumentCount, response));
  }

  #updateSteps(argumentCount: number, response: BufferSourceInput): Promise<undefined> {
    try {
      const context = "Failed to execute 'update' on 'MediaKeySession'";
      requireArguments(argumentCount, 1, context);
      return this.#update(viewOfBufferSource(response, `${context}: response`));
    } catch (error) {
      return rejectedPromise(this.#realm, error);
    }
  }

  #update(response: Uint8Array): Promise<undefined> {
    // 1. Closing or closed: InvalidStateError.
    if (this.#closingOrClosed) throw domException(this.#realm, 'InvalidStateError', 'The session is closed.');
    // 2. Not callable: InvalidStateError.
    if (!this.#callable) throw domException(this.#realm, 'InvalidStateError', 'The session is not yet initialized.');
    // 3. If response is empty, reject with a TypeError.
    if (response.length === 0) throw typeError(this.#realm, 'The response parameter is empty.');
    // 4. Let response copy be a copy of the bytes held by response.
    const responseCopy = response.slice();
    // 5. Let promise be a new promise.
    return new this.#realm.intrinsics.Promise((resolve, reject) => {
      // 6. Run the following steps in parallel.
      this.#runCdm(async () => {
        let result: CdmSessionResult;
        try {
          // 6.1–6.7. The CDM validates the response (TypeError when invalid) and processes it.
          result = await this.#cdmSession.update(responseCopy);
        } catch (error) {
          this.#traceWarnings(warningsOf(error));
          queueTask(() => reject(toSpecException(this.#realm, error)));
          return;
        }
        this.#traceWarnings(warningsOf(result));
        // 6.8. Queue a task to run the remaining steps.
        queueTask(() => {
          if (result.closed) {
            // 6.8.1. Session closed: run the Session Closed algorithm with the CDM's reason.
            this.#sessionClosed(result.closed);
          } else {
            // 6.8.2.1. The known keys or their statuses changed: run the Update Key Statuses algorithm.
            if (result.keyStatuses) this.#updateKeyStatuses(result.keyStatuses);
            // 6.8.2.2. The expiration time changed: run the Update Expiration algorithm.
            if (result.expiration !== undefined) this.#updateExpiration(result.expiration);
          }
          // 6.8.4. Queue a message if one needs to be sent.
          if (result.message) this.#queueMessage(result.message.type, result.message.data);
          // 6.8.5. Resolve promise.
          resolve(undefined);
        });
      });
    });
  }

  close(): Promise<undefined> {
    return this.#traced('close', () => ({}), () => {
      try {
        return this.#close();
      } catch (error) {
        return rejectedPromise(this.#realm, error);
      }
    });
  }

  #close(): Promise<undefined> {
    // 1. Closing or closed already: resolve.
    if (this.#closingOrClosed) return this.#realm.intrinsics.Promise.resolve(undefined);
    // 2. Not callable: InvalidStateError.
    if (!this.#callable) throw domException(this.#realm, 'InvalidStateError', 'The session is not yet initialized.');
    // 4. Set this object's closing or closed value to true.
    this.#closingOrClosed = true;
    // 3. Let promise be a new promise.
    return new this.#realm.intrinsics.Promise((resolve) => {
      // 5. In parallel: use the CDM to close the key session.
      this.#runCdm(async () => {
        try {
          await this.#cdmSession.close();
        } catch {
          // Closing is best-effort in the CDM; the session is closed from the page's view regardless.
        }
        // 5.3. Queue a task: resolve promise, then run the Session Closed algorithm.
        queueTask(() => {
          resolve(undefined);
          this.#sessionClosed('closed-by-application');
        });
      });
    });
  }

  remove(): Promise<undefined> {
    return this.#traced('remove', () => ({}), () => {
      try {
        return this.#remove();
      } catch (error) {
        return rejectedPromise(this.#realm, error);
      }
    });
  }

  #remove(): Promise<undefined> {
    // 1. Closing or closed: InvalidStateError.
    if (this.#closingOrClosed) throw domException(this.#realm, 'InvalidStateError', 'The session is closed.');
    // 2. Not callable: InvalidStateError.
    if (!this.#callable) throw domException(this.#realm, 'InvalidStateError', 'The session is not yet initialized.');
    // 3. Let promise be a new promise.
    return new this.#realm.intrinsics.Promise((resolve, reject) => {
      // 4. Run the following steps in parallel.
      this.#runCdm(async () => {
        let result: CdmSessionResult;
        try {
          // 4.1–4.4. The CDM destroys the keys and, for persistent sessions, stores a record of license destruction.
          result = await this.#cdmSession.remove();
        } catch (error) {
          queueTask(() => reject(toSpecException(this.#realm, error)));
          return;
        }
        // 4.5. Queue a task to run the remaining steps.
        queueTask(() => {
          // 4.5.1. Run the Update Key Statuses algorithm (every key "released").
          this.#updateKeyStatuses(result.keyStatuses ?? []);
          // 4.5.2. Run the Update Expiration algorithm with NaN.
          this.#updateExpiration(NaN);
          // 4.5.5. Resolve promise.
          resolve(undefined);
          // 4.5.6. Queue the license-release message, if any.
          if (result.message) this.#queueMessage(result.message.type, result.message.data);
        });
      });
    });
  }

  /** "Run the following steps in parallel", one CDM operation at a time per session. */
  #runCdm(steps: () => Promise<void>): void {
    // Steps catch their own failures; chaining on the previous operation starts them after the calling task's
    // synchronous part, which is all "in parallel" needs here.
    this.#cdmQueue = this.#cdmQueue.then(steps).catch(reportBug);
  }

  /**
   * What the CDM does on its own, as the Monitor for CDM State Changes algorithm (EME §6.6.5) detects it. The client
   * holds the session weakly: a session that is closed, or inaccessible with its MediaKeys, receives no more events
   * (EME §6), and the CDM session (held by the registry until then) must not keep it alive.
   */
  static #clientFor(session: MediaKeySession): CdmSessionClient {
    const ref = new WeakRef(session);
    const monitor = (steps: (open: MediaKeySession) => void) => {
      const target = ref.deref();
      if (target) target.#monitor(steps);
    };
    return {
      message: (type, data) => {
        const copy = data.slice();
        monitor((open) => open.#queueMessage(type, copy));
      },
      keyStatusesChanged: (statuses) => {
        const copy = statuses.map(({ keyId, status }) => ({ keyId: keyId.slice(), status }));
        monitor((open) => open.#updateKeyStatuses(copy));
      },
      expirationChanged: (expiration) => monitor((open) => open.#updateExpiration(expiration)),
      closed: (reason) => monitor((open) => open.#sessionClosed(reason)),
    };
  }

  /**
   * Monitor for CDM State Changes: runs in parallel to the event loop but not in parallel to the session's other
   * in-parallel steps (so after any operation in progress has queued its task), then queues a task that runs the
   * algorithm, unless the session has been closed by then (no events are queued after Session Closed).
   */
  #monitor(steps: (open: MediaKeySession) => void): void {
    if (this.#closedResolved) return;
    this.#runCdm(async () => {
      queueTask(() => {
        if (!this.#closedResolved) steps(this);
      });
    });
  }

  /** Queue a "message" Event (EME §6.6.1). */
  #queueMessage(messageType: MediaKeyMessageTypeValue, message: Uint8Array): void {
    queueTask(() => {
      this.#traceEvent('message', () => ({ messageType, message: describeBytes(message) }));
      this.dispatchEvent(messageEvent(this.#realm, messageType, toArrayBuffer(message)));
    });
  }

  /** Update Key Statuses (EME §6.6.2): replace the map atomically, then queue keystatuseschange. */
  #updateKeyStatuses(statuses: readonly KeyStatusEntry[]): void {
    replaceKeyStatuses(this.#keyStatuses, statuses);
    queueTask(() => {
      this.#traceEvent('keystatuseschange', () => ({ keyStatuses: describeKeyStatuses(this.#keyStatuses) }));
      this.dispatchEvent(simpleEvent(this.#realm, 'keystatuseschange'));
    });
    // 5. Queue a task to attempt to resume playback on media elements using this session's MediaKeys.
    const resume = this.#init.keysChangedListener();
    if (resume) queueTask(resume);
  }

  /** Update Expiration (EME §6.6.3). */
  #updateExpiration(expiration: number): void {
    const previous = this.#expiration;
    this.#expiration = Number.isNaN(expiration) ? NaN : expiration;
    // Not an event: the attribute changed (null: NaN).
    if (!Object.is(previous, this.#expiration)) this.#traceEvent('expiration', () => ({ expiration: Number.isNaN(expiration) ? null : expiration }));
  }

  /** Session Closed (EME §6.6.4). */
  #sessionClosed(reason: MediaKeySessionClosedReasonValue): void {
    // 2–3. If the closed promise is already resolved, abort.
    if (this.#closedResolved) return;
    // 4. Set the session's closing or closed value to true.
    this.#closingOrClosed = true;
    // 5. Run the Update Key Statuses algorithm with an empty sequence.
    this.#updateKeyStatuses([]);
    // 6. Run the Update Expiration algorithm with NaN.
    this.#updateExpiration(NaN);
    // 7. Resolve the closed promise with the reason.
    this.#closedResolved = true;
    this.#init.registry.delete(this, this.#sessionId);
    this.#init.openSessions.delete(this);
    this.#resolveClosed(reason);
    this.#traceEvent('closed', () => ({ reason }));
  }

  /** A promise operation recorded in the EME trace, when tracing. */
  #traced<T>(method: string, args: () => Record<string, unknown>, steps: () => Promise<T>): Promise<T> {
    return traced(this.#init.trace?.tracer, this.#traceWho, method, args, steps);
  }

  readonly #traceWho: TraceWho = () => ({ target: this.#init.trace?.name ?? '', sessionId: this.#sessionId });

  #traceEvent(type: string, detail: () => Record<string, unknown>): void {
    this.#init.trace?.tracer.event(this.#traceWho, type, detail());
  }

  #traceWarnings(warnings: readonly string[]): void {
    if (warnings.length > 0) this.#init.trace?.tracer.warnings(this.#traceWho, warnings);
  }
}

export const MediaKeySessionInterface: WebIDLInterface<MediaKeySession> = WebIDLInterface.define({
  name: 'MediaKeySession',
  inherits: 'EventTarget',
  implementation: MediaKeySession,
  attributes: [
    { name: 'sessionId' },
    { name: 'expiration' },
    { name: 'closed', promise: true },
    { name: 'keyStatuses' },
  ],
  operations: [
    { name: 'generateRequest', length: 2, promise: true },
    { name: 'load', length: 1, promise: true },
    { name: 'update', length: 1, promise: true },
    { name: 'close', length: 0, promise: true },
    { name: 'remove', length: 0, promise: true },
  ],
  eventHandlers: ['keystatuseschange', 'message'],
});

/** update()'s response as the trace shows it: JSON with secret members redacted, or only its length. */
function describeResponseValue(response: unknown): unknown {
  if (ArrayBuffer.isView(response)) return describeResponse(new Uint8Array(response.buffer, response.byteOffset, response.byteLength));
  if (response instanceof ArrayBuffer) return describeResponse(new Uint8Array(response));
  return describeValue(response);
}
