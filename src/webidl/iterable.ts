// iterable<K, V> (WebIDL §3.7.9, §3.7.10): entries, keys, values and forEach on the interface prototype,
// @@iterator the same function as entries, and default iterator objects whose next() reads the value pairs as
// they are when it runs, inheriting from a per-realm "<Interface> Iterator" prototype.

import { illegalInvocation, typeError } from './errors.js';
import { defineMethod } from './method.js';
import type { PairIterableShape, WebIDLInterface } from './interface.js';
import type { Realm } from './realm.js';

type Kind = 'key' | 'value' | 'key+value';

interface IteratorState {
  readonly target: object;
  readonly kind: Kind;
  index: number;
}

export function definePairIterable(realm: Realm, iface: WebIDLInterface<any>, proto: object, iterable: PairIterableShape<any>): void {
  const states = new WeakMap<object, IteratorState>();
  const iteratorPrototype = Object.create(realm.intrinsics.IteratorPrototype) as object;
  defineMethod(iteratorPrototype, 'next', 0, function () {
    const state = typeof this === 'object' && this !== null ? states.get(this) : undefined;
    if (!state) throw illegalInvocation(realm, `${iface.name} Iterator`, 'next');
    const pairs = iterable.pairs(state.target);
    if (state.index >= pairs.length) return { value: undefined, done: true };
    const [key, value] = pairs[state.index]!;
    state.index++;
    return { value: state.kind === 'key' ? key : state.kind === 'value' ? value : [key, value], done: false };
  });
  Object.defineProperty(iteratorPrototype, Symbol.toStringTag, { value: `${iface.name} Iterator`, configurable: true });

  const iteratorOver = (name: string, kind: Kind) =>
    defineMethod(proto, name, 0, function () {
      if (!iface.implementedBy(this)) throw illegalInvocation(realm, iface.name, name);
      const iterator = Object.create(iteratorPrototype) as object;
      states.set(iterator, { target: this, kind, index: 0 });
      return iterator;
    });
  const entries = iteratorOver('entries', 'key+value');
  iteratorOver('keys', 'key');
  iteratorOver('values', 'value');
  defineMethod(proto, 'forEach', 1, function (args) {
    if (!iface.implementedBy(this)) throw illegalInvocation(realm, iface.name, 'forEach');
    const [callback, thisArg] = args;
    if (typeof callback !== 'function') {
      throw typeError(realm, `Failed to execute 'forEach' on '${iface.name}': The callback provided as parameter 1 is not a function.`);
    }
    // The pairs are read again after each call: the callback sees changes it causes, as the spec's loop does.
    for (let i = 0, pairs = iterable.pairs(this); i < pairs.length; i++, pairs = iterable.pairs(this)) {
      const [key, value] = pairs[i]!;
      callback.call(thisArg, value, key, this);
    }
  });
  Object.defineProperty(proto, Symbol.iterator, { value: entries, writable: true, enumerable: false, configurable: true });
}
