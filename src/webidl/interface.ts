// An interface's IDL shape, written once beside its implementation: which attributes and operations it has, with
// the lengths and promise types the IDL gives them. The realm layer (realm.ts) builds the interface object and
// prototype from it for each global, as WebIDL's ECMAScript binding defines them
// (https://webidl.spec.whatwg.org/#es-interfaces), so no interface spells its own property attributes.
// The behaviour is the implementation class's: for each member a getter, setter or method of the same name.

import { IndexedList } from './indexed.js';
import { PlatformObject } from './platform-object.js';
import type { Realm } from './realm.js';

/** A host interface an EME interface inherits from: the global's own, so that its events and errors are the page's. */
export type HostInterfaceName = 'EventTarget' | 'Event' | 'DOMException';

/**
 * The IDL types the binding converts a setter's value or an operation's argument to before the implementation sees
 * it (WebIDL §3.2): BufferSource becomes a Uint8Array over the caller's bytes; an interface type is a brand check.
 */
export type IdlType =
  | 'boolean'
  | 'double'
  | 'unrestricted double'
  | 'unsigned long'
  | 'DOMString'
  | 'BufferSource'
  | { readonly enum: readonly string[] }
  | { readonly interface: WebIDLInterface<any> };

/** An operation's argument: its type, and whether it may be left out (undefined is then passed on as it is). */
export interface ArgumentShape {
  readonly type: IdlType;
  readonly optional?: boolean;
}

export interface AttributeShape {
  readonly name: string;
  /** Has a setter; readonly otherwise. */
  readonly writable?: boolean;
  /**
   * The setter's IDL type: the value is converted (a TypeError for a non-finite `double`) and an enumeration value
   * that is not one of its strings is ignored, as WebIDL's attribute setter does. Absent: passed as given.
   */
  readonly type?: IdlType;
  /** Promise-typed: a wrong receiver gets a rejected promise instead of an exception (WebIDL §3.7.6). */
  readonly promise?: boolean;
}

export interface OperationShape {
  readonly name: string;
  /** The number of required arguments (WebIDL's function length: optional ones do not count). */
  readonly length: number;
  /** Returns a promise: a wrong receiver gets a rejected promise. */
  readonly promise?: boolean;
  /** The arguments' types, converted by the binding; absent: passed as given (the implementation converts). */
  readonly arguments?: readonly ArgumentShape[];
}

export interface ConstructorShape {
  readonly length: number;
  /**
   * Runs the constructor steps: converts the arguments and returns the new object, made by
   * `realm.constructInherited()` with newTarget (so that subclasses made by script work).
   */
  construct(realm: Realm, args: readonly unknown[], newTarget: object): object;
}

/** iterable<K, V>: the pair iterator, forEach, entries, keys and values (WebIDL §3.7.9). */
export interface PairIterableShape<Impl> {
  /** The value pairs to iterate over, as they are now; read again at each step. */
  pairs(object: Impl): readonly (readonly [unknown, unknown])[];
}

export interface InterfaceShape<Impl extends object> {
  readonly name: string;
  readonly inherits?: HostInterfaceName;
  /** The class whose prototype holds each member's behaviour; its instances are the objects script sees. */
  readonly implementation: abstract new (...args: never[]) => Impl;
  readonly attributes?: readonly AttributeShape[];
  readonly operations?: readonly OperationShape[];
  /** Absent: the interface has no constructor, and calling its interface object throws TypeError. */
  readonly construct?: ConstructorShape;
  readonly iterable?: PairIterableShape<Impl>;
  /** Constants, on the interface object and its prototype (WebIDL §3.7.5). */
  readonly constants?: Readonly<Record<string, number>>;
  /** Event handler IDL attributes: for each event type, `on<type>` (HTML §8.1.8.1; webidl/event-handler.ts). */
  readonly eventHandlers?: readonly string[];
  /** Static operations: static methods of the implementation, on the interface object (no receiver check). */
  readonly staticOperations?: readonly OperationShape[];
  /** Static readonly attributes: static getters of the implementation, on the interface object. */
  readonly staticAttributes?: readonly { readonly name: string }[];
  /**
   * An indexed property getter with an integer `length` attribute: @@iterator is %Array.prototype.values%
   * (WebIDL §3.7.8). The implementation extends IndexedList (indexed.ts), which keeps `length` and the indexed
   * properties; an implementation that extends it is indexed, so the flag and the class agree (define checks).
   */
  readonly indexed?: boolean;
}

