// MediaError (HTML §4.8.11.1), the element's error attribute: an interface object per window (webidl's realms),
// with the MEDIA_ERR_* constants on it and its prototype. Not constructible from script, as in browsers.

import { PlatformObject } from '../../webidl/platform-object.js';
import { WebIDLInterface } from '../../webidl/interface.js';
import type { Realm } from '../../webidl/realm.js';

export const MEDIA_ERR = { MEDIA_ERR_ABORTED: 1, MEDIA_ERR_NETWORK: 2, MEDIA_ERR_DECODE: 3, MEDIA_ERR_SRC_NOT_SUPPORTED: 4 } as const;
export type MediaErrorCodeValue = (typeof MEDIA_ERR)[keyof typeof MEDIA_ERR];

interface ErrorRecord {
  readonly code: MediaErrorCodeValue;
  readonly message: string;
}

export class MediaError extends PlatformObject {
  readonly #record: ErrorRecord;

  constructor(object: object, record: ErrorRecord) {
    super(object);
    this.#record = record;
  }

  get code(): number {
    return this.#record.code;
  }

  get message(): string {
    return this.#record.message;
  }
}

export const MediaErrorInterface: WebIDLInterface<MediaError> = WebIDLInterface.define({
  name: 'MediaError',
  implementation: MediaError,
  constants: MEDIA_ERR,
  attributes: [{ name: 'code' }, { name: 'message' }],
});

export function mediaError(realm: Realm, code: MediaErrorCodeValue, message: string): MediaError {
  return new MediaError(realm.create(MediaErrorInterface), { code, message });
}
