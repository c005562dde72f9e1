// The EME extensions of HTMLMediaElement (EME §7) for runtimes without one: the mediaKeys attribute,
// setMediaKeys(), the encrypted and waitingforkey events, and a media pipeline stand-in, decrypt(), that runs the
// Initialization Data Encountered, Attempt to Decrypt, Wait for Key and Attempt to Resume Playback algorithms
// (element-eme.ts, shared with emekit/dom's HTMLMediaElement) while it decrypts a file with the attached MediaKeys.

import { encryptedEvent, simpleEvent, type MediaEncryptedEvent } from '../eme/events.js';
import { defaultRealm } from '../webidl/realm.js';
import type { MediaKeys } from '../eme/media-keys.js';
import { ElementEme } from './element-eme.js';
import { domException, illegalInvocation } from '../webidl/errors.js';
import { getEventHandler, setEventHandler } from '../webidl/event-handler.js';
import { waitForCall } from '../util/wait.js';
import { toArrayBuffer } from '../webidl/buffer-source.js';
import { decryptMedia as decryptWithKeys, type DecryptReport } from '../media/decrypt.js';
import type { MediaInput, MediaOutput } from '../media/io/io.js';

type Handler = ((this: EncryptedMediaElement, ev: Event) => any) | null;
type EncryptedHandler = ((this: EncryptedMediaElement, ev: MediaEncryptedEvent) => any) | null;

export class EncryptedMediaElement extends EventTarget {
  #decrypting = false;
  readonly #eme = new ElementEme({
    fireEncrypted: (initDataType, initData) => this.dispatchEvent(encryptedEvent(defaultRealm(), initDataType, initData)),
    fireWaitingForKey: () => this.dispatchEvent(simpleEvent(defaultRealm(), 'waitingforkey')),
    mediaKeysInUse: () => this.#decrypting,
  });

  get mediaKeys(): MediaKeys | null {
    return EncryptedMediaElement.#brand(this, 'mediaKeys').#eme.mediaKeys;
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
      return EncryptedMediaElement.#brand(this, 'setMediaKeys').#eme.setMediaKeys(arguments.length, mediaKeys);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Plays the part of the media pipeline: decrypts the file with the attached MediaKeys, firing encrypted for the
   * init data it meets (the moov's pssh boxes, then each moof's) and blocking on missing keys (firing
   * waitingforkey) until a license or setMediaKeys() resumes it. `timeoutMs` bounds each wait; a MediaError
   * 'missing-key' ends it, or an InvalidStateError while no MediaKeys is set.
   */
  async decrypt(input: MediaInput, output: MediaOutput, options: { timeoutMs?: number } = {}): Promise<DecryptReport> {
    const element = EncryptedMediaElement.#brand(this, 'decrypt');
    if (element.#decrypting) throw domException(defaultRealm(), 'InvalidStateError', 'This element is already decrypting media.');
    const eme = element.#eme;
    element.#decrypting = true;
    eme.unblock();
    const timeoutMs = options.timeoutMs ?? 30_000;
    // Wait for Key, then wait for Attempt to Resume Playback; false on timeout.
    const waitForKey = (keyId: Uint8Array | null) => {
      eme.waitForKey(keyId);
      return waitForCall(eme.resumeWaiters, timeoutMs);
    };
    try {
      // One pass over the input, as a media element's resource fetch: a stream can be read only once.
      return await decryptWithKeys(input, output, {
        // Initialization Data Encountered, for each run of pssh boxes as the parser meets it.
        onInitData: ({ initDataType, initData }) => eme.initDataEncountered(initDataType, toArrayBuffer(initData)),
        // Media Data May Contain Encrypted Blocks: no MediaKeys yet means waiting for one.
        onProtectedMedia: async () => {
          while (eme.mediaKeys === null) {
            if (!(await waitForKey(null))) throw domException(defaultRealm(), 'InvalidStateError', 'No MediaKeys was set on the element.');
          }
        },
        // Attempt to Decrypt: a usable key from any session of the current MediaKeys.
        keys: (keyId) => eme.keyFor(keyId),
        onMissingKey: async ({ keyIdBytes }) => ((await waitForKey(keyIdBytes)) ? 'retry' : 'abort'),
      });
    } finally {
      element.#decrypting = false;
      eme.unblock();
    }
  }

  get [Symbol.toStringTag](): string {
    return 'EncryptedMediaElement';
  }

  static #brand(value: unknown, member: string): EncryptedMediaElement {
    if (typeof value !== 'object' || value === null || !(#eme in value)) throw illegalInvocation(defaultRealm(), 'HTMLMediaElement', member);
    return value as EncryptedMediaElement;
  }
}
