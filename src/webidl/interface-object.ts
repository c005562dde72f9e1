// Builds an interface object and its prototype for one realm, exactly as WebIDL's ECMAScript binding defines them
// (https://webidl.spec.whatwg.org/#interface-object): the interface object's length, name and read-only prototype,
// enumerable accessors and operations with their IDL lengths, receiver checks (a TypeError, or a rejected promise
// for promise types), the required argument count, setter conversions, constants, event handlers, static members,
// a data @@toStringTag, and for iterable<K, V> the pair iterator (iterable.ts).

import { inspect, type InspectOptionsStylized } from 'node:util';
import { convertTo, toDOMString } from './conversions.js';
import { getEventHandler, setEventHandler } from './event-handler.js';
import { implementationMember, type AttributeShape, type IdlType, type OperationShape, type WebIDLInterface } from './interface.js';
import { definePairIterable } from './iterable.js';
import { illegalInvocation, typeError } from './errors.js';
import { checkArguments, defineMethod, inRealm } from './method.js';
import type { Realm } from './realm.js';

/** Marks a value an enumeration setter ignores. */
const IGNORED = Symbol('ignored');

/** An attribute setter's conversion (WebIDL §3.7.6 "attribute setter"): an enumeration ignores other strings. */
function convertForSetter(type: IdlType | undefined, value: unknown, context: string): unknown {
  if (type === undefined) return value;
  if (typeof type === 'object' && 'enum' in type) {
    const text = toDOMString(value, context);
    return type.enum.includes(text) ? text : IGNORED;
  }
  return convertTo(type, value, context);
}

/** An operation's argument conversions (WebIDL §3.7.4 "overload resolution", one overload). */
function convertArguments(interfaceName: string, operation: OperationShape, args: unknown[]): unknown[] {
  const shapes = operation.arguments;
  if (!shapes) return args;
  return args.map((value, i) => {
    const shape = shapes[i];
    if (!shape || (shape.optional && value === undefined)) return value;
    return convertTo(shape.type, value, `Failed to execute '${operation.name}' on '${interfaceName}': parameter ${i + 1}`);
  });
}

/** An interface object as script sees it. */
export type InterfaceObject = abstract new (...args: any[]) => object;

function defineAttribute(realm: Realm, iface: WebIDLInterface<any>, proto: object, implProto: object, attribute: AttributeShape): void {
  const impl = implementationMember(implProto, attribute.name)!;
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
      inRealm(realm, () => {
        const converted = convertForSetter(attribute.type, value, `Failed to set the '${name}' property on '${iface.name}'`);
        if (converted !== IGNORED) setImpl!.call(this, converted);
      });
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
  const impl = implementationMember(implProto, operation.name)!.value as Function;
  defineMethod(proto, operation.name, operation.length, function (args) {
    const steps = () => {
      if (!iface.implementedBy(this)) throw illegalInvocation(realm, iface.name, operation.name);
      checkArguments(realm, iface.name, operation, args.length);
      return inRealm(realm, () => impl.apply(this, convertArguments(iface.name, operation, args)));
    };
    if (!operation.promise) return steps();
    // A promise-returning operation reports every failure as a rejection.
    try {
      return steps();
    } catch (error) {
      return realm.intrinsics.Promise.reject(error);
    }
  });
}

/** on<type> attributes: accessors like any other attribute's, with the one event handler implementation. */
function defineEventHandler(realm: Realm, iface: WebIDLInterface<any>, proto: object, type: string): void {
  const name = `on${type}`;
  const accessors = {
    get [name](): unknown {
      if (!iface.implementedBy(this)) throw illegalInvocation(realm, iface.name, name);
      return getEventHandler(this as unknown as EventTarget, type);
    },
    set [name](value: unknown) {
      if (!iface.implementedBy(this)) throw illegalInvocation(realm, iface.name, name);
      setEventHandler(this as unknown as EventTarget, type, value);
    },
  };
  const built = Object.getOwnPropertyDescriptor(accessors, name)!;
  Object.defineProperty(proto, name, { get: built.get, set: built.set, enumerable: true, configurable: true });
}

