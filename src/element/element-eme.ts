// The EME extensions of HTMLMediaElement (EME §7) as state and algorithms, for any media element: the mediaKeys
// attribute and setMediaKeys(), Initialization Data Encountered, Attempt to Decrypt's key lookup, Wait for Key and
// Attempt to Resume Playback If Necessary. EncryptedMediaElement and emekit/dom's HTMLMediaElement both run on
// this one implementation; they differ only in the events they fire and in what "playback" is.

import { isMediaKeys, mediaKeysInternals, type MediaKeys } from '../eme/media-keys.js';
import { domException, rejectedPromise, typeError } from '../webidl/errors.js';
import { defaultRealm, type Realm } from '../webidl/realm.js';
import { queueTask } from '../webidl/tasks.js';

/** What the element that owns an ElementEme provides. */
export interface ElementEmeHost {
  /** Dispatches an encrypted event (MediaEncryptedEvent, not bubbling, not cancelable) at the element. */
  fireEncrypted(initDataType: string, initData: ArrayBuffer | null): void;
  /** Dispatches a simple waitingforkey event at the element. */
  fireWaitingForKey(): void;
  /**
   * Whether the element's media uses the CDM (decrypting, or loaded with protected media, also while blocked):
   * then the MediaKeys is kept. The spec leaves this to implementations; Chromium refuses once media is loaded.
   */
  mediaKeysInUse(): boolean;
}

// A CDM instance serves one media element at a time, as in Chromium (setMediaKeys step 5.1: QuotaExceededError).
const elementUsing = new WeakMap<MediaKeys, ElementEme>();

export class ElementEme {
  #mediaKeys: MediaKeys | null = null;
  #attachingMediaKeys = false;
  #playbackBlockedWaitingForKey = false;
  /** The key ID of the first block of the encrypted block queue while blocked; null while waiting for a MediaKeys. */
  #blockedOn: Uint8Array | null = null;
  /** Called by Attempt to Resume Playback If Necessary once the element can advance again. */
  readonly resumeWaiters = new Set<() => void>();
  readonly #keysChanged = () => this.attemptToResume();

  /** @param realm where its errors come from: the element's window (Node's global by default) */
  constructor(
    private readonly host: ElementEmeHost,
    private readonly realm: Realm = defaultRealm(),
  ) {}

  get mediaKeys(): MediaKeys | null {
    return this.#mediaKeys;
  }

  /** Whether the element is a blocked media element for want of a key (or of a MediaKeys). */
  get playbackBlockedWaitingForKey(): boolean {
    return this.#playbackBlockedWaitingForKey;
  }

  /** setMediaKeys() after the binding's checks: `interfaceName` words the TypeError as the caller's interface. */
  setMediaKeys(args: number, mediaKeys: unknown, interfaceName = 'HTMLMediaElement'): Promise<undefined> {
    try {
      const context = `Failed to execute 'setMediaKeys' on '${interfaceName}'`;
      if (args < 1) throw typeError(this.realm, `${context}: 1 argument required, but only 0 present`);
      if (mediaKeys !== null && !isMediaKeys(mediaKeys)) throw typeError(this.realm, `${context}: parameter 1 is not of type 'MediaKeys'.`);
      return this.#setMediaKeys(mediaKeys);
    } catch (error) {
      return rejectedPromise(this.realm, error);
    }
  }

