// Decrypting media with the keys of a MediaKeys: what a media element does with its CDM. The media layer asks for
// keys by key ID; here those questions go to the CDM instance behind the MediaKeys, and a missing key can wait
// for a license (the "Wait for Key" algorithm, reported as waitingforkey) instead of failing at once.

import { mediaKeysInternals } from '../eme/media-keys.js';
import type { MediaKeys } from '../eme/media-keys.js';
import { decryptMedia as decryptWithKeys, type DecryptOptions, type DecryptReport } from '../media/decrypt.js';
import type { MediaInput, MediaOutput } from '../media/io/io.js';
import type { MissingKeyInfo } from '../media/cenc/keys.js';
import { waitForCall } from '../util/wait.js';

export interface MediaKeysDecryptOptions extends Omit<DecryptOptions, 'keys' | 'onMissingKey'> {
  readonly mediaKeys: MediaKeys;
  /**
   * How long to wait for a missing key to arrive through a session of mediaKeys, in ms. 0 (default) fails at
   * once with MediaError code 'missing-key'.
   */
  readonly waitForKeyMs?: number;
  /**
   * Called when decryption stops for a missing key (the media element's waitingforkey event). It may return a
   * promise, e.g. while it gets a license for that key ID: decryption waits for it to settle (a rejection ends
   * decryption with that error), looks for the key again, and only then waits up to waitForKeyMs.
   */
  readonly onWaitingForKey?: (info: MissingKeyInfo) => unknown;
}

export type DecryptMediaOptions = DecryptOptions | MediaKeysDecryptOptions;

export function decryptMedia(input: MediaInput, output: MediaOutput, options: DecryptMediaOptions): Promise<DecryptReport> {
  if (!('mediaKeys' in options)) return decryptWithKeys(input, output, options);
  const { mediaKeys, waitForKeyMs = 0, onWaitingForKey, ...rest } = options;
  const { cdm, keysChangedListeners } = mediaKeysInternals(mediaKeys);
  return decryptWithKeys(input, output, {
    ...rest,
    keys: (keyId) => cdm.keyFor(keyId),
    onMissingKey: async (info) => {
      const pending = onWaitingForKey?.(info);
      if (isThenable(pending)) {
        await pending;
        if (cdm.keyFor(info.keyIdBytes) !== undefined) return 'retry';
      }
      if (waitForKeyMs <= 0) return 'abort';
      // "Attempt to Resume Playback If Necessary" runs when any session's keys change: then look again.
      const changed = await waitForCall(keysChangedListeners, waitForKeyMs);
      return changed ? 'retry' : 'abort';
    },
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
