// Error construction in one place, so every layer reports failures with the spec's names.

export type DomExceptionName =
  | 'InvalidStateError'
  | 'NotSupportedError'
  | 'QuotaExceededError'
  | 'InvalidAccessError'
  | 'SecurityError'
  | 'NotAllowedError'
  | 'UnknownError';

export function domException(name: DomExceptionName, message: string): DOMException {
  return new DOMException(message, name);
}

/** The TypeError WebIDL throws for a method called on an object of the wrong interface. */
export function illegalInvocation(interfaceName: string, member: string): TypeError {
  return new TypeError(`Illegal invocation: ${interfaceName}.${member} called on an object that is not a ${interfaceName}`);
}
