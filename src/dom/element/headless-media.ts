// One headless media element: the HTML media element's algorithms (load, resource selection, ready states, play,
// pause, seeking, ending, errors, with their events in the spec's order) over an attached MediaSource, the EME
// extensions through element/'s one implementation (ElementEme), and media time moved by the window's Ticker.
// Nothing is rendered: playing a frame means decrypting and checking it, and recording what was played.

import { ElementEme } from '../../element/element-eme.js';
import { queueTask } from '../../webidl/tasks.js';
import type { HostElement, HostWindow } from '../host-window.js';
import type { AttachedSource, MediaElementLink, MediaSourceRegistry, TrackBufferView } from '../media-source-link.js';
import { encryptedEvent, simpleEvent } from '../../eme/events.js';
import { domException } from '../../webidl/errors.js';
import { realmOf, type Realm } from '../../webidl/realm.js';
import type { PlayedTrack } from './frames.js';
import { keyNeededAt, playSpan } from './play-span.js';
import { hasResource, selectResource } from './resource-selection.js';
import { MEDIA_ERR, mediaError, type MediaError, type MediaErrorCodeValue } from './media-error.js';
import type { Playing, Ticker } from './ticker.js';
import { windowTracks, type AudioTrackLike, type TextTrackLike, type TrackListControl, type VideoTrackLike } from './tracks.js';

export const NETWORK = { EMPTY: 0, IDLE: 1, LOADING: 2, NO_SOURCE: 3 } as const;
export const READY = { NOTHING: 0, METADATA: 1, CURRENT_DATA: 2, FUTURE_DATA: 3, ENOUGH_DATA: 4 } as const;

/** Buffered media ahead of the position at which readyState is HAVE_ENOUGH_DATA (Chromium needs little). */
const ENOUGH_AHEAD_S = 1;
/** Positions this close count as equal (frame times come from integer timescales). */
const EPSILON = 1e-6;
/** Media time between timeupdate events during playback (HTML: every 15 to 250 ms). */
const TIMEUPDATE_MS = 250;

export interface MediaEnvironment {
  readonly window: HostWindow;
  readonly ticker: Ticker;
  /** mse's registry of this window's MediaSources; absent until mse is installed. */
  readonly registry: () => MediaSourceRegistry | undefined;
  /** Keep the decrypted bytes of played samples (else only their SHA-256). */
  readonly keepSamples: boolean;
}

interface PendingPlay {
  resolve(): void;
  reject(error: unknown): void;
}

export class HeadlessMedia implements Playing, MediaElementLink {
  readonly eme: ElementEme;
  readonly played = new Map<string, PlayedTrack>();
  readonly audioTracks: TrackListControl<AudioTrackLike>;
  readonly videoTracks: TrackListControl<VideoTrackLike>;
  readonly textTracks: TrackListControl<TextTrackLike>;

  networkState: number = NETWORK.EMPTY;
  readyState: number = READY.NOTHING;
  paused = true;
  seeking = false;
  error: MediaError | null = null;
  currentSrc = '';
  srcObject: unknown = null;
  volume = 1;
  muted = false;
  #playbackRate = 1;
  defaultPlaybackRate = 1;
  videoWidth = 0;
  videoHeight = 0;
  /** Frames shown (video frames decoded) and dropped, for getVideoPlaybackQuality(). */
  decodedVideoFrames = 0;

  #position = 0;
  #defaultStart = 0;
  #duration = NaN;
  #source: AttachedSource | undefined;
  #metadata = false;
  #loadedDataFired = false;
  #pendingPlays: PendingPlay[] = [];
  /** Incremented by each load(): a resource selection still waiting for a stable state sees it is stale. */
  #generation = 0;
  #playedRanges: Array<[number, number]> = [];
  #lastTimeUpdateMs = -Infinity;
  #endedFired = false;
  /**
   * The position that playback last reached by decoding frames up to it (its last frame is what is shown there);
   * undefined after load or a seek, until a frame at the new position is decoded.
   */
  #decodedUpTo: number | undefined;
  /** The element's window's realm: its promises and errors are that window's (players compare names, some check
   * instanceof). */
  readonly #realm: Realm;

