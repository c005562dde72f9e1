// audioTracks, videoTracks and textTracks (HTML §4.8.11.10–11): AudioTrackList, AudioTrack, VideoTrackList,
// VideoTrack, TextTrackList, TextTrack and TextTrackCueList as the window's own interfaces (webidl's, per window):
// jsdom has plain arrays there and happy-dom no audio/video lists, while players listen for addtrack/change on them.
// The lists are event targets of the window (its EventTarget), firing addtrack, removetrack and change.

import type { HostEvent, HostEventTarget, HostWindow } from '../host-window.js';
import { domException, typeError } from '../../webidl/errors.js';
import { IndexedList } from '../../webidl/indexed.js';
import { WebIDLInterface } from '../../webidl/interface.js';
import { PlatformObject } from '../../webidl/platform-object.js';
import { realmOf, type Realm } from '../../webidl/realm.js';
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
  /** Removes the track if the list has it, queueing removetrack. */
  remove(track: T): void;
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
  readonly cues: unknown;
  addCue(cue: unknown): void;
  removeCue(cue: unknown): void;
}

/** What a track tells the list it is in: a change of enabled/selected (HTML: queue `change` at the list). */
interface TrackOwner {
  changed(track: object): void;
}

const owners = new WeakMap<object, TrackOwner>();

/** What the three track lists share beside their indexed items: getTrackById; they fire addtrack/removetrack/change. */
abstract class TrackListBase<T extends MediaTrack> extends IndexedList<T> {
  getTrackById(id: string): T | null {
    return IndexedList.itemsOf(this).find((track) => track.id === id) ?? null;
  }
}

export interface AudioTrackList extends HostEventTarget {}
export class AudioTrackList extends TrackListBase<AudioTrackLike> {}

export interface VideoTrackList extends HostEventTarget {}
export class VideoTrackList extends TrackListBase<VideoTrackLike> {
  get selectedIndex(): number {
    return IndexedList.itemsOf(this).findIndex((track) => track.selected);
  }
}

export interface TextTrackList extends HostEventTarget {}
export class TextTrackList extends TrackListBase<TextTrackLike> {}

/** The attributes every track has, fixed when the track is made. */
interface TrackRecord {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
  readonly language: string;
}

const sourceBuffers = new WeakMap<object, object>();

/** MSE's track.sourceBuffer: the SourceBuffer that made the track, until it is removed (null: none). */
export function setTrackSourceBuffer(track: object, sourceBuffer: object | null): void {
  if (sourceBuffer) sourceBuffers.set(track, sourceBuffer);
  else sourceBuffers.delete(track);
}

/** id, kind, label and language: what every track has, fixed when it is made; and MSE's sourceBuffer. */
abstract class TrackBase extends PlatformObject {
  readonly #record: TrackRecord;

  constructor(object: object, record: TrackRecord) {
    super(object);
    this.#record = record;
  }

  get sourceBuffer(): object | null {
    return sourceBuffers.get(this) ?? null;
  }

  get id(): string {
    return this.#record.id;
  }

  get kind(): string {
    return this.#record.kind;
  }

  get label(): string {
    return this.#record.label;
  }

  get language(): string {
    return this.#record.language;
  }
}

export class AudioTrack extends TrackBase implements AudioTrackLike {
  #enabled: boolean;

  constructor(object: object, record: TrackRecord, enabled: boolean) {
    super(object, record);
    this.#enabled = enabled;
  }

  get enabled(): boolean {
    return this.#enabled;
  }

  set enabled(enabled: boolean) {
    if (enabled === this.#enabled) return;
    this.#enabled = enabled;
    owners.get(this)?.changed(this);
  }
}

export class VideoTrack extends TrackBase implements VideoTrackLike {
  #selected: boolean;

  constructor(object: object, record: TrackRecord, selected: boolean) {
    super(object, record);
    this.#selected = selected;
  }

  get selected(): boolean {
    return this.#selected;
  }

  /** Selecting a track unselects the list's others (HTML: at most one selected video track). */
  set selected(selected: boolean) {
    if (selected === this.#selected) return;
    this.#selected = selected;
    owners.get(this)?.changed(this);
  }
}

export class TextTrackCueList extends IndexedList<unknown> {
  getCueById(id: string): unknown {
    return IndexedList.itemsOf(this).find((cue) => (cue as { id?: unknown }).id === id) ?? null;
  }
}

/** The text track each cue is listed in (HTML: a cue belongs to one text track at a time). */
const cueTracks = new WeakMap<object, TextTrack>();

/** Whether a listed cue comes after a cue with these times in text track cue order (HTML §4.8.11.11.3). */
function listedAfter(listed: unknown, startTime: number, endTime: number): boolean {
  const { startTime: s, endTime: e } = listed as { startTime: number; endTime: number };
  return s > startTime || (s === startTime && e < endTime);
}

export interface TextTrack extends HostEventTarget {}
export class TextTrack extends TrackBase implements TextTrackLike {
  readonly #realm: Realm;
  #mode = 'disabled';
  /** The text track list of cues: the track's cues are this list's items. */
  readonly #cueList: TextTrackCueList;
  readonly #activeCueList: TextTrackCueList;

