// install(global): what WebIDL exposure of EME would define on a global without it. The interface objects are
// non-enumerable properties of the global (as [Exposed=Window] interfaces are); requestMediaKeySystemAccess is an
// enumerable method of Navigator.prototype where the global has a Navigator interface (Node 21+, jsdom, happy-dom),
// else of its navigator object. Nothing the host already has is replaced unless `overwrite` asks.

import { exposeInterface } from '../webidl/expose.js';
import { illegalInvocation } from '../webidl/errors.js';
import { defineMethod } from '../webidl/method.js';
import { defaultRealm, realmOf, type Realm } from '../webidl/realm.js';
import { EXPOSED_INTERFACES } from './interface-objects.js';
import { requestAccessIn, type EmePlatform } from './platform.js';

export interface InstallOptions {
  /** Replace the host's own interfaces and requestMediaKeySystemAccess (a browser's, or another polyfill's). */
  readonly overwrite?: boolean;
}

export interface InstallResult {
  /** Names that were added (the rest were already present). */
  readonly installed: string[];
}

function isInterfaceObject(value: unknown): value is Function & { prototype: object } {
  return typeof value === 'function' && typeof (value as { prototype?: unknown }).prototype === 'object';
}

/** Where requestMediaKeySystemAccess goes: Navigator.prototype, or the navigator object itself, made if absent. */
function navigatorOf(global: Record<string, unknown>, installed: string[]): { navigator: object; holder: object; holderName: string } {
  let navigator = global['navigator'];
  if (typeof navigator !== 'object' || navigator === null) {
    navigator = {};
    Object.defineProperty(global, 'navigator', { value: navigator, writable: true, configurable: true, enumerable: true });
    installed.push('navigator');
  }
  const Navigator = global['Navigator'];
  if (isInterfaceObject(Navigator) && navigator instanceof Navigator) {
    return { navigator, holder: Navigator.prototype, holderName: 'Navigator.prototype' };
  }
  return { navigator: navigator as object, holder: navigator as object, holderName: 'navigator' };
}

// Several windows may share one Navigator.prototype (happy-dom's classes are the module's): the method finds the
// realm and platform by the navigator it is called on, each installed window's own.
const installedOn = new WeakMap<object, { readonly realm: Realm; readonly platform: EmePlatform }>();
const ourMethods = new WeakSet<Function>();
// The realm of an error about a receiver that is no installed navigator: the last window installed on that holder,
// held weakly (the method lives as long as the shared prototype, and must not keep a closed window).
const lastRealmOn = new WeakMap<object, WeakRef<Realm>>();

function installRequestAccess(realm: Realm, platform: EmePlatform, overwrite: boolean, installed: string[]): void {
  const { navigator, holder, holderName } = navigatorOf(realm.global, installed);
  const existing = (holder as Record<string, unknown>)['requestMediaKeySystemAccess'];
  const ours = typeof existing === 'function' && ourMethods.has(existing);
  if (!overwrite && typeof existing === 'function' && !ours) return;
  if (ours && !overwrite && installedOn.has(navigator)) return;
  installedOn.set(navigator, { realm, platform });
  lastRealmOn.set(holder, new WeakRef(realm));
  installed.push(`${holderName}.requestMediaKeySystemAccess`);
  if (ours) return;
  const method = defineMethod(holder, 'requestMediaKeySystemAccess', 2, function (args) {
    const target = typeof this === 'object' && this !== null ? installedOn.get(this) : undefined;
    if (!target) {
      const errorRealm = lastRealmOn.get(holder)?.deref() ?? defaultRealm();
      return errorRealm.intrinsics.Promise.reject(illegalInvocation(errorRealm, 'Navigator', 'requestMediaKeySystemAccess'));
    }
    return requestAccessIn(target.platform, target.realm, args);
  });
  ourMethods.add(method);
}

export function installOn(target: object, platform: EmePlatform, options: InstallOptions = {}): InstallResult {
  const realm = realmOf(target);
  const installed: string[] = [];
  const overwrite = options.overwrite === true;
  for (const iface of EXPOSED_INTERFACES) {
    if (exposeInterface(realm, iface, overwrite)) installed.push(iface.name);
  }
  installRequestAccess(realm, platform, overwrite, installed);
  return { installed };
}
