// Builds an interface object and its prototype for one realm, exactly as WebIDL's ECMAScript binding defines them
// (https://webidl.spec.whatwg.org/#interface-object): the interface object's length, name and read-only prototype,
// enumerable accessors and operations with their IDL lengths, receiver checks (a TypeError, or a rejected promise
// for promise types), a data @@toStringTag, and for iterable<K, V> the pair iterator (iterable.ts).

import { inspect, type InspectOptionsStylized } from 'node:util';
import type { AttributeShape, OperationShape, WebIDLInterface } from './interface.js';
import { definePairIterable } from './iterable.js';
import { defineMethod, illegalInvocation } from './method.js';
import type { Realm } from './realm.js';

/** An interface object as script sees it. */
export type InterfaceObject = abstract new (...args: any[]) => object;

function defineAttribute(realm: Realm, iface: WebIDLInterface<any>, proto: object, implProto: object, attribute: AttributeShape): void {
  const impl = Object.getOwnPropertyDescriptor(implProto, attribute.name)!;
  const { name } = attribute;
  const getImpl = impl.get!;
  const setImpl = impl.set;
  const accessors = {
    get [name](): unknown {
      if (!iface.implementedBy(this)) {
        const error = illegalInvocation(realm, iface.name, name);
        if (attribute.promise) return realm.intrinsics.Promise.reject(error);
        throw error;
      }
      return getImpl.call(this);
    },
    set [name](value: unknown) {
      if (!iface.implementedBy(this)) throw illegalInvocation(realm, iface.name, name);
      setImpl!.call(this, value);
    },
  };
  const built = Object.getOwnPropertyDescriptor(accessors, name)!;
  Object.defineProperty(proto, name, {
    get: built.get,
    set: attribute.writable ? built.set : undefined,
    enumerable: true,
    configurable: true,
  });
}

function defineOperation(realm: Realm, iface: WebIDLInterface<any>, proto: object, implProto: object, operation: OperationShape): void {
  const impl = (implProto as Record<string, Function>)[operation.name]!;
  defineMethod(proto, operation.name, operation.length, function (args) {
    if (!operation.promise) {
      if (!iface.implementedBy(this)) throw illegalInvocation(realm, iface.name, operation.name);
      return impl.apply(this, args);
    }
    // A promise-returning operation reports every failure as a rejection.
    try {
      if (!iface.implementedBy(this)) throw illegalInvocation(realm, iface.name, operation.name);
      return impl.apply(this, args);
    } catch (error) {
      return realm.intrinsics.Promise.reject(error);
    }
  });
}

/**
 * util.inspect (console.log) shows the readonly attributes' values and an iterable's pairs, as browser consoles
 * do, instead of an empty object (they are accessors on the prototype). Events and errors keep their host's view.
 */
function defineInspect(iface: WebIDLInterface<any>, proto: object): void {
  const { shape } = iface;
  if (shape.inherits === 'Event' || shape.inherits === 'DOMException') return;
  const shown = (shape.attributes ?? []).filter((a) => !a.writable).map((a) => a.name);
  const custom = function (this: object, depth: number, options: InspectOptionsStylized): unknown {
    if (!iface.implementedBy(this)) return this;
    if (depth < 0) return options.stylize(`[${shape.name}]`, 'special');
    const view: Record<string, unknown> = {};
    for (const name of shown) view[name] = (this as Record<string, unknown>)[name];
    if (shape.iterable) view['entries'] = new Map(shape.iterable.pairs(this) as [unknown, unknown][]);
    // The view object is not a level of its own: its values get the depth this object was given.
    return `${shape.name} ${inspect(view, { ...options, depth })}`;
  };
  Object.defineProperty(proto, inspect.custom, { value: custom, writable: true, enumerable: false, configurable: true });
}

export function buildInterfaceObject(realm: Realm, iface: WebIDLInterface<any>): InterfaceObject {
  const { shape } = iface;
  const parent = shape.inherits ? realm.host(shape.inherits) : undefined;
  const proto = Object.create(parent ? (parent.prototype as object) : realm.intrinsics.ObjectPrototype) as object;
  const construct = shape.construct;
  const interfaceObject = function (this: unknown, ...args: unknown[]): object {
    if (!construct) throw new realm.intrinsics.TypeError(`Illegal constructor: ${shape.name} objects are created by the user agent`);
    if (new.target === undefined) {
      throw new realm.intrinsics.TypeError(`Failed to construct '${shape.name}': Please use the 'new' operator`);
    }
    return construct.construct(realm, args, new.target);
  };
  Object.defineProperty(interfaceObject, 'length', { value: construct?.length ?? 0 });
  Object.defineProperty(interfaceObject, 'name', { value: shape.name });
  Object.defineProperty(interfaceObject, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
  Object.setPrototypeOf(interfaceObject, parent ?? realm.intrinsics.FunctionPrototype);
  Object.defineProperty(proto, 'constructor', { value: interfaceObject, writable: true, enumerable: false, configurable: true });

  const implProto = shape.implementation.prototype as object;
  for (const attribute of shape.attributes ?? []) defineAttribute(realm, iface, proto, implProto, attribute);
  for (const operation of shape.operations ?? []) defineOperation(realm, iface, proto, implProto, operation);
  if (shape.iterable) definePairIterable(realm, iface, proto, shape.iterable);
  defineInspect(iface, proto);
  Object.defineProperty(proto, Symbol.toStringTag, { value: shape.name, writable: false, enumerable: false, configurable: true });
  return interfaceObject as unknown as InterfaceObject;
}
