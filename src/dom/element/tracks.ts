// audioTracks, videoTracks and textTracks (HTML §4.8.11.10–11) as event targets of the host window: jsdom has plain
// arrays there and happy-dom no audio/video lists, while players listen for addtrack/change on them. Per window,
// the list classes extend the window's EventTarget so that its events dispatch there.

import type { HostEvent, HostEventTarget, HostWindow } from '../host-window.js';
import { getEventHandler, setEventHandler } from '../../webidl/event-handler.js';
import { queueTask } from '../../webidl/tasks.js';
import { perWindow } from '../per-window.js';

export interface MediaTrack {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly language: string;
}

export interface TrackList<T extends MediaTrack> extends HostEventTarget {
  readonly length: number;
  getTrackById(id: string): T | null;
}

export interface TrackListControl<T extends MediaTrack> {
  readonly list: TrackList<T>;
  add(track: T): void;
  clear(): void;
  tracks(): readonly T[];
}

export interface WindowTracks {
  audioList(): TrackListControl<AudioTrackLike>;
  videoList(): TrackListControl<VideoTrackLike>;
  textList(): TrackListControl<TextTrackLike>;
  audioTrack(id: string, enabled: boolean): AudioTrackLike;
  videoTrack(id: string, selected: boolean): VideoTrackLike;
  textTrack(kind: string, label: string, language: string): TextTrackLike;
}

export interface AudioTrackLike extends MediaTrack {
  enabled: boolean;
}
export interface VideoTrackLike extends MediaTrack {
  selected: boolean;
}
export interface TextTrackLike extends MediaTrack, HostEventTarget {
  mode: string;
  readonly cues: readonly unknown[];
  addCue(cue: unknown): void;
  removeCue(cue: unknown): void;
}

export const windowTracks: (window: HostWindow) => WindowTracks = perWindow(makeWindowTracks);

function makeWindowTracks(window: HostWindow): WindowTracks {
  const Target = window.EventTarget as unknown as new () => HostEventTarget;
  const trackEvent = (type: string, track: unknown): HostEvent => {
    const event = new window.Event(type);
    Object.defineProperty(event, 'track', { value: track, enumerable: true });
    return event;
  };

  /** A list with an indexed getter and length, hence iterable (WebIDL), firing addtrack/removetrack/change. */
  class List<T extends MediaTrack> extends Target {
    readonly #items: T[] = [];
    constructor(private readonly tag: string) {
      super();
    }
    get length(): number {
      return this.#items.length;
    }
    getTrackById(id: string): T | null {
      return this.#items.find((track) => track.id === String(id)) ?? null;
    }
    [Symbol.iterator](): Iterator<T> {
      return this.#items[Symbol.iterator]();
    }
    get [Symbol.toStringTag](): string {
      return this.tag;
    }
    /** Internal: adds a track and queues addtrack. */
    add(track: T): void {
      Object.defineProperty(this, this.#items.length, { value: track, configurable: true, enumerable: true });
      this.#items.push(track);
      queueTask(() => this.dispatchEvent(trackEvent('addtrack', track)));
    }
    clear(): void {
      const removed = this.#items.splice(0);
      removed.forEach((track, i) => {
        delete (this as unknown as Record<number, T>)[i];
        queueTask(() => this.dispatchEvent(trackEvent('removetrack', track)));
      });
    }
    tracks(): readonly T[] {
      return this.#items;
    }
  }
  for (const name of ['change', 'addtrack', 'removetrack']) {
    Object.defineProperty(List.prototype, `on${name}`, {
      get(this: HostEventTarget) {
        return getEventHandler(this as unknown as EventTarget, name);
      },
      set(this: HostEventTarget, value: unknown) {
        setEventHandler(this as unknown as EventTarget, name, value);
      },
      configurable: true,
    });
  }

  const control = <T extends MediaTrack>(tag: string): TrackListControl<T> => {
    const list = new List<T>(tag);
    return { list, add: (t) => list.add(t), clear: () => list.clear(), tracks: () => list.tracks() };
  };

  class TextTrack extends Target implements TextTrackLike {
    #mode = 'disabled';
    readonly cues: unknown[] = [];
    readonly activeCues: unknown[] = [];
    constructor(readonly kind: string, readonly label: string, readonly language: string, readonly id = '') {
      super();
    }
    get mode(): string {
      return this.#mode;
    }
    set mode(value: string) {
      if (value === 'disabled' || value === 'hidden' || value === 'showing') this.#mode = value;
    }
    addCue(cue: unknown): void {
      if (!this.cues.includes(cue)) this.cues.push(cue);
    }
    removeCue(cue: unknown): void {
      const i = this.cues.indexOf(cue);
      if (i === -1) throw new DOMException('The cue is not in this track.', 'NotFoundError');
      this.cues.splice(i, 1);
    }
    get [Symbol.toStringTag](): string {
      return 'TextTrack';
    }
  }

  return {
    audioList: () => control<AudioTrackLike>('AudioTrackList'),
    videoList: () => control<VideoTrackLike>('VideoTrackList'),
    textList: () => control<TextTrackLike>('TextTrackList'),
    audioTrack: (id, enabled) => ({ id, kind: 'main', label: '', language: '', enabled }),
    videoTrack: (id, selected) => ({ id, kind: 'main', label: '', language: '', selected }),
    textTrack: (kind, label, language) => new TextTrack(kind, label, language),
  };
}
