// Puts the headless media element on a window's HTMLMediaElement.prototype and HTMLVideoElement.prototype, replacing
// the host's stubs (jsdom's throw "not implemented" or return constants; happy-dom's keep inert state). Every
// <video> and <audio> of the window, existing or future, gets its state (a HeadlessMedia) on first use.

import type { HostElement, HostWindow } from '../host-window.js';
import { domException, illegalInvocation, rejectedPromise } from '../../webidl/errors.js';
import { checkArguments, inRealm } from '../../webidl/method.js';
import { defaultRealm, realmOf, type Realm } from '../../webidl/realm.js';
import { getEventHandler, setEventHandler } from '../../webidl/event-handler.js';
import { canPlayType } from './can-play-type.js';
import { completeHostMembers } from './host-members.js';
import { HeadlessMedia, NETWORK, READY } from './headless-media.js';
import { timeRangesFor } from '../time-ranges.js';
import { videoPlaybackQuality } from './video-playback-quality.js';

type Prototype = Record<string, unknown>;

const CONSTANTS: Record<string, number> = {
  NETWORK_EMPTY: NETWORK.EMPTY,
  NETWORK_IDLE: NETWORK.IDLE,
  NETWORK_LOADING: NETWORK.LOADING,
  NETWORK_NO_SOURCE: NETWORK.NO_SOURCE,
  HAVE_NOTHING: READY.NOTHING,
  HAVE_METADATA: READY.METADATA,
  HAVE_CURRENT_DATA: READY.CURRENT_DATA,
  HAVE_FUTURE_DATA: READY.FUTURE_DATA,
  HAVE_ENOUGH_DATA: READY.ENOUGH_DATA,
};

/** Finite double or TypeError, as WebIDL's `double` (not `unrestricted double`). */
function toFiniteDouble(value: unknown, member: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`Failed to set the '${member}' property on 'HTMLMediaElement': The provided double value is non-finite.`);
  return n;
}

/** What the members need of the window an element belongs to. */
interface WindowMedia {
  readonly stateOf: (element: HostElement) => HeadlessMedia;
  readonly realm: Realm;
}

// happy-dom's windows share their element classes (one HTMLMediaElement.prototype per process). So the members are put
// on a prototype once, and each finds the element's own window through its document. Nothing they close over holds
// a window (the last installed one only weakly): a closed window, its elements, buffers and sessions can be collected.
const mediaByDocument = new WeakMap<object, WindowMedia>();
const lastInstalled = new WeakMap<object, WeakRef<WindowMedia>>();

