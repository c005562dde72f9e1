// The pieces every built member shares: a method function as WebIDL makes one, and the receiver-check TypeError.

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

/** The TypeError for a member called on an object that does not implement its interface, in the realm's TypeError. */
export function illegalInvocation(realm: Realm, interfaceName: string, member: string): TypeError {
  return new realm.intrinsics.TypeError(`Illegal invocation: ${interfaceName}.${member} called on an object that does not implement ${interfaceName}`);
}

/** WebIDL's overload resolution step for one operation: fewer than its required arguments is a TypeError. */
export function checkArguments(realm: Realm, interfaceName: string, operation: OperationShape, given: number): void {
  if (given >= operation.length) return;
  throw new realm.intrinsics.TypeError(
    `Failed to execute '${operation.name}' on '${interfaceName}': ${operation.length} argument${operation.length === 1 ? '' : 's'} required, but only ${given} present.`,
  );
}

/**
 * Runs a member's conversions and steps so that a TypeError they throw is the realm's, as the binding's own errors
 * are (a window with its own built-ins, happy-dom's, sees its TypeError whichever layer threw).
 */
export function inRealm<T>(realm: Realm, convert: () => T): T {
  try {
    return convert();
  } catch (error) {
    if (error instanceof TypeError && realm.intrinsics.TypeError !== TypeError) throw new realm.intrinsics.TypeError(error.message);
    throw error;
  }
}
