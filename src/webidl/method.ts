// The pieces every built member shares: a method function as WebIDL makes one, the argument count check, and
// running its steps so that what they throw is the realm's.

import { inRealmError, typeError } from './errors.js';
import type { OperationShape } from './interface.js';
import type { Realm } from './realm.js';

const METHOD = { writable: true, enumerable: true, configurable: true } as const;

/** Defines an enumerable method on proto: not a constructor, named as the operation, with the IDL's length. */
export function defineMethod(proto: object, name: string, length: number, steps: (this: unknown, args: unknown[]) => unknown): Function {
  const method = {
    [name](this: unknown, ...args: unknown[]): unknown {
      return steps.call(this, args);
    },
  }[name]!;
  Object.defineProperty(method, 'length', { value: length });
  Object.defineProperty(proto, name, { value: method, ...METHOD });
  return method;
}

/** WebIDL's overload resolution step for one operation: fewer than its required arguments is a TypeError. */
export function checkArguments(realm: Realm, interfaceName: string, operation: OperationShape, given: number): void {
  if (given >= operation.length) return;
  throw typeError(
    realm,
    `Failed to execute '${operation.name}' on '${interfaceName}': ${operation.length} argument${operation.length === 1 ? '' : 's'} required, but only ${given} present.`,
  );
}

/**
 * Runs a member's conversions and steps so that a TypeError or DOMException they throw is the realm's, as the
 * binding's own errors are (a window with its own built-ins, happy-dom's, sees its TypeError whichever layer threw).
 */
export function inRealm<T>(realm: Realm, convert: () => T): T {
  try {
    return convert();
  } catch (error) {
    throw inRealmError(realm, error);
  }
}
