// The EME extensions of HTMLMediaElement (EME §7) for runtimes without one: the mediaKeys attribute,
// setMediaKeys(), the encrypted and waitingforkey events, and a media pipeline stand-in, decrypt(), that runs the
// Initialization Data Encountered, Attempt to Decrypt, Wait for Key and Attempt to Resume Playback algorithms
// while it decrypts a file with the attached MediaKeys.

import { MediaEncryptedEvent } from '../eme/events.js';
import { MediaKeys, mediaKeysInternals } from '../eme/media-keys.js';
import { domException, illegalInvocation } from '../webidl/errors.js';
import { getEventHandler, setEventHandler } from '../webidl/event-handler.js';
import { queueTask } from '../webidl/tasks.js';
import { waitForCall } from '../util/wait.js';
import { toArrayBuffer } from '../webidl/buffer-source.js';
import { requireArguments } from '../webidl/conversions.js';
import { decryptMedia as decryptWithKeys, type DecryptReport } from '../media/decrypt.js';
import type { MediaInput, MediaOutput } from '../media/io/io.js';

// A CDM instance serves one media element at a time, as in Chromium (setMediaKeys step 5.1: QuotaExceededError).
const elementUsing = new WeakMap<MediaKeys, EncryptedMediaElement>();

type Handler = ((this: EncryptedMediaElement, ev: Event) => any) | null;
type EncryptedHandler = ((this: EncryptedMediaElement, ev: MediaEncryptedEvent) => any) | null;

export class EncryptedMediaElement extends EventTarget {
  #mediaKeys: MediaKeys | null = null;
  #attachingMediaKeys = false;
  #playbackBlockedWaitingForKey = false;
  #decrypting = false;
  /** Resolvers of a blocked decryption, run by Attempt to Resume Playback If Necessary. */
  readonly #resumeWaiters = new Set<() => void>();
  readonly #resume = () => this.#attemptToResume();

  get mediaKeys(): MediaKeys | null {
    return EncryptedMediaElement.#brand(this, 'mediaKeys').#mediaKeys;
  }

