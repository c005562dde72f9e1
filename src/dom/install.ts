// installMedia(window): makes a host DOM (jsdom, happy-dom) play media the way a player expects of a browser —
// every <video>/<audio> a working headless media element with EME, the EME interfaces and navigator method on
// the window, MediaSource (mse), and the little things hosts lack (a screen with a size, `this` in a request's
// event handlers, an ArrayBuffer as an "arraybuffer" request's response).

import { installOn } from '../eme/install.js';
import { createEME, type EmePlatform } from '../eme/platform.js';
import { realClock, type Clock } from '../util/clock.js';
import { VirtualClock } from '../util/virtual-clock.js';
import type { PlayedTrack } from './element/frames.js';
import { HeadlessMedia } from './element/headless-media.js';
import { MediaErrorInterface } from './element/media-error.js';
import { TRACK_INTERFACES } from './element/tracks.js';
import { VideoPlaybackQualityInterface } from './element/video-playback-quality.js';
import { exposeInterface } from '../webidl/expose.js';
import { realmOf } from '../webidl/realm.js';
import { TimeRangesIdl } from './time-ranges.js';
import { patchMediaElements } from './element/prototype.js';
import { installInFrames } from './frames.js';
import { Ticker } from './element/ticker.js';
import type { HostElement, HostWindow } from './host-window.js';
import type { InstallMediaSource, MediaSourceRegistry } from './media-source-link.js';
import { installMediaSource } from './mse/install.js';
import { giveScreenASize } from './screen.js';
import { giveArrayBufferResponses } from './xhr-array-buffer.js';
import { callRequestHandlersWithTheirRequest } from './xhr-handlers.js';

export interface InstallMediaOptions {
  /** The EME platform behind navigator.requestMediaKeySystemAccess (key systems, session store); createEME() by default. */
  readonly eme?: EmePlatform;
  /**
   * What moves media time: 'real' (default) wall time; 'virtual' a VirtualClock that plays as fast as media is
   * buffered (and decryptable), driven by setImmediate so fake timers drive it too; or a Clock to share (e.g.
   * a VirtualClock given to a test key system as well).
   */
  readonly clock?: 'real' | 'virtual' | Clock;
  /** Keep the decrypted bytes of every played sample (default: only their SHA-256). */
  readonly keepSamples?: boolean;
  /** Another Media Source Extensions behind the element (a test's stand-in); emekit/dom's own by default. */
  readonly mediaSource?: InstallMediaSource;
}

/** emekit/dom's own Media Source Extensions. */
const defaultMediaSource: InstallMediaSource = installMediaSource;

/** One media element of the window, as a test sees it. */
export interface MediaElementRecord {
  /** The <video> or <audio> element. */
  readonly element: unknown;
  /** What it played, by track ID ("1", "2"). */
  readonly tracks: ReadonlyMap<string, PlayedTrack>;
}

export interface InstalledMedia {
  readonly window: HostWindow;
  /** The clock media time follows (a VirtualClock with `clock: 'virtual'`). */
  readonly clock: Clock;
  /** Every media element that has been used, in the order first used. */
  readonly elements: readonly MediaElementRecord[];
  /** The record of one element (created on first use). */
  recordOf(element: unknown): MediaElementRecord;
}

const installed = new WeakMap<object, InstalledMedia>();

export function installMedia(window: HostWindow, options: InstallMediaOptions = {}): InstalledMedia {
  const existing = installed.get(window);
  if (existing) return existing;
  const clock = options.clock === 'virtual' ? new VirtualClock() : options.clock === 'real' || options.clock === undefined ? realClock : options.clock;
  const ticker = new Ticker(clock);
  const registry: MediaSourceRegistry = (options.mediaSource ?? defaultMediaSource)(window);
  const states = new WeakMap<object, HeadlessMedia>();
  const elements: MediaElementRecord[] = [];
  const stateOf = (element: HostElement): HeadlessMedia => {
    let state = states.get(element);
    if (!state) {
      const media = new HeadlessMedia(element, { window, ticker, registry: () => registry, keepSamples: options.keepSamples === true });
      states.set(element, media);
      elements.push({ element, tracks: media.played });
      watchSourceChildren(window, element, (list) => {
        if (list.some(isSourceElement)) media.sourceInserted();
      });
      state = media;
    }
    return state;
  };

  patchMediaElements(window, stateOf);
  // EME: the window's own interface objects (its events subclass its Event) and navigator.requestMediaKeySystemAccess.
  const eme = options.eme ?? createEME();
  installOn(window, eme);
  // The interfaces of the objects the element's attributes return, the window's own: a host's (happy-dom has
  // TimeRanges, TextTrackList, TextTrack and TextTrackCueList) would not describe them, so they are replaced.
  for (const iface of [MediaErrorInterface, TimeRangesIdl, VideoPlaybackQualityInterface, ...TRACK_INTERFACES]) exposeInterface(realmOf(window), iface, true);
  giveScreenASize(window);
  callRequestHandlersWithTheirRequest(window);
  giveArrayBufferResponses(window);

  const media: InstalledMedia = {
    window,
    clock,
    elements,
    recordOf: (element) => {
      stateOf(element as HostElement);
      return elements.find((record) => record.element === element)!;
    },
  };
  installed.set(window, media);
  // A <source> inserted into an element that nothing has touched yet (the element's own watcher starts with it).
  watchSourceChildren(window, window.document, (added) => {
    for (const node of added) {
      const parent = (node as { parentNode?: HostElement | null }).parentNode;
      if (isSourceElement(node) && parent && parent instanceof (window['HTMLMediaElement'] as Function) && !states.has(parent)) stateOf(parent).sourceInserted();
    }
  }, true);
  // Elements parsed with a src attribute start loading, as when the parser inserts them.
  for (const element of window.document.querySelectorAll('video[src], audio[src]')) stateOf(element).load();
  // Frames: the same install in their windows, on this window's clock.
  installInFrames(window, eme, (frameWindow, frameEme) => installMedia(frameWindow, { ...options, eme: frameEme, clock }));
  return media;
}

function isSourceElement(node: unknown): boolean {
  return (node as { localName?: string }).localName === 'source';
}

/** Calls `added` with the nodes inserted as children of `target` (or anywhere below it, with `subtree`). */
function watchSourceChildren(window: HostWindow, target: object, added: (nodes: unknown[]) => void, subtree = false): void {
  const Observer = window['MutationObserver'] as (new (cb: (records: Array<{ addedNodes: ArrayLike<unknown> }>) => void) => { observe(t: object, o: object): void }) | undefined;
  if (typeof Observer !== 'function') return;
  new Observer((records) => added(records.flatMap((record) => Array.from(record.addedNodes)))).observe(target, { childList: true, subtree });
}
