// QuotaExceededError (WebIDL §2.8.2): a DOMException subclass with quota and requested, which current browsers
// throw where specs say "QuotaExceededError". Node lacks it (through 24 at least): emekit makes it from the realm's
// own DOMException, and uses the host's where the global has one.

import { dictionarySource, readMember, toDOMString } from './conversions.js';
import { WebIDLInterface } from './interface.js';
import { PlatformObject } from './platform-object.js';
import type { Realm } from './realm.js';

/** A restricted double member: absent is null, anything else must convert to a finite number. */
function toOptionalFiniteDouble(value: unknown, context: string): number | null {
  if (value === undefined) return null;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new TypeError(`${context}: the value is not a finite number`);
  return number;
}

export interface QuotaExceededError extends DOMException {}
export class QuotaExceededError extends PlatformObject {
  readonly #quota: number | null;
  readonly #requested: number | null;

  constructor(object: object, quota: number | null, requested: number | null) {
    super(object);
    this.#quota = quota;
    this.#requested = requested;
  }

  get quota(): number | null {
    return this.#quota;
  }

  get requested(): number | null {
    return this.#requested;
  }
}

export const QuotaExceededErrorInterface: WebIDLInterface<QuotaExceededError> = WebIDLInterface.define({
  name: 'QuotaExceededError',
  inherits: 'DOMException',
  implementation: QuotaExceededError,
  attributes: [{ name: 'quota' }, { name: 'requested' }],
  construct: {
    length: 0,
    construct(realm, [message, options], newTarget) {
      const context = "Failed to construct 'QuotaExceededError'";
      const text = message === undefined ? '' : toDOMString(message, context);
      const source = dictionarySource(options, context);
      const quota = toOptionalFiniteDouble(readMember(source, 'quota'), `${context}: quota`);
      const requested = toOptionalFiniteDouble(readMember(source, 'requested'), `${context}: requested`);
      if (quota !== null && quota < 0) throw new RangeError(`${context}: quota is negative`);
      if (requested !== null && requested < 0) throw new RangeError(`${context}: requested is negative`);
      if (quota !== null && requested !== null && requested < quota) throw new RangeError(`${context}: requested is less than quota`);
      const object = realm.constructInherited(QuotaExceededErrorInterface, [text, 'QuotaExceededError'], newTarget);
      return new QuotaExceededError(object, quota, requested);
    },
  },
});

/** The QuotaExceededError a spec algorithm throws (quota and requested null): the host's own where it has one. */
export function quotaExceededError(realm: Realm, message: string): DOMException {
  const own = realm.interfaceObject(QuotaExceededErrorInterface);
  const host = realm.global['QuotaExceededError'];
  const constructor = typeof host === 'function' && host !== own ? host : own;
  return new (constructor as new (message: string) => DOMException)(message);
}
