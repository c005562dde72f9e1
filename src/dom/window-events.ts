// Events of a host window: jsdom's and happy-dom's dispatchEvent accept only their own Event objects, so what
// emekit/dom fires at DOM objects is made from the window's Event (MediaEncryptedEvent subclasses it).

import type { HostEvent, HostEventTarget, HostWindow } from './host-window.js';
import { illegalInvocation } from '../webidl/errors.js';
import { toDOMString } from '../webidl/conversions.js';
import { perWindow } from './per-window.js';

export interface WindowEvents {
  /** A simple event (not bubbling, not cancelable), as the HTML spec's "fire an event". */
  simple(type: string): HostEvent;
  /** EME's MediaEncryptedEvent for this window. */
  encrypted(initDataType: string, initData: ArrayBuffer | null): HostEvent;
  /** The window's MediaEncryptedEvent interface object. */
  readonly MediaEncryptedEvent: new (type: string, init?: object) => HostEvent;
}

export const windowEvents: (window: HostWindow) => WindowEvents = perWindow(makeWindowEvents);

/** Fires a simple event at `target` now: the caller is already in the task that fires it. */
export function fireSimple(window: HostWindow, target: HostEventTarget, type: string): void {
  target.dispatchEvent(windowEvents(window).simple(type));
}

function makeWindowEvents(window: HostWindow): WindowEvents {
  const Base = window.Event as unknown as new (type: string, init?: object) => HostEvent;

  // EME §MediaEncryptedEvent on the window's Event, with its dictionary's defaults ("" and null).
  class MediaEncryptedEvent extends Base {
    readonly #initDataType: string;
    readonly #initData: ArrayBuffer | null;

    constructor(type: string, init: { initDataType?: unknown; initData?: unknown } & Record<string, unknown> = {}) {
      const context = "Failed to construct 'MediaEncryptedEvent'";
      if (arguments.length < 1) throw new TypeError(`${context}: 1 argument required, but only 0 present.`);
      const dict = init ?? {};
      const initData = dict.initData;
      if (initData !== undefined && initData !== null && Object.prototype.toString.call(initData) !== '[object ArrayBuffer]') {
        throw new TypeError(`${context}: initData is not an ArrayBuffer`);
      }
      const initDataType = dict.initDataType === undefined ? '' : toDOMString(dict.initDataType, `${context}: initDataType`);
      super(toDOMString(type, context), { bubbles: Boolean(dict.bubbles), cancelable: Boolean(dict.cancelable), composed: Boolean(dict.composed) });
      this.#initDataType = initDataType;
      this.#initData = (initData ?? null) as ArrayBuffer | null;
    }

    get initDataType(): string {
      return MediaEncryptedEvent.#brand(this, 'initDataType').#initDataType;
    }

    get initData(): ArrayBuffer | null {
      return MediaEncryptedEvent.#brand(this, 'initData').#initData;
    }

    static #brand(value: unknown, member: string): MediaEncryptedEvent {
      if (typeof value !== 'object' || value === null || !(#initData in value)) throw illegalInvocation('MediaEncryptedEvent', member);
      return value as MediaEncryptedEvent;
    }
  }
  Object.defineProperty(MediaEncryptedEvent.prototype, Symbol.toStringTag, { value: 'MediaEncryptedEvent', configurable: true });

  return {
    simple: (type) => new Base(type, { bubbles: false, cancelable: false }),
    encrypted: (initDataType, initData) => new MediaEncryptedEvent('encrypted', { initDataType, initData }),
    MediaEncryptedEvent: MediaEncryptedEvent as unknown as WindowEvents['MediaEncryptedEvent'],
  };
}
