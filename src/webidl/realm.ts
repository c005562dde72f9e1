// A realm: one global object (Node's globalThis, a jsdom or happy-dom window) and the interface objects built for
// it. Objects made for a realm inherit from that global's own EventTarget, Event or DOMException, so a window's
// dispatchEvent accepts emekit's events and `instanceof window.Event` holds; the interface objects themselves are
// built once per realm from each interface's shape (interface-object.ts).

import { buildInterfaceObject, type InterfaceObject } from './interface-object.js';
import type { HostInterfaceName, WebIDLInterface } from './interface.js';

/** The global's built-ins that WebIDL objects are made from (the realm's %Function.prototype% and so on). */
export interface Intrinsics {
  readonly FunctionPrototype: object;
  readonly ObjectPrototype: object;
  readonly IteratorPrototype: object;
  /** %Array.prototype.values%: @@iterator of an interface with an indexed getter. */
  readonly ArrayValues: Function;
  readonly TypeError: TypeErrorConstructor;
  readonly Promise: PromiseConstructor;
}

type HostConstructor = new (...args: any[]) => object;

function own<T>(global: Record<string, unknown>, name: string, fallback: T): T {
  const value = global[name];
  return typeof value === 'function' ? (value as T) : fallback;
}

// A window whose scripts run in a vm context has its own built-ins; a plain object or a window without script
// support falls back to Node's.
function intrinsicsOf(global: Record<string, unknown>): Intrinsics {
  const ArrayCtor = own(global, 'Array', Array);
  const arrayIterator = new ArrayCtor<unknown>()[Symbol.iterator]();
  return {
    FunctionPrototype: own(global, 'Function', Function).prototype,
    ObjectPrototype: own(global, 'Object', Object).prototype,
    IteratorPrototype: Object.getPrototypeOf(Object.getPrototypeOf(arrayIterator)) as object,
    ArrayValues: ArrayCtor.prototype.values,
    TypeError: own(global, 'TypeError', TypeError),
    Promise: own(global, 'Promise', Promise),
  };
}

export class Realm {
  readonly global: Record<string, unknown>;
  readonly intrinsics: Intrinsics;
  readonly #interfaceObjects = new Map<WebIDLInterface<any>, InterfaceObject>();

  constructor(global: object) {
    this.global = global as Record<string, unknown>;
    this.intrinsics = intrinsicsOf(this.global);
  }

  /** The interface object of iface in this realm, built on first use. */
  interfaceObject(iface: WebIDLInterface<any>): InterfaceObject {
    let object = this.#interfaceObjects.get(iface);
    if (!object) {
      object = buildInterfaceObject(this, iface);
      this.#interfaceObjects.set(iface, object);
    }
    return object;
  }

  /** The global's own EventTarget, Event or DOMException (Node's where the global has none: a plain object). */
  host(name: HostInterfaceName): HostConstructor {
    const fallback = { EventTarget, Event, DOMException }[name] as HostConstructor;
    return own(this.global, name, fallback);
  }

  /**
   * A new object implementing iface, for an interface without a constructor (the user agent makes them): its
   * parent's constructor runs with no arguments (EventTarget's sets up the listener list).
   */
  create(iface: WebIDLInterface<any>): object {
    const interfaceObject = this.interfaceObject(iface);
    const parent = iface.shape.inherits;
    const object = parent
      ? Reflect.construct(this.host(parent), [], interfaceObject)
      : Object.create(interfaceObject.prototype as object);
    iface.brand(object);
    return object;
  }

  /** Constructor steps' first part for an interface with a host parent: the parent's constructor with newTarget. */
  constructInherited(iface: WebIDLInterface<any>, parentArgs: readonly unknown[], newTarget: object): object {
    const parent = iface.shape.inherits;
    if (!parent) throw new Error(`${iface.name} has no host parent interface`);
    const object = Reflect.construct(this.host(parent), parentArgs, newTarget as HostConstructor);
    iface.brand(object);
    return object;
  }
}

const realms = new WeakMap<object, Realm>();

/** The realm of a global object: made on first use and kept as long as the global lives. */
export function realmOf(global: object): Realm {
  let realm = realms.get(global);
  if (!realm) {
    realm = new Realm(global);
    realms.set(global, realm);
  }
  return realm;
}

/** Node's own global, where objects are made unless a window asked for them. */
export function defaultRealm(): Realm {
  return realmOf(globalThis);
}