/** The implementation's prototype and those it inherits from, up to PlatformObject (a base class shared by several
 * interfaces, as the track lists share theirs). */
function implementationLevels(proto: object): object[] {
  const levels: object[] = [];
  for (let level: object | null = proto; level && level !== PlatformObject.prototype && level !== Object.prototype; level = Object.getPrototypeOf(level)) {
    levels.push(level);
  }
  return levels;
}

/** The implementation's getter/setter or method for a member, wherever along its prototype chain it is defined. */
export function implementationMember(proto: object, name: string): PropertyDescriptor | undefined {
  for (const level of implementationLevels(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(level, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}

/** One WebIDL interface: its shape and the brand of the objects that implement it, in any realm. */
export class WebIDLInterface<Impl extends object = object> {
  readonly #implementations = new WeakSet<object>();

  private constructor(readonly shape: InterfaceShape<Impl>) {}

  /** Checks the shape against its implementation once, when the module loads: a member without behaviour, or
   * behaviour that script could not reach, is a mistake in the definition. */
  static define<Impl extends object>(shape: InterfaceShape<Impl>): WebIDLInterface<Impl> {
    const proto = shape.implementation.prototype as object;
    const listed = new Set([...(shape.attributes ?? []), ...(shape.operations ?? [])].map((m) => m.name));
    for (const attribute of shape.attributes ?? []) {
      const descriptor = implementationMember(proto, attribute.name);
      if (!descriptor?.get || (attribute.writable === true) !== (descriptor.set !== undefined)) {
        throw new Error(`${shape.name}.${attribute.name}: the implementation needs a getter${attribute.writable ? ' and a setter' : ' and no setter'}`);
      }
    }
    for (const operation of shape.operations ?? []) {
      if (typeof implementationMember(proto, operation.name)?.value !== 'function') {
        throw new Error(`${shape.name}.${operation.name}: the implementation has no such method`);
      }
    }
    for (const level of implementationLevels(proto)) {
      for (const key of Object.getOwnPropertyNames(level)) {
        if (key !== 'constructor' && !listed.has(key)) throw new Error(`${shape.name}.${key} is not in the interface's shape`);
      }
    }
    if ((shape.indexed === true) !== proto instanceof IndexedList) {
      throw new Error(`${shape.name}: an indexed interface's implementation extends IndexedList, and only such an implementation is indexed`);
    }
    const statics = shape.implementation as unknown as object;
    for (const operation of shape.staticOperations ?? []) {
      if (typeof Object.getOwnPropertyDescriptor(statics, operation.name)?.value !== 'function') {
        throw new Error(`${shape.name}.${operation.name}: the implementation has no such static method`);
      }
    }
    for (const attribute of shape.staticAttributes ?? []) {
      if (!Object.getOwnPropertyDescriptor(statics, attribute.name)?.get) throw new Error(`${shape.name}.${attribute.name}: the implementation has no such static getter`);
    }
    return new WebIDLInterface(shape);
  }

  get name(): string {
    return this.shape.name;
  }

  /** Whether value implements this interface (its brand), whichever realm made it. */
  implementedBy(value: unknown): value is Impl {
    return typeof value === 'object' && value !== null && this.#implementations.has(value);
  }

  /** Called by the realm for each object it makes for this interface. */
  brand(object: object): void {
    this.#implementations.add(object);
  }
}