/** Static operations and attributes live on the interface object and need no receiver (WebIDL §3.7.4, §3.7.6). */
function defineStatics(realm: Realm, iface: WebIDLInterface<any>, interfaceObject: object): void {
  const { shape } = iface;
  const statics = shape.implementation as unknown as Record<string, Function>;
  for (const operation of shape.staticOperations ?? []) {
    const impl = statics[operation.name]!;
    defineMethod(interfaceObject, operation.name, operation.length, function (args) {
      checkArguments(realm, iface.name, operation, args.length);
      return inRealm(realm, () => impl.apply(statics, convertArguments(iface.name, operation, args)));
    });
  }
  for (const { name } of shape.staticAttributes ?? []) {
    const getImpl = Object.getOwnPropertyDescriptor(statics, name)!.get!;
    const accessors = {
      get [name](): unknown {
        return getImpl.call(statics);
      },
    };
    Object.defineProperty(interfaceObject, name, { get: Object.getOwnPropertyDescriptor(accessors, name)!.get, enumerable: true, configurable: true });
  }
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
    for (const name of shown) {
      // An attribute that throws in the object's state (a removed SourceBuffer's buffered) is left out.
      try {
        view[name] = (this as Record<string, unknown>)[name];
      } catch {
        continue;
      }
    }
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
  const steps = function (this: unknown, ...args: unknown[]): object {
    if (!construct) throw typeError(realm, `Illegal constructor: ${shape.name} objects are created by the user agent`);
    if (new.target === undefined) {
      throw typeError(realm, `Failed to construct '${shape.name}': Please use the 'new' operator`);
    }
    // `new Interface()` reaches here with the unbound function as new.target; a subclass keeps its own.
    const newTarget = new.target === steps ? interfaceObject : new.target;
    return inRealm(realm, () => construct.construct(realm, args, newTarget));
  };
  // A bound function prints as native code, as a browser's interface object does, not as emekit's source.
  // instanceof reads the prototype of the function it is bound to.
  const interfaceObject = steps.bind(undefined);
  Object.defineProperty(steps, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
  Object.defineProperty(interfaceObject, 'length', { value: construct?.length ?? 0 });
  Object.defineProperty(interfaceObject, 'name', { value: shape.name });
  Object.defineProperty(interfaceObject, 'prototype', { value: proto, writable: false, enumerable: false, configurable: false });
  Object.setPrototypeOf(interfaceObject, parent ?? realm.intrinsics.FunctionPrototype);
  Object.defineProperty(proto, 'constructor', { value: interfaceObject, writable: true, enumerable: false, configurable: true });

  const implProto = shape.implementation.prototype as object;
  for (const attribute of shape.attributes ?? []) defineAttribute(realm, iface, proto, implProto, attribute);
  for (const operation of shape.operations ?? []) defineOperation(realm, iface, proto, implProto, operation);
  for (const type of shape.eventHandlers ?? []) defineEventHandler(realm, iface, proto, type);
  for (const [name, value] of Object.entries(shape.constants ?? {})) {
    for (const target of [interfaceObject, proto]) Object.defineProperty(target, name, { value, writable: false, enumerable: true, configurable: false });
  }
  defineStatics(realm, iface, interfaceObject);
  if (shape.iterable) definePairIterable(realm, iface, proto, shape.iterable);
  if (shape.indexed) Object.defineProperty(proto, Symbol.iterator, { value: realm.intrinsics.ArrayValues, writable: true, enumerable: false, configurable: true });
  defineInspect(iface, proto);
  Object.defineProperty(proto, Symbol.toStringTag, { value: shape.name, writable: false, enumerable: false, configurable: true });
  return interfaceObject as unknown as InterfaceObject;
}