  constructor(object: object, realm: Realm, record: TrackRecord) {
    super(object, record);
    this.#realm = realm;
    this.#cueList = new TextTrackCueList(realm.create(TextTrackCueListInterface));
    // Nothing is rendered, so no cue is ever active.
    this.#activeCueList = new TextTrackCueList(realm.create(TextTrackCueListInterface));
  }

  get inBandMetadataTrackDispatchType(): string {
    return '';
  }

  get mode(): string {
    return this.#mode;
  }

  /** Called with a TextTrackMode string (webidl ignores any other). */
  set mode(mode: string) {
    this.#mode = mode;
  }

  /** The live list of cues, null while the track is disabled (HTML §4.8.11.11.5). */
  get cues(): TextTrackCueList | null {
    return this.#mode === 'disabled' ? null : this.#cueList;
  }

  get activeCues(): TextTrackCueList | null {
    return this.#mode === 'disabled' ? null : this.#activeCueList;
  }

  /**
   * HTML addCue(): the cue leaves the track it was in, then joins this one in text track cue order: start time
   * earliest first, then end time latest first, then the order added (so a cue goes after its equals; scanning from
   * the end keeps players' in-order additions O(1)).
   */
  addCue(cue: unknown): void {
    if (typeof cue !== 'object' || cue === null) throw typeError(this.#realm, "Failed to execute 'addCue' on 'TextTrack': parameter 1 is not of type 'TextTrackCue'.");
    const previous = cueTracks.get(cue);
    if (previous) IndexedList.remove(previous.#cueList, cue);
    const { startTime, endTime } = cue as { startTime: number; endTime: number };
    const listed = IndexedList.itemsOf(this.#cueList);
    let at = listed.length;
    while (at > 0 && listedAfter(listed[at - 1], Number(startTime), Number(endTime))) at--;
    IndexedList.insert(this.#cueList, at, cue);
    cueTracks.set(cue, this);
  }

  removeCue(cue: unknown): void {
    if (typeof cue === 'object' && cue !== null && cueTracks.get(cue) === this) cueTracks.delete(cue);
    if (!IndexedList.remove(this.#cueList, cue)) {
      throw domException(this.#realm, 'NotFoundError', "Failed to execute 'removeCue' on 'TextTrack': The specified cue is not listed in the TextTrack's list of cues.");
    }
  }
}

const LIST_EVENTS = ['change', 'addtrack', 'removetrack'];
// sourceBuffer: MSE's partial interfaces of AudioTrack, VideoTrack and TextTrack.
const TRACK_ATTRIBUTES = [{ name: 'id' }, { name: 'kind' }, { name: 'label' }, { name: 'language' }, { name: 'sourceBuffer' }];

export const AudioTrackListInterface: WebIDLInterface<AudioTrackList> = WebIDLInterface.define({
  name: 'AudioTrackList',
  inherits: 'EventTarget',
  implementation: AudioTrackList,
  attributes: [{ name: 'length' }],
  operations: [{ name: 'getTrackById', length: 1, arguments: [{ type: 'DOMString' }] }],
  eventHandlers: LIST_EVENTS,
  indexed: true,
});

export const VideoTrackListInterface: WebIDLInterface<VideoTrackList> = WebIDLInterface.define({
  name: 'VideoTrackList',
  inherits: 'EventTarget',
  implementation: VideoTrackList,
  attributes: [{ name: 'length' }, { name: 'selectedIndex' }],
  operations: [{ name: 'getTrackById', length: 1, arguments: [{ type: 'DOMString' }] }],
  eventHandlers: LIST_EVENTS,
  indexed: true,
});

export const TextTrackListInterface: WebIDLInterface<TextTrackList> = WebIDLInterface.define({
  name: 'TextTrackList',
  inherits: 'EventTarget',
  implementation: TextTrackList,
  attributes: [{ name: 'length' }],
  operations: [{ name: 'getTrackById', length: 1, arguments: [{ type: 'DOMString' }] }],
  eventHandlers: LIST_EVENTS,
  indexed: true,
});

export const AudioTrackInterface: WebIDLInterface<AudioTrack> = WebIDLInterface.define({
  name: 'AudioTrack',
  implementation: AudioTrack,
  attributes: [...TRACK_ATTRIBUTES, { name: 'enabled', writable: true, type: 'boolean' }],
});

export const VideoTrackInterface: WebIDLInterface<VideoTrack> = WebIDLInterface.define({
  name: 'VideoTrack',
  implementation: VideoTrack,
  attributes: [...TRACK_ATTRIBUTES, { name: 'selected', writable: true, type: 'boolean' }],
});

export const TextTrackCueListInterface: WebIDLInterface<TextTrackCueList> = WebIDLInterface.define({
  name: 'TextTrackCueList',
  implementation: TextTrackCueList,
  attributes: [{ name: 'length' }],
  operations: [{ name: 'getCueById', length: 1, arguments: [{ type: 'DOMString' }] }],
  indexed: true,
});

export const TextTrackInterface: WebIDLInterface<TextTrack> = WebIDLInterface.define({
  name: 'TextTrack',
  inherits: 'EventTarget',
  implementation: TextTrack,
  attributes: [
    { name: 'kind' },
    { name: 'label' },
    { name: 'language' },
    { name: 'id' },
    { name: 'inBandMetadataTrackDispatchType' },
    { name: 'mode', writable: true, type: { enum: ['disabled', 'hidden', 'showing'] } },
    { name: 'cues' },
    { name: 'activeCues' },
    { name: 'sourceBuffer' },
  ],
  operations: [
    { name: 'addCue', length: 1 },
    { name: 'removeCue', length: 1 },
  ],
  eventHandlers: ['cuechange'],
});

/** The track interfaces installMedia exposes on the window. */
export const TRACK_INTERFACES: readonly WebIDLInterface<any>[] = [
  AudioTrackListInterface,
  AudioTrackInterface,
  VideoTrackListInterface,
  VideoTrackInterface,
  TextTrackListInterface,
  TextTrackInterface,
  TextTrackCueListInterface,
];

export const windowTracks: (window: HostWindow) => WindowTracks = perWindow(makeWindowTracks);

function makeWindowTracks(window: HostWindow): WindowTracks {
  const realm = realmOf(window);
  const trackEvent = (type: string, track: unknown): HostEvent => {
    const event = new window.Event(type);
    Object.defineProperty(event, 'track', { value: track, enumerable: true });
    return event;
  };

  type ListClass<T extends MediaTrack> = new (object: object) => TrackListBase<T> & HostEventTarget;
  const control = <T extends MediaTrack>(List: ListClass<T>, iface: WebIDLInterface<any>, onChange?: (track: T, items: readonly T[]) => void): TrackListControl<T> => {
    const list = new List(realm.create(iface));
    const owner: TrackOwner = {
      changed(track) {
        onChange?.(track as T, IndexedList.itemsOf(list));
        queueTask(() => list.dispatchEvent(new window.Event('change')));
      },
    };
    return {
      list,
      add(track) {
        if (!IndexedList.append(list, track)) return;
        owners.set(track, owner);
        queueTask(() => list.dispatchEvent(trackEvent('addtrack', track)));
      },
      remove(track) {
        if (!IndexedList.remove(list, track)) return;
        owners.delete(track);
        queueTask(() => list.dispatchEvent(trackEvent('removetrack', track)));
      },
      clear() {
        for (const track of IndexedList.clear(list)) {
          owners.delete(track);
          queueTask(() => list.dispatchEvent(trackEvent('removetrack', track)));
        }
      },
      tracks: () => IndexedList.itemsOf(list),
    };
  };

  const record = (id: string, kind = 'main', label = '', language = ''): TrackRecord => ({ id, kind, label, language });
  return {
    audioList: () => control<AudioTrackLike>(AudioTrackList, AudioTrackListInterface),
    // A newly selected video track unselects the others.
    videoList: () =>
      control<VideoTrackLike>(VideoTrackList, VideoTrackListInterface, (track, items) => {
        if (track.selected) for (const other of items) if (other !== track) other.selected = false;
      }),
    textList: () => control<TextTrackLike>(TextTrackList, TextTrackListInterface),
    audioTrack: (id, enabled) => new AudioTrack(realm.create(AudioTrackInterface), record(id), enabled),
    videoTrack: (id, selected) => new VideoTrack(realm.create(VideoTrackInterface), record(id), selected),
    textTrack: (kind, label, language) => new TextTrack(realm.create(TextTrackInterface), realm, record('', kind, label, language)),
  };
}