export function patchMediaElements(window: HostWindow, stateOf: (element: HostElement) => HeadlessMedia): void {
  const MediaElement = window['HTMLMediaElement'] as (Function & Prototype) | undefined;
  if (typeof MediaElement !== 'function') throw new TypeError('installMedia: the window has no HTMLMediaElement');
  const proto = MediaElement.prototype as Prototype;
  const windowMedia: WindowMedia = { stateOf, realm: realmOf(window) };
  mediaByDocument.set(window.document, windowMedia);
  const patched = lastInstalled.has(proto);
  lastInstalled.set(proto, new WeakRef(windowMedia));
  const latest = (): WindowMedia | undefined => lastInstalled.get(proto)?.deref();
  // The realm of an error about a receiver that is no element of any window: the last installed window's.
  const currentRealm = (): Realm => latest()?.realm ?? defaultRealm();
  // Per window, even where the prototype is shared: the window's own interface objects.
  completeHostMembers(window, currentRealm);
  if (patched) return;
  const srcDescriptor = findDescriptor(proto, 'src');

  const state = (self: unknown, member: string): HeadlessMedia => {
    if (typeof self !== 'object' || self === null || !(self instanceof MediaElement)) throw illegalInvocation(currentRealm(), 'HTMLMediaElement', member);
    const element = self as HostElement;
    // An element of a document installMedia did not see (e.g. one made by document.implementation) plays in the
    // last installed window.
    const owner = mediaByDocument.get(element.ownerDocument) ?? latest();
    if (!owner) throw illegalInvocation(currentRealm(), 'HTMLMediaElement', member);
    return owner.stateOf(element);
  };
  // What a member makes (time ranges, errors, dates) is the element's window's.
  const realmOfMedia = (media: HeadlessMedia) => realmOf(media.window);
  const ranges = (media: HeadlessMedia, r: Array<[number, number]>) => timeRangesFor(media.window).create(r);
  // Accessors and operations as WebIDL makes them: getters named "get x", setters "set x", IDL lengths.
  const getter = (name: string, get: (s: HeadlessMedia) => unknown) =>
    define(proto, name, {
      get: named(`get ${name}`, 0, function (this: unknown) {
        return get(state(this, name));
      }),
    });
  const accessor = (name: string, get: (s: HeadlessMedia) => unknown, set: (s: HeadlessMedia, v: unknown) => void) =>
    define(proto, name, {
      get: named(`get ${name}`, 0, function (this: unknown) {
        return get(state(this, name));
      }),
      set: named(`set ${name}`, 1, function (this: unknown, value: unknown) {
        const media = state(this, name);
        inRealm(realmOfMedia(media), () => set(media, value));
      }),
    });
  // An operation checks its receiver, then its argument count (WebIDL); a promise-returning one reports both as a
  // rejection.
  const method = (name: string, length: number, fn: (s: HeadlessMedia, args: unknown[]) => unknown, promise = false) =>
    define(proto, name, {
      value: named(name, length, function (this: unknown, ...args: unknown[]) {
        let realm = currentRealm();
        try {
          const media = state(this, name);
          realm = realmOfMedia(media);
          checkArguments(realm, 'HTMLMediaElement', { name, length }, args.length);
          return inRealm(realm, () => fn(media, args));
        } catch (error) {
          if (promise) return rejectedPromise(realm, error);
          throw error;
        }
      }),
      writable: true,
    });

  for (const [name, value] of Object.entries(CONSTANTS)) {
    for (const target of [MediaElement as Prototype, proto]) {
      if (!Object.prototype.hasOwnProperty.call(target, name)) Object.defineProperty(target, name, { value, enumerable: true });
    }
  }

  // src: the host's reflection of the attribute, and setting it runs the load algorithm (HTML: "If a src attribute
  // of a media element is set or changed, the user agent must invoke the media element load algorithm").
  define(proto, 'src', {
    get: named('get src', 0, function (this: HostElement) {
      state(this, 'src');
      if (srcDescriptor?.get) return srcDescriptor.get.call(this);
      const value = this.getAttribute('src');
      return value === null ? '' : new URL(value, this.ownerDocument.baseURI).href;
    }),
    set: named('set src', 1, function (this: HostElement, value: unknown) {
      const media = state(this, 'src');
      this.setAttribute('src', String(value));
      media.load();
    }),
  });
  accessor('srcObject', (s) => s.srcObject, (s, v) => {
    s.srcObject = v ?? null;
    s.load();
  });
  getter('currentSrc', (s) => s.currentSrc);
  getter('networkState', (s) => s.networkState);
  getter('readyState', (s) => s.readyState);
  getter('seeking', (s) => s.seeking);
  getter('paused', (s) => s.paused);
  getter('ended', (s) => s.ended);
  getter('duration', (s) => s.duration);
  getter('error', (s) => s.error);
  getter('buffered', (s) => ranges(s, s.buffered()));
  getter('seekable', (s) => ranges(s, s.seekable()));
  getter('played', (s) => ranges(s, s.playedRanges()));
  getter('audioTracks', (s) => s.audioTracks.list);
  getter('videoTracks', (s) => s.videoTracks.list);
  getter('textTracks', (s) => s.textTracks.list);
  accessor('currentTime', (s) => s.currentTime, (s, v) => s.setCurrentTime(toFiniteDouble(v, 'currentTime')));
  accessor('playbackRate', (s) => s.playbackRate, (s, v) => {
    s.playbackRate = toFiniteDouble(v, 'playbackRate');
  });
  accessor('defaultPlaybackRate', (s) => s.defaultPlaybackRate, (s, v) => {
    const rate = toFiniteDouble(v, 'defaultPlaybackRate');
    if (rate !== s.defaultPlaybackRate) {
      s.defaultPlaybackRate = rate;
      s.fireSoon('ratechange');
    }
  });
  accessor('volume', (s) => s.volume, (s, v) => {
    const volume = toFiniteDouble(v, 'volume');
    if (volume < 0 || volume > 1) throw domException(realmOfMedia(s), 'IndexSizeError', `The volume provided (${volume}) is outside the range [0, 1].`);
    if (volume !== s.volume) {
      s.volume = volume;
      s.fireSoon('volumechange');
    }
  });
  accessor('muted', (s) => s.muted, (s, v) => {
    if (Boolean(v) !== s.muted) {
      s.muted = Boolean(v);
      s.fireSoon('volumechange');
    }
  });
  method('load', 0, (s) => s.load());
  method('play', 0, (s) => s.play(), true);
  method('pause', 0, (s) => s.pause());
  method('fastSeek', 1, (s, [time]) => s.setCurrentTime(toFiniteDouble(time, 'fastSeek')));
  method('canPlayType', 1, (_s, [type]) => canPlayType(String(type)));
  // No timeline offset is known (no EXT-X-PROGRAM-DATE-TIME, no live clock): an invalid Date (HTML).
  method('getStartDate', 0, (s) => new (s.window['Date'] as DateConstructor)(NaN));
  method('addTextTrack', 1, (s, [kind, label, language]) => s.addTextTrack(String(kind), label === undefined ? '' : String(label), language === undefined ? '' : String(language)));

  // EME §7: the HTMLMediaElement extensions, on element/'s ElementEme.
  getter('mediaKeys', (s) => s.eme.mediaKeys);
  method('setMediaKeys', 1, (s, args) => s.eme.setMediaKeys(args.length, args[0]), true);
  for (const name of ['encrypted', 'waitingforkey']) {
    define(proto, `on${name}`, {
      get: named(`get on${name}`, 0, function (this: unknown) {
        return getEventHandler(state(this, `on${name}`).element as unknown as EventTarget, name);
      }),
      set: named(`set on${name}`, 1, function (this: unknown, value: unknown) {
        setEventHandler(state(this, `on${name}`).element as unknown as EventTarget, name, value);
      }),
    });
  }

  // HTMLVideoElement: the frame size from the track, and playback quality from the frames decoded.
  const VideoElement = window['HTMLVideoElement'] as (Function & Prototype) | undefined;
  if (typeof VideoElement === 'function') {
    const video = VideoElement.prototype as Prototype;
    const videoState = (self: unknown, member: string) => {
      if (typeof self !== 'object' || self === null || !(self instanceof VideoElement)) throw illegalInvocation(currentRealm(), 'HTMLVideoElement', member);
      return state(self, member);
    };
    define(video, 'videoWidth', { get: named('get videoWidth', 0, function (this: unknown) { return videoState(this, 'videoWidth').videoWidth; }) });
    define(video, 'videoHeight', { get: named('get videoHeight', 0, function (this: unknown) { return videoState(this, 'videoHeight').videoHeight; }) });
    define(video, 'getVideoPlaybackQuality', {
      value: function getVideoPlaybackQuality(this: unknown) {
        const s = videoState(this, 'getVideoPlaybackQuality');
        return videoPlaybackQuality(realmOfMedia(s), { creationTime: s.clockNow(), totalVideoFrames: s.decodedVideoFrames, droppedVideoFrames: 0 });
      },
      writable: true,
    });
  }
}

/** A function with the name and length WebIDL gives it (idlharness checks both). */
function named<F extends Function>(name: string, length: number, fn: F): F {
  Object.defineProperty(fn, 'name', { value: name, configurable: true });
  Object.defineProperty(fn, 'length', { value: length, configurable: true });
  return fn;
}

function define(target: Prototype, name: string, descriptor: PropertyDescriptor): void {
  Object.defineProperty(target, name, { enumerable: true, configurable: true, ...descriptor });
}

function findDescriptor(target: object | null, name: string): PropertyDescriptor | undefined {
  for (let o = target; o !== null; o = Object.getPrototypeOf(o)) {
    const descriptor = Object.getOwnPropertyDescriptor(o, name);
    if (descriptor) return descriptor;
  }
  return undefined;
}
