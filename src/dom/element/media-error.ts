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

const MediaErrorInterface: WebIDLInterface<MediaError> = WebIDLInterface.define({
  name: 'MediaError',
  implementation: MediaError,
  attributes: [{ name: 'code' }, { name: 'message' }],
});

/** The window's MediaError interface object, with its constants. */
export function mediaErrorInterface(realm: Realm): object {
  const object = realm.interfaceObject(MediaErrorInterface) as unknown as { prototype: object };
  if (!Object.prototype.hasOwnProperty.call(object, 'MEDIA_ERR_ABORTED')) {
    for (const [name, value] of Object.entries(MEDIA_ERR)) {
      for (const target of [object, object.prototype]) Object.defineProperty(target, name, { value, enumerable: true });
    }
  }
  return object;
}

export function mediaError(realm: Realm, code: MediaErrorCodeValue, message: string): MediaError {
  mediaErrorInterface(realm);
  return new MediaError(realm.create(MediaErrorInterface), { code, message });
}
