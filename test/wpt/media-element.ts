// EME's partial interface HTMLMediaElement (mediaKeys, setMediaKeys(), onencrypted, onwaitingforkey) on a host
// DOM's elements, run by emekit's ElementEme, the implementation EncryptedMediaElement and emekit/dom's element
// share. The WPT pages that need a <video> only for setMediaKeys() run on this; emekit/dom's installMedia(window)
// takes its place once it exists. Members as WebIDL defines them: enumerable, with the IDL's lengths.
import { ElementEme } from '../../src/element/element-eme.js';
import { simpleEvent } from '../../src/eme/events.js';
import { getEventHandler, setEventHandler } from '../../src/webidl/event-handler.js';
import { defineMethod } from '../../src/webidl/method.js';
import { realmOf } from '../../src/webidl/realm.js';

interface HostMediaElement extends EventTarget {}

export function installMediaElementEme(global: typeof globalThis): void {
  const realm = realmOf(global);
  const HTMLMediaElement = (global as unknown as Record<string, { prototype: object }>)['HTMLMediaElement']!;
  const proto = HTMLMediaElement.prototype;
  const emes = new WeakMap<object, ElementEme>();
  const emeOf = (element: unknown): ElementEme => {
    if (!(element instanceof (HTMLMediaElement as unknown as Function))) throw new TypeError('Illegal invocation');
    let eme = emes.get(element as object);
    if (!eme) {
      const target = element as HostMediaElement;
      eme = new ElementEme({
        fireEncrypted: () => {},
        fireWaitingForKey: () => target.dispatchEvent(simpleEvent(realm, 'waitingforkey')),
        // No media is ever loaded here: nothing keeps the MediaKeys in use.
        mediaKeysInUse: () => false,
      });
      emes.set(element as object, eme);
    }
    return eme;
  };
  const accessor = { enumerable: true, configurable: true } as const;
  const mediaKeys = Object.getOwnPropertyDescriptor({ get mediaKeys() { return emeOf(this).mediaKeys; } }, 'mediaKeys')!;
  Object.defineProperty(proto, 'mediaKeys', { ...accessor, get: mediaKeys.get });
  for (const type of ['encrypted', 'waitingforkey']) {
    const name = `on${type}`;
    const handlers = {
      get [name](): unknown {
        emeOf(this);
        return getEventHandler(this as unknown as EventTarget, type);
      },
      set [name](value: unknown) {
        emeOf(this);
        setEventHandler(this as unknown as EventTarget, type, value);
      },
    };
    const { get, set } = Object.getOwnPropertyDescriptor(handlers, name)!;
    Object.defineProperty(proto, name, { ...accessor, get, set });
  }
  defineMethod(proto, 'setMediaKeys', 1, function (args) {
    try {
      return emeOf(this).setMediaKeys(args.length, args[0]);
    } catch (error) {
      return Promise.reject(error);
    }
  });
}