  constructor(
    readonly element: HostElement,
    private readonly env: MediaEnvironment,
  ) {
    this.#realm = realmOf(env.window);
    const realm = this.#realm;
    this.eme = new ElementEme({
      fireEncrypted: (initDataType, initData) => element.dispatchEvent(encryptedEvent(realm, initDataType, initData)),
      fireWaitingForKey: () => element.dispatchEvent(simpleEvent(realm, 'waitingforkey')),
      // Chromium keeps the MediaKeys once media is loaded; here: once a source is attached.
      mediaKeysInUse: () => this.#source !== undefined && this.#metadata,
    }, realm);
    this.eme.resumeWaiters.add(() => this.#resumeAfterKey());
    const tracks = windowTracks(env.window);
    this.audioTracks = tracks.audioList();
    this.videoTracks = tracks.videoList();
    this.textTracks = tracks.textList();
  }

  get window(): HostWindow {
    return this.env.window;
  }

  // ---- attributes ----

  get currentTime(): number {
    return this.#position;
  }

  get duration(): number {
    return this.#duration;
  }

  get ended(): boolean {
    return this.#endedPlayback() && this.#playbackRate >= 0;
  }

  get playbackRate(): number {
    return this.#playbackRate;
  }

  set playbackRate(rate: number) {
    if (rate === this.#playbackRate) return;
    this.#playbackRate = rate;
    this.#fire('ratechange');
    if (this.#potentiallyPlaying()) this.env.ticker.wake(this);
  }

  buffered(): Array<[number, number]> {
    return this.#source?.buffered() ?? [];
  }

  seekable(): Array<[number, number]> {
    if (!this.#source || this.readyState === READY.NOTHING) return [];
    return this.#source.seekable();
  }

  playedRanges(): Array<[number, number]> {
    return this.#playedRanges.map(([s, e]) => [s, e]);
  }

  get loop(): boolean {
    return this.element.hasAttribute('loop');
  }

  // ---- the load algorithm (HTML §4.8.11.5) ----

  load(): void {
    this.#generation++;
    // 3. A fetch in progress: abort.
    if (this.networkState === NETWORK.LOADING || this.networkState === NETWORK.IDLE) this.#fire('abort');
    // 4. Media was loaded: empty the element.
    if (this.networkState !== NETWORK.EMPTY) {
      this.#fire('emptied');
      this.#detach();
      this.audioTracks.clear();
      this.videoTracks.clear();
      this.readyState = READY.NOTHING;
      this.#metadata = false;
      if (!this.paused) {
        this.paused = true;
        this.#rejectPendingPlays(domException(this.#realm, 'AbortError', 'The play() request was interrupted by a new load request.'));
      }
      this.seeking = false;
      if (this.#position !== 0) {
        this.#position = 0;
        this.#fire('timeupdate');
      }
      if (!Number.isNaN(this.#duration)) {
        this.#duration = NaN;
        this.#fire('durationchange');
      }
      this.videoWidth = 0;
      this.videoHeight = 0;
    }
    // 5–6.
    this.#playbackRate = this.defaultPlaybackRate;
    this.error = null;
    this.eme.unblock();
    this.#loadedDataFired = false;
    this.#playedRanges = [];
    this.#defaultStart = 0;
    this.#endedFired = false;
    this.#decodedUpTo = undefined;
    this.networkState = NETWORK.EMPTY;
    // 7. Resource selection.
    this.#selectResource();
  }

  #selectResource(): void {
    // 1–2.
    this.networkState = NETWORK.NO_SOURCE;
    const generation = this.#generation;
    // 4. Await a stable state: after the script that called load() or set src.
    queueMicrotask(() => {
      if (generation !== this.#generation) return;
      if (!hasResource(this.element, this.srcObject)) {
        // Nothing to load: networkState back to EMPTY (a <source> inserted later runs this again).
        this.networkState = NETWORK.EMPTY;
        return;
      }
      // 6–7.
      this.networkState = NETWORK.LOADING;
      this.#fire('loadstart');
      const selection = selectResource({
        element: this.element,
        srcObject: this.srcObject,
        registry: this.env.registry(),
        link: this,
        window: this.env.window,
        sourceFailed: (child) => queueTask(() => child.dispatchEvent(simpleEvent(realmOf(this.env.window), 'error'))),
      });
      if (selection.kind === 'none') return;
      this.currentSrc = selection.currentSrc;
      if (selection.kind === 'waiting') {
        this.networkState = NETWORK.NO_SOURCE;
        return;
      }
      if (selection.kind === 'failed') {
        this.#sourceNotSupported(selection.message);
        return;
      }
      this.#source = selection.source;
    });
  }

  /** HTML: a <source> inserted into an element with no src and networkState EMPTY invokes resource selection. */
  sourceInserted(): void {
    if (this.networkState === NETWORK.EMPTY && this.element.getAttribute('src') === null && this.srcObject === null) this.#selectResource();
  }

  /** The dedicated media source failure steps: MEDIA_ERR_SRC_NOT_SUPPORTED. */
  #sourceNotSupported(message: string): void {
    this.error = mediaError(realmOf(this.env.window), MEDIA_ERR.MEDIA_ERR_SRC_NOT_SUPPORTED, message);
    this.#detach();
    this.audioTracks.clear();
    this.videoTracks.clear();
    this.networkState = NETWORK.NO_SOURCE;
    this.#fire('error');
    this.#rejectPendingPlays(domException(this.#realm, 'NotSupportedError', message));
  }

  /** Fatal errors after metadata: the media data is corrupted (decode) or cannot be fetched (network). */
  #fatal(code: MediaErrorCodeValue, message: string): void {
    if (this.error !== null) return;
    this.error = mediaError(realmOf(this.env.window), code, message);
    this.networkState = NETWORK.IDLE;
    this.env.ticker.sleep(this);
    this.#fire('error');
  }

  #detach(): void {
    const source = this.#source;
    this.#source = undefined;
    this.env.ticker.sleep(this);
    source?.detach();
  }

  // ---- MediaElementLink: what an attached MediaSource tells the element ----

  durationChanged(): void {
    const duration = this.#source?.duration ?? NaN;
    if (Object.is(duration, this.#duration)) return;
    this.#duration = duration;
    this.#fire('durationchange');
    if (this.#position > duration) {
      this.#position = duration;
      this.#decodedUpTo = undefined;
      this.#fire('timeupdate');
    }
  }

  initSegmentReceived(tracks: readonly TrackBufferView[]): void {
    this.durationChanged();
    const events = windowTracks(this.env.window);
    for (const track of tracks) {
      // The SourceBuffer's AudioTrack/VideoTrack where it made one (MSE), else one of the element's own.
      if (track.kind === 'audio' && !this.audioTracks.list.getTrackById(track.id)) {
        this.audioTracks.add((track.mediaTrack as AudioTrackLike | undefined) ?? events.audioTrack(track.id, this.audioTracks.tracks().length === 0));
      }
      if (track.kind === 'video' && !this.videoTracks.list.getTrackById(track.id)) {
        this.videoTracks.add((track.mediaTrack as VideoTrackLike | undefined) ?? events.videoTrack(track.id, this.videoTracks.tracks().length === 0));
        if (this.videoWidth === 0 && track.width && track.height) {
          this.videoWidth = track.width;
          this.videoHeight = track.height;
          this.#fire('resize');
        }
      }
    }
    if (this.readyState === READY.NOTHING) {
      this.#metadata = true;
      this.readyState = READY.METADATA;
      this.#fire('loadedmetadata');
      if (this.#defaultStart > 0) this.#seek(this.#defaultStart);
    }
    this.#updateReadyState();
  }

  tracksRemoved(mediaTracks: readonly object[]): void {
    for (const track of mediaTracks) {
      this.audioTracks.remove(track as AudioTrackLike);
      this.videoTracks.remove(track as VideoTrackLike);
    }
  }

  initDataEncountered(initDataType: string, initData: ArrayBuffer): void {
    this.eme.initDataEncountered(initDataType, initData);
  }

  bufferedChanged(): void {
    this.#updateReadyState();
    this.#maybeFinishSeek();
    if (this.#potentiallyPlaying()) this.env.ticker.wake(this);
  }

  streamEnded(): void {
    this.bufferedChanged();
    this.#checkEnded();
  }

  decodeError(message: string): void {
    if (this.readyState === READY.NOTHING) this.#sourceNotSupported(message);
    else this.#fatal(MEDIA_ERR.MEDIA_ERR_DECODE, message);
  }

  networkError(message: string): void {
    if (this.readyState === READY.NOTHING) this.#sourceNotSupported(message);
    else this.#fatal(MEDIA_ERR.MEDIA_ERR_NETWORK, message);
  }

  // ---- play and pause (HTML §4.8.11.8) ----

  play(): Promise<undefined> {
    // 2. An element whose source is not supported.
    if (this.error?.code === MEDIA_ERR.MEDIA_ERR_SRC_NOT_SUPPORTED) {
      return this.#realm.intrinsics.Promise.reject(domException(this.#realm, 'NotSupportedError', 'The element has no supported sources.'));
    }
    return new this.#realm.intrinsics.Promise<undefined>((resolve, reject) => {
      this.#pendingPlays.push({ resolve: () => resolve(undefined), reject });
      this.#internalPlay();
    });
  }

  #internalPlay(): void {
    if (this.networkState === NETWORK.EMPTY) this.#selectResource();
    if (this.#endedPlayback() && this.#playbackRate >= 0) this.#seek(0);
    if (this.paused) {
      this.paused = false;
      this.#fire('play');
      if (this.readyState <= READY.CURRENT_DATA) this.#fire('waiting');
      else this.#notifyAboutPlaying();
    } else if (this.readyState >= READY.FUTURE_DATA) {
      this.#resolvePendingPlays();
    }
    if (this.#potentiallyPlaying()) this.env.ticker.wake(this);
  }

  pause(): void {
    if (this.networkState === NETWORK.EMPTY) this.#selectResource();
    if (this.paused) return;
    this.paused = true;
    this.env.ticker.sleep(this);
    const pending = this.#takePendingPlays();
    queueTask(() => {
      this.#dispatch('timeupdate');
      this.#dispatch('pause');
      for (const play of pending) play.reject(domException(this.#realm, 'AbortError', 'The play() request was interrupted by a call to pause().'));
    });
  }

  #notifyAboutPlaying(): void {
    const pending = this.#takePendingPlays();
    queueTask(() => {
      this.#dispatch('playing');
      for (const play of pending) play.resolve();
    });
  }

  #resolvePendingPlays(): void {
    const pending = this.#takePendingPlays();
    queueTask(() => pending.forEach((play) => play.resolve()));
  }

  #rejectPendingPlays(error: unknown): void {
    const pending = this.#takePendingPlays();
    queueTask(() => pending.forEach((play) => play.reject(error)));
  }

  #takePendingPlays(): PendingPlay[] {
    return this.#pendingPlays.splice(0);
  }

  // ---- seeking (HTML §4.8.11.9) ----

  setCurrentTime(time: number): void {
    if (this.readyState === READY.NOTHING) this.#defaultStart = time;
    else this.#seek(time);
  }

  #seek(time: number): void {
    this.seeking = true;
    let target = Math.max(0, Math.min(time, Number.isNaN(this.#duration) ? time : this.#duration));
    // 8. Not seekable: the nearest seekable position.
    const seekable = this.seekable();
    if (seekable.length > 0 && !seekable.some(([s, e]) => target >= s && target <= e)) {
      let best = seekable[0]![0];
      for (const [s, e] of seekable) for (const p of [s, e]) if (Math.abs(p - target) < Math.abs(best - target)) best = p;
      target = best;
    }
    this.#position = target;
    this.#decodedUpTo = undefined;
    this.#endedFired = false;
    // EME: a position change other than normal playback empties the encrypted block queue and unblocks.
    this.eme.unblock();
    this.#fire('seeking');
    this.#updateReadyState();
    // The seek ends in a later task at the earliest (seeking stays true for the script that asked for it).
    queueTask(() => this.#maybeFinishSeek());
    if (this.#potentiallyPlaying()) this.env.ticker.wake(this);
  }

  #maybeFinishSeek(): void {
    if (!this.seeking || this.readyState < READY.CURRENT_DATA) return;
    // Data for the new position is there (HAVE_FUTURE_DATA, or the end of the stream).
    if (this.readyState < READY.FUTURE_DATA && !this.#source?.ended) return;
    this.seeking = false;
    this.#fire('timeupdate');
    this.#fire('seeked');
    this.#checkEnded();
    if (this.#potentiallyPlaying()) this.env.ticker.wake(this);
  }

  // ---- ready states (HTML §4.8.11.7) ----

  /** The readyState that what is buffered (and keys) allows at the current position. */
  #bufferedReadyState(): number {
    if (!this.#metadata || !this.#source) return this.readyState;
    const ranges = this.#source.buffered();
    const pos = this.#position;
    const range = ranges.find(([s, e]) => pos >= s - EPSILON && pos < e - EPSILON);
    if (!range) {
      // At the end of an ended stream the last frame has been shown: current data.
      const atEnd = this.#source.ended && ranges.length > 0 && Math.abs(ranges.at(-1)![1] - pos) <= EPSILON;
      return atEnd ? READY.CURRENT_DATA : READY.METADATA;
    }
    if (this.eme.playbackBlockedWaitingForKey) return Math.min(this.readyState, READY.CURRENT_DATA);
    const ahead = range[1] - pos;
    if (ahead >= ENOUGH_AHEAD_S || (this.#source.ended && range === ranges.at(-1)) || range[1] >= this.#duration - EPSILON) return READY.ENOUGH_DATA;
    return READY.FUTURE_DATA;
  }

  #updateReadyState(): void {
    let keyNeeded: Uint8Array | null | undefined;
    try {
      keyNeeded = this.#keyNeededForCurrentData();
    } catch (error) {
      this.#playbackFailed(error);
      return;
    }
    if (keyNeeded !== undefined) this.#waitForKey(keyNeeded);
    else this.#setReadyState(this.#bufferedReadyState());
  }

  /** Whether a decoded frame is shown at the current position (EME: "data for the current playback position"). */
  #currentDataDecoded(): boolean {
    return this.#decodedUpTo !== undefined && Math.abs(this.#decodedUpTo - this.#position) <= EPSILON;
  }

  /**
   * EME §7.3 (Wait for Key's triggers): with nothing decoded at the current position yet (at the start, after a
   * seek), buffered frames there that cannot be decrypted mean no data for the position: the key they wait for
   * (null: no MediaKeys), else undefined. Chromium alike: HAVE_METADATA and waitingforkey, even while paused.
   */
  #keyNeededForCurrentData(): Uint8Array | null | undefined {
    const source = this.#source;
    if (!this.#metadata || !source || this.#currentDataDecoded()) return undefined;
    const pos = this.#position;
    const range = source.buffered().find(([s, e]) => pos >= s - EPSILON && pos < e - EPSILON);
    return range && keyNeededAt(source.tracks, this.eme, pos, Math.min(range[1], pos + ENOUGH_AHEAD_S));
  }

  /** @param wasPotentiallyPlaying before the change that lowers readyState (Wait for Key blocks the element first) */
  #setReadyState(next: number, wasPotentiallyPlaying = this.#potentiallyPlaying()): void {
    const previous = this.readyState;
    if (next === previous || previous === READY.NOTHING) return;
    this.readyState = next;
    if (previous <= READY.METADATA && next >= READY.CURRENT_DATA && !this.#loadedDataFired) {
      this.#loadedDataFired = true;
      this.#fire('loadeddata');
    }
    if (previous >= READY.FUTURE_DATA && next <= READY.CURRENT_DATA) {
      if (wasPotentiallyPlaying && !this.#endedPlayback() && this.error === null) {
        this.#fire('timeupdate');
        this.#fire('waiting');
      }
    }
    if (previous <= READY.CURRENT_DATA && next >= READY.FUTURE_DATA) {
      this.#fire('canplay');
      if (!this.paused) this.#notifyAboutPlaying();
    }
    if (next === READY.ENOUGH_DATA) this.#fire('canplaythrough');
    if (this.#potentiallyPlaying()) this.env.ticker.wake(this);
  }

  // ---- playback ----

  /** HTML's "potentially playing", with EME's blocked media element. */
  #potentiallyPlaying(): boolean {
    return (
      !this.paused &&
      !this.#endedPlayback() &&
      this.error === null &&
      this.readyState >= READY.FUTURE_DATA &&
      !this.eme.playbackBlockedWaitingForKey &&
      this.#source !== undefined
    );
  }

  /** HTML's "ended playback" (forwards): at the end of an ended stream, not looping. */
  #endedPlayback(): boolean {
    return this.#source !== undefined && this.#source.ended && !Number.isNaN(this.#duration) && this.#position >= this.#duration - EPSILON && !this.loop;
  }

  advance(seconds: number, clockMs: number): number {
    try {
      return this.#advance(seconds, clockMs);
    } catch (error) {
      this.#playbackFailed(error);
      return 0;
    }
  }

  /** Whatever goes wrong while reading or decoding frames is the page's media error, never an exception out of a timer. */
  #playbackFailed(error: unknown): void {
    this.#fatal(MEDIA_ERR.MEDIA_ERR_DECODE, `playback failed: ${(error as Error)?.message ?? String(error)}`);
  }

  #advance(seconds: number, clockMs: number): number {
    const source = this.#source;
    // While seeking the position stays at the target until seeked.
    if (!source || !this.#potentiallyPlaying() || this.seeking || seconds < 0) return 0;
    const from = this.#position;
    // As far as buffered media goes (the range holding the position), not past the duration.
    const range = source.buffered().find(([s, e]) => from >= s - EPSILON && from < e - EPSILON);
    let to = Math.min(from + seconds, range ? range[1] : from, this.#duration);
    if (!(to > from)) {
      this.#updateReadyState();
      this.#checkEnded();
      return 0;
    }
    const span = playSpan(source.tracks, this.eme, from, to, this.env.keepSamples);
    for (const { track, samples } of span.played) {
      this.#record(track).samples.push(...samples);
      if (track.kind === 'video') this.decodedVideoFrames += samples.length;
    }
    if (span.decodeError !== undefined) {
      this.#fatal(MEDIA_ERR.MEDIA_ERR_DECODE, span.decodeError);
      return 0;
    }
    to = span.to;
    const blockedOn = span.blockedOn;
    if (to > from) {
      this.#position = to;
      this.#decodedUpTo = to;
      this.#addPlayed(from, to);
      if (clockMs - this.#lastTimeUpdateMs >= TIMEUPDATE_MS || this.env.ticker.virtual) {
        this.#lastTimeUpdateMs = clockMs;
        this.#fire('timeupdate');
      }
    }
    if (blockedOn !== undefined) this.#waitForKey(blockedOn);
    else this.#updateReadyState();
    this.#checkEnded();
    return to - from;
  }

  /**
   * Wait for Key (EME §7.3.5). Step 4: HAVE_CURRENT_DATA when the frame before the blocked one was decoded and is
   * shown at the current position, else HAVE_METADATA. An element that was playing stopped because readyState fell
   * below HAVE_FUTURE_DATA: HTML's timeupdate and waiting follow (after waitingforkey, see ElementEme.waitForKey).
   */
  #waitForKey(keyId: Uint8Array | null): void {
    const wasPotentiallyPlaying = this.#potentiallyPlaying();
    const readyState = this.#currentDataDecoded() ? READY.CURRENT_DATA : READY.METADATA;
    this.eme.waitForKey(keyId, () => this.#setReadyState(readyState, wasPotentiallyPlaying));
  }

  /** Attempt to Resume Playback If Necessary, step 3: readyState as appropriate, then playback moves on. */
  #resumeAfterKey(): void {
    this.#updateReadyState();
    this.#maybeFinishSeek();
    if (this.#potentiallyPlaying()) this.env.ticker.wake(this);
  }

  /** Reaching the end (HTML §4.8.11.8 "when the current playback position reaches the end"). */
  #checkEnded(): void {
    if (!this.#endedPlayback() || this.seeking) {
      if (this.#source?.ended && this.loop && this.#position >= this.#duration - EPSILON) this.#seek(0);
      return;
    }
    if (this.#endedFired) return;
    this.#endedFired = true;
    this.env.ticker.sleep(this);
    const wasPlaying = !this.paused;
    if (wasPlaying) this.paused = true;
    const pending = wasPlaying ? this.#takePendingPlays() : [];
    queueTask(() => {
      this.#dispatch('timeupdate');
      if (wasPlaying) {
        this.#dispatch('pause');
        for (const play of pending) play.reject(domException(this.#realm, 'AbortError', 'The play() request was interrupted: playback ended.'));
      }
      this.#dispatch('ended');
    });
  }

  #record(track: TrackBufferView): PlayedTrack {
    let record = this.played.get(track.id);
    if (!record) {
      record = { id: track.id, kind: track.kind, codec: track.codec, samples: [] };
      this.played.set(track.id, record);
    }
    return record;
  }

  #addPlayed(from: number, to: number): void {
    const last = this.#playedRanges.at(-1);
    if (last && Math.abs(last[1] - from) <= EPSILON) last[1] = to;
    else {
      this.#playedRanges.push([from, to]);
      this.#playedRanges.sort((a, b) => a[0] - b[0]);
    }
  }

  // ---- events ----

  /** Queue a media element task to fire a simple event (for the bindings: ratechange, volumechange). */
  fireSoon(type: string): void {
    this.#fire(type);
  }

  /** addTextTrack(): a new TextTrack in textTracks, mode "hidden" as HTML says for script-created tracks. */
  addTextTrack(kind: string, label: string, language: string): unknown {
    if (!['subtitles', 'captions', 'descriptions', 'chapters', 'metadata'].includes(kind)) {
      throw new TypeError(`Failed to execute 'addTextTrack' on 'HTMLMediaElement': The provided value '${kind}' is not a valid enum value of type TextTrackKind.`);
    }
    const track = windowTracks(this.env.window).textTrack(kind, label, language);
    track.mode = 'hidden';
    this.textTracks.add(track);
    return track;
  }

  /** The ticker's clock time, ms (getVideoPlaybackQuality's creationTime). */
  clockNow(): number {
    return this.env.ticker.clock.now();
  }

  /** Queue a media element task to fire a simple event. */
  #fire(type: string): void {
    queueTask(() => this.#dispatch(type));
  }

  #dispatch(type: string): void {
    this.element.dispatchEvent(simpleEvent(realmOf(this.env.window), type));
  }
}