  get onencrypted(): EncryptedHandler {
    return getEventHandler(EncryptedMediaElement.#brand(this, 'onencrypted'), 'encrypted') as EncryptedHandler;
  }

  set onencrypted(value: EncryptedHandler) {
    setEventHandler(EncryptedMediaElement.#brand(this, 'onencrypted'), 'encrypted', value);
  }

  get onwaitingforkey(): Handler {
    return getEventHandler(EncryptedMediaElement.#brand(this, 'onwaitingforkey'), 'waitingforkey') as Handler;
  }

  set onwaitingforkey(value: Handler) {
    setEventHandler(EncryptedMediaElement.#brand(this, 'onwaitingforkey'), 'waitingforkey', value);
  }

  setMediaKeys(mediaKeys: MediaKeys | null): Promise<undefined> {
    try {
      const element = EncryptedMediaElement.#brand(this, 'setMediaKeys');
      requireArguments(arguments.length, 1, "Failed to execute 'setMediaKeys' on 'HTMLMediaElement'");
      if (mediaKeys !== null && !(mediaKeys instanceof MediaKeys)) {
        throw new TypeError("Failed to execute 'setMediaKeys' on 'HTMLMediaElement': parameter 1 is not of type 'MediaKeys'.");
      }
      return element.#setMediaKeys(mediaKeys);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #setMediaKeys(mediaKeys: MediaKeys | null): Promise<undefined> {
    // 1. If this object's attaching media keys value is true, reject with an InvalidStateError.
    if (this.#attachingMediaKeys) throw domException('InvalidStateError', 'Another setMediaKeys() call is in progress.');
    // 2. The same object: resolve.
    if (mediaKeys === this.#mediaKeys) return Promise.resolve(undefined);
    // 3. Let this object's attaching media keys value be true.
    this.#attachingMediaKeys = true;
    // 4. Let promise be a new promise.
    return new Promise((resolve, reject) => {
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
          fail(domException('QuotaExceededError', 'The MediaKeys object is already in use by another media element.'));
          return;
        }
        // 5.2. Removing the current association: not while media is being decrypted, even while it waits for a key
        //      (the spec leaves this to implementations; Chromium refuses once media is loaded, blocked or not).
        if (this.#mediaKeys !== null) {
          if (this.#decrypting) {
            fail(domException('InvalidStateError', 'The MediaKeys cannot be removed while media is being decrypted.'));
            return;
          }
          mediaKeysInternals(this.#mediaKeys).keysChangedListeners.delete(this.#resume);
          elementUsing.delete(this.#mediaKeys);
        }
        // 5.3. Associate the new CDM instance.
        if (mediaKeys) {
          elementUsing.set(mediaKeys, this);
          mediaKeysInternals(mediaKeys).keysChangedListeners.add(this.#resume);
        }
        // 5.4. Queue a task: set the attribute, resolve, attempt to resume playback.
        queueTask(() => {
          this.#mediaKeys = mediaKeys;
          this.#attachingMediaKeys = false;
          resolve(undefined);
          if (mediaKeys) this.#attemptToResume();
        });
      });
    });
  }

  /**
   * Plays the part of the media pipeline: decrypts the file with the attached MediaKeys, firing encrypted for the
   * init data it meets (the moov's pssh boxes, then each moof's) and blocking on missing keys (firing
   * waitingforkey) until a license or setMediaKeys() resumes it. `timeoutMs` bounds each wait; a MediaError
   * 'missing-key' ends it, or an InvalidStateError while no MediaKeys is set.
   */
  async decrypt(input: MediaInput, output: MediaOutput, options: { timeoutMs?: number } = {}): Promise<DecryptReport> {
    const element = EncryptedMediaElement.#brand(this, 'decrypt');
    if (element.#decrypting) throw domException('InvalidStateError', 'This element is already decrypting media.');
    element.#decrypting = true;
    element.#playbackBlockedWaitingForKey = false;
    const timeoutMs = options.timeoutMs ?? 30_000;
    try {
      // One pass over the input, as a media element's resource fetch: a stream can be read only once.
      return await decryptWithKeys(input, output, {
        // Initialization Data Encountered, for each run of pssh boxes as the parser meets it.
        onInitData: ({ initDataType, initData }) => {
          const event = new MediaEncryptedEvent('encrypted', { initDataType, initData: toArrayBuffer(initData) });
          queueTask(() => element.dispatchEvent(event));
        },
        // Media Data May Contain Encrypted Blocks: no MediaKeys yet means waiting for one.
        onProtectedMedia: async () => {
          while (element.#mediaKeys === null) {
            if (!(await element.#waitForKey(timeoutMs))) throw domException('InvalidStateError', 'No MediaKeys was set on the element.');
          }
        },
        // Attempt to Decrypt: a usable key from any session of the current MediaKeys.
        keys: (keyId) => (element.#mediaKeys ? mediaKeysInternals(element.#mediaKeys).cdm.keyFor(keyId) : undefined),
        onMissingKey: async () => ((await element.#waitForKey(timeoutMs)) ? 'retry' : 'abort'),
      });
    } finally {
      element.#decrypting = false;
      element.#playbackBlockedWaitingForKey = false;
    }
  }

  /** Wait for Key (EME §7.3.5), then wait for Attempt to Resume Playback; false on timeout. */
  #waitForKey(timeoutMs: number): Promise<boolean> {
    if (!this.#playbackBlockedWaitingForKey) {
      this.#playbackBlockedWaitingForKey = true;
      queueTask(() => this.dispatchEvent(new Event('waitingforkey')));
    }
    return waitForCall(this.#resumeWaiters, timeoutMs);
  }

  /** Attempt to Resume Playback If Necessary (EME §7.3.6). */
  #attemptToResume(): void {
    if (!this.#playbackBlockedWaitingForKey) return;
    this.#playbackBlockedWaitingForKey = false;
    for (const wake of [...this.#resumeWaiters]) wake();
  }

  get [Symbol.toStringTag](): string {
    return 'EncryptedMediaElement';
  }

  static #brand(value: unknown, member: string): EncryptedMediaElement {
    if (typeof value !== 'object' || value === null || !(#mediaKeys in value)) throw illegalInvocation('HTMLMediaElement', member);
    return value as EncryptedMediaElement;
  }
}
