// What the MSE objects of one window share: the window's own Event and DOMException (so that jsdom's and
// happy-dom's dispatchEvent accept the events and a player's instanceof checks hold; the DOMException is
// webidl/errors.ts's for the window's realm), its TimeRanges, the options.

import type { HostEventTarget, HostWindow } from '../host-window.js';
import { timeRangesFor, type TimeRangesInterface } from '../time-ranges.js';
import { queueTask } from '../../webidl/tasks.js';
import { domException, type DomExceptionName } from '../../webidl/errors.js';
import { realmOf, type Realm } from '../../webidl/realm.js';

export interface MediaSourceOptions {
  /**
   * Bytes of coded frames a SourceBuffer holds before appendBuffer() evicts (coded frame eviction) and then throws
   * QuotaExceededError. Default as Chromium: 150 MB with a video track, 12 MB audio only.
   */
  readonly sourceBufferQuota?: { readonly video?: number; readonly audio?: number };
  /** How many SourceBuffers one MediaSource may have before addSourceBuffer() throws QuotaExceededError. Default 8. */
  readonly maxSourceBuffers?: number;
}

export interface WindowContext {
  readonly window: HostWindow;
  /** The window's realm: the MSE interface objects and the objects made for it. */
  readonly realm: Realm;
  readonly timeRanges: TimeRangesInterface;
  readonly quota: { video: number; audio: number };
  readonly maxSourceBuffers: number;
  /** Queues a task that fires a simple event named `type` at `target` (the window's own Event). */
  fire(target: HostEventTarget, type: string): void;
  /** Queues a task (steps that run "asynchronously", after the tasks queued before them). */
  queue(steps: () => void): void;
  error(name: DomExceptionName, message: string): DOMException;
}

const contexts = new WeakMap<Realm, WindowContext>();

/** The context installMediaSource made for a realm (the MediaSource constructor's). */
export function windowContextOf(realm: Realm): WindowContext | undefined {
  return contexts.get(realm);
}

export function windowContext(window: HostWindow, options: MediaSourceOptions = {}): WindowContext {
  const HostEvent = window.Event;
  const realm = realmOf(window);
  const context: WindowContext = {
    window,
    realm,
    timeRanges: timeRangesFor(window),
    quota: { video: options.sourceBufferQuota?.video ?? 150e6, audio: options.sourceBufferQuota?.audio ?? 12e6 },
    maxSourceBuffers: options.maxSourceBuffers ?? 8,
    fire(target, type) {
      queueTask(() => target.dispatchEvent(new HostEvent(type)));
    },
    queue: queueTask,
    error: (name, message) => domException(realm, name, message),
  };
  contexts.set(realm, context);
  return context;
}
