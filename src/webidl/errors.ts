// Error construction in one place, so every layer reports failures with the spec's names.

import { quotaExceededError } from './quota-exceeded-error.js';
import { defaultRealm } from './realm.js';

export type DomExceptionName =
  | 'InvalidStateError'
  | 'NotSupportedError'
  | 'QuotaExceededError'
  | 'InvalidAccessError'
  | 'SecurityError'
  | 'NotAllowedError'
  | 'UnknownError';

/** A DOMException by name; "QuotaExceededError" is the QuotaExceededError interface (of Node's global). */
export function domException(name: DomExceptionName, message: string): DOMException {
  if (name === 'QuotaExceededError') return quotaExceededError(defaultRealm(), message);
  return new DOMException(message, name);
}

/** The TypeError WebIDL throws for a method called on an object of the wrong interface. */
export function illegalInvocation(interfaceName: string, member: string): TypeError {
  return new TypeError(`Illegal invocation: ${interfaceName}.${member} called on an object that is not a ${interfaceName}`);
}
