// [Exposed=Window]: an interface object is a non-enumerable, writable, configurable property of the global, named as
// the interface. A global that already has one (a browser's, the host DOM's, another polyfill's) keeps it unless
// `overwrite` asks.

import type { WebIDLInterface } from './interface.js';
import type { Realm } from './realm.js';

/** Defines iface's interface object on the realm's global; whether it did. */
export function exposeInterface(realm: Realm, iface: WebIDLInterface<any>, overwrite = false): boolean {
  if (!overwrite && iface.name in realm.global) return false;
  Object.defineProperty(realm.global, iface.name, { value: realm.interfaceObject(iface), writable: true, enumerable: false, configurable: true });
  return true;
}
