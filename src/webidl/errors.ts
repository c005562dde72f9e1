// Error construction in one place, so every layer reports failures with the spec's names, each made by the
// constructors of the realm whose object failed: a page in a window with its own built-ins (happy-dom's TypeError)
// or its own DOMException (jsdom's, happy-dom's) catches errors that are `instanceof` its window's, whether a member
// threw them or rejected its promise with them. Node's global is a realm too (defaultRealm()).

import { quotaExceededError } from './quota-exceeded-error.js';
import type { Realm } from './realm.js';

export type DomExceptionName =
  | 'InvalidStateError'
  | 'NotSupportedError'
  | 'QuotaExceededError'
  | 'InvalidAccessError'
  | 'SecurityError'
  | 'NotAllowedError'
  | 'OperationError'
  | 'NotFoundError'
  | 'IndexSizeError'
  | 'AbortError'
  | 'UnknownError';

/** A DOMException of realm by name; "QuotaExceededError" is the QuotaExceededError interface. */
export function domException(realm: Realm, name: DomExceptionName, message: string): DOMException {
  if (name === 'QuotaExceededError') return quotaExceededError(realm, message);
  return new (realm.host('DOMException') as typeof DOMException)(message, name);
}

/** A TypeError of realm. */
export function typeError(realm: Realm, message: string): TypeError {
  return new realm.intrinsics.TypeError(message);
}

/** The TypeError WebIDL throws for a method called on an object of the wrong interface. */
export function illegalInvocation(realm: Realm, interfaceName: string, member: string): TypeError {
  return typeError(realm, `Illegal invocation: ${interfaceName}.${member} called on an object that does not implement ${interfaceName}`);
}

/**
 * error as realm's own. webidl's conversions know no realm and throw Node's TypeError; a TypeError or DOMException
 * of Node's is made again by realm's constructor with its name and message. Anything else is returned as it is.
 */
export function inRealmError(realm: Realm, error: unknown): unknown {
  if (error instanceof TypeError && realm.intrinsics.TypeError !== TypeError) return typeError(realm, error.message);
  const HostDOMException = realm.host('DOMException');
  if (error instanceof DOMException && HostDOMException !== DOMException && !(error instanceof HostDOMException)) {
    return error.name === 'QuotaExceededError' ? quotaExceededError(realm, error.message) : new (HostDOMException as typeof DOMException)(error.message, error.name);
  }
  return error;
}

/** A promise of realm rejected with error as realm's own: how a promise-returning member reports a failure. */
export function rejectedPromise<T = never>(realm: Realm, error: unknown): Promise<T> {
  return realm.intrinsics.Promise.reject(inRealmError(realm, error));
}
