// The EME interface objects of a global ([Exposed=Window]): built from each interface's shape for that global's
// realm, so a window gets its own, inheriting from its own EventTarget and Event.

import { realmOf } from '../webidl/realm.js';
import { QuotaExceededErrorInterface, type QuotaExceededError } from '../webidl/quota-exceeded-error.js';
import type { WebIDLInterface } from '../webidl/interface.js';
import {
  MediaEncryptedEventInterface,
  MediaKeyMessageEventInterface,
  type MediaEncryptedEvent,
  type MediaEncryptedEventInit,
  type MediaKeyMessageEvent,
  type MediaKeyMessageEventInit,
} from './events.js';
import { MediaKeySessionInterface, type MediaKeySession } from './media-key-session.js';
import { MediaKeyStatusMapInterface, type MediaKeyStatusMap } from './media-key-status-map.js';
import { MediaKeySystemAccessInterface, type MediaKeySystemAccess } from './media-key-system-access.js';
import { MediaKeysInterface, type MediaKeys } from './media-keys.js';

/** An interface object without a constructor: `instanceof` works, `new` is a TypeError. */
export type InterfaceObjectOf<T> = (abstract new (...args: never[]) => T) & { readonly prototype: T };

export interface EmeInterfaceObjects {
  readonly MediaKeySystemAccess: InterfaceObjectOf<MediaKeySystemAccess>;
  readonly MediaKeys: InterfaceObjectOf<MediaKeys>;
  readonly MediaKeySession: InterfaceObjectOf<MediaKeySession>;
  readonly MediaKeyStatusMap: InterfaceObjectOf<MediaKeyStatusMap>;
  readonly MediaKeyMessageEvent: { readonly prototype: MediaKeyMessageEvent; new (type: string, eventInitDict: MediaKeyMessageEventInit): MediaKeyMessageEvent };
  readonly MediaEncryptedEvent: { readonly prototype: MediaEncryptedEvent; new (type: string, eventInitDict?: MediaEncryptedEventInit): MediaEncryptedEvent };
  readonly QuotaExceededError: {
    readonly prototype: QuotaExceededError;
    new (message?: string, options?: { quota?: number; requested?: number }): QuotaExceededError;
  };
}

/** What install() exposes, by name: the EME interfaces, and QuotaExceededError for hosts without one. */
export const EXPOSED_INTERFACES: readonly WebIDLInterface<any>[] = [
  MediaKeySystemAccessInterface,
  MediaKeysInterface,
  MediaKeySessionInterface,
  MediaKeyStatusMapInterface,
  MediaKeyMessageEventInterface,
  MediaEncryptedEventInterface,
  QuotaExceededErrorInterface,
];

/** The interface objects of `global` (Node's globalThis, a jsdom or happy-dom window), made once per global. */
export function emeInterfaces(global: object): EmeInterfaceObjects {
  const realm = realmOf(global);
  return Object.fromEntries(EXPOSED_INTERFACES.map((iface) => [iface.name, realm.interfaceObject(iface)])) as unknown as EmeInterfaceObjects;
}