  #setMediaKeys(mediaKeys: MediaKeys | null): Promise<undefined> {
    // 1. If this object's attaching media keys value is true, reject with an InvalidStateError.
    if (this.#attachingMediaKeys) throw domException(this.realm, 'InvalidStateError', 'Another setMediaKeys() call is in progress.');
    // 2. The same object: resolve.
    if (mediaKeys === this.#mediaKeys) return this.realm.intrinsics.Promise.resolve(undefined);
    // 3. Let this object's attaching media keys value be true.
    this.#attachingMediaKeys = true;
    // 4. Let promise be a new promise.
    return new this.realm.intrinsics.Promise<undefined>((resolve, reject) => {
      const fail = (error: DOMException) =>
        queueTask(() => {
          this.#attachingMediaKeys = false;
          reject(error);
        });
      // 5. In parallel:
      queueMicrotask(() => {
        // 5.1. The CDM instance is in use by another media element: QuotaExceededError.
        const owner = mediaKeys ? elementUsing.get(mediaKeys) : undefined;
        if (mediaKeys && owner && owner !== this) {
          fail(domException(this.realm, 'QuotaExceededError', 'The MediaKeys object is already in use by another media element.'));
          return;
        }
        // 5.2. Removing the current association: not while media uses it, even while it waits for a key (the spec
        //      leaves this to implementations; Chromium refuses once media is loaded, blocked or not).
        if (this.#mediaKeys !== null) {
          if (this.host.mediaKeysInUse()) {
            fail(domException(this.realm, 'InvalidStateError', 'The MediaKeys cannot be removed while media is being decrypted.'));
            return;
          }
          mediaKeysInternals(this.#mediaKeys).keysChangedListeners.delete(this.#keysChanged);
          elementUsing.delete(this.#mediaKeys);
        }
        // 5.3. Associate the new CDM instance.
        if (mediaKeys) {
          elementUsing.set(mediaKeys, this);
          mediaKeysInternals(mediaKeys).keysChangedListeners.add(this.#keysChanged);
        }
        // 5.4. Queue a task: set the attribute, resolve, attempt to resume playback.
        queueTask(() => {
          this.#mediaKeys = mediaKeys;
          this.#attachingMediaKeys = false;
          resolve(undefined);
          if (mediaKeys) this.attemptToResume();
        });
      });
    });
  }

  /** Initialization Data Encountered (EME §7.3.2): queue a task to fire encrypted. Media here is same-origin. */
  initDataEncountered(initDataType: string, initData: ArrayBuffer): void {
    queueTask(() => this.host.fireEncrypted(initDataType, initData));
  }

  /** Attempt to Decrypt's lookup: a key usable for decryption from any session of the current MediaKeys. */
  keyFor(keyId: Uint8Array): Uint8Array | undefined {
    return this.#mediaKeys ? mediaKeysInternals(this.#mediaKeys).cdm.keyFor(keyId) : undefined;
  }

  /**
   * Wait for Key (EME §7.3.5) for a block whose key (`keyId`) is missing, or, with null, Media Data May Contain
   * Encrypted Blocks while no MediaKeys is set. Does nothing more when the element is blocked already; else
   * waitingforkey is queued and `lowerReadyState` sets the element's readyState (step 4). The caller suspends
   * playback until a resume waiter runs.
   */
  waitForKey(keyId: Uint8Array | null, lowerReadyState?: () => void): void {
    this.#blockedOn = keyId;
    if (this.#playbackBlockedWaitingForKey) return;
    this.#playbackBlockedWaitingForKey = true;
    // Step 5's task is queued before the readyState change's media element tasks (timeupdate, waiting): the two task
    // sources are unordered, browsers deliver waitingforkey first and WPT's multikey-sequential page relies on it.
    queueTask(() => this.host.fireWaitingForKey());
    lowerReadyState?.();
  }

  /**
   * Attempt to Resume Playback If Necessary (EME §7.3.6): run when any session's keys change and after
   * setMediaKeys(). The element resumes only if it can advance: the blocking key is usable now (or, blocked for
   * want of a MediaKeys, one is set).
   */
  attemptToResume(): void {
    if (!this.#playbackBlockedWaitingForKey) return;
    const blockedOn = this.#blockedOn;
    if (blockedOn ? this.keyFor(blockedOn) === undefined : this.#mediaKeys === null) return;
    this.unblock();
    for (const wake of [...this.resumeWaiters]) wake();
  }

  /**
   * Clears the blocked state without resuming anything: for a position change other than normal playback (load,
   * seek), and when the element stops using the media.
   */
  unblock(): void {
    this.#playbackBlockedWaitingForKey = false;
    this.#blockedOn = null;
  }
}
