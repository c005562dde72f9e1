// The host's own members of the media element interfaces, made as WebIDL and HTML define them where a host does not
// (happy-dom: non-enumerable accessors that skip the receiver check, no width/height/poster/playsInline on
// HTMLVideoElement, enumerable interface objects; jsdom: no preservesPitch). The behaviour stays the host's: the
// content attribute reflections keep their getters and setters, wrapped.

import type { HostElement, HostWindow } from '../host-window.js';
import { illegalInvocation } from '../../webidl/errors.js';
import type { Realm } from '../../webidl/realm.js';

type Prototype = Record<string, unknown>;

const MEDIA_REFLECTIONS = ['crossOrigin', 'preload', 'autoplay', 'loop', 'controls', 'defaultMuted'];

/** An accessor as WebIDL makes one: enumerable, named "get x"/"set x", with a receiver check. */
function defineAccessor(realm: () => Realm, proto: object, Interface: Function, interfaceName: string, name: string, get: (self: HostElement) => unknown, set?: (self: HostElement, value: unknown) => void): void {
  const check = (self: unknown): HostElement => {
    if (typeof self !== 'object' || self === null || !(self instanceof Interface)) throw illegalInvocation(realm(), interfaceName, name);
    return self as HostElement;
  };
  const accessors = {
    get [name](): unknown {
      return get(check(this));
    },
    set [name](value: unknown) {
      set!(check(this), value);
    },
  };
  const built = Object.getOwnPropertyDescriptor(accessors, name)!;
  Object.defineProperty(proto, name, { get: built.get, set: set ? built.set : undefined, enumerable: true, configurable: true });
}

/** A reflected unsigned long (HTML §2.6.1): the attribute's non-negative integer value, else 0. */
function reflectUnsignedLong(name: string): [(self: HostElement) => unknown, (self: HostElement, value: unknown) => void] {
  return [
    (self) => {
      const value = /^\s*\+?(\d+)/.exec(self.getAttribute(name) ?? '');
      const number = value ? Number(value[1]) : NaN;
      return Number.isInteger(number) && number <= 2147483647 ? number : 0;
    },
    (self, value) => {
      const number = Math.trunc(Number(value)) >>> 0;
      self.setAttribute(name, String(number > 2147483647 ? 0 : number));
    },
  ];
}

/** `realm`: where a receiver error is made (not captured: happy-dom's windows share these prototypes). */
export function completeHostMembers(window: HostWindow, realm: () => Realm): void {
  const MediaElement = window['HTMLMediaElement'] as Function & { prototype: Prototype };
  const media = MediaElement.prototype;
  for (const name of MEDIA_REFLECTIONS) {
    const own = Object.getOwnPropertyDescriptor(media, name);
    if (!own?.get || !own.set || own.enumerable) continue;
    defineAccessor(realm, media, MediaElement, 'HTMLMediaElement', name, (self) => own.get!.call(self), (self, value) => own.set!.call(self, value));
  }
  // preservesPitch: no content attribute; true until script sets it.
  const pitch = Object.getOwnPropertyDescriptor(media, 'preservesPitch');
  const preserved = new WeakMap<object, boolean>();
  if (!pitch || !pitch.enumerable) {
    defineAccessor(realm, media, MediaElement, 'HTMLMediaElement', 'preservesPitch', (self) => preserved.get(self) ?? true, (self, value) => preserved.set(self, Boolean(value)));
  }

  const VideoElement = window['HTMLVideoElement'] as (Function & { prototype: Prototype }) | undefined;
  if (typeof VideoElement === 'function') {
    const video = VideoElement.prototype;
    const reflections: Record<string, [(self: HostElement) => unknown, (self: HostElement, value: unknown) => void]> = {
      width: reflectUnsignedLong('width'),
      height: reflectUnsignedLong('height'),
      // A USVString URL: the attribute resolved against the document's base URL ('' when absent).
      poster: [
        (self) => {
          const value = self.getAttribute('poster');
          if (value === null) return '';
          try {
            return new URL(value, self.ownerDocument.baseURI).href;
          } catch {
            return value;
          }
        },
        (self, value) => self.setAttribute('poster', String(value)),
      ],
      playsInline: [(self) => self.hasAttribute('playsinline'), (self, value) => (value ? self.setAttribute('playsinline', '') : self.removeAttribute('playsinline'))],
    };
    for (const [name, [get, set]] of Object.entries(reflections)) {
      if (!(name in video)) defineAccessor(realm, video, VideoElement, 'HTMLVideoElement', name, get, set);
    }
  }

  // [Exposed=Window] interface objects are not enumerable properties of the window.
  for (const name of ['HTMLMediaElement', 'HTMLVideoElement', 'HTMLAudioElement']) {
    const own = Object.getOwnPropertyDescriptor(window, name);
    if (own?.enumerable && own.configurable) Object.defineProperty(window, name, { ...own, enumerable: false });
  }
}
