// The boundary between emekit/dom's headless media element (dom/element/) and Media Source Extensions (dom/mse/):
// what an attached MediaSource hands the element, and what the element hands it (the "HTMLMediaElement" side of
// MSE §2.4.x). Written down in /work/notes/dom-boundary.md; neither side imports the other's code, only this file.

import type { SampleCrypto } from '../media/boxes/job.js';
import type { HostWindow } from './host-window.js';

/**
 * One coded frame as coded frame processing stores it (MSE §3.5.8). Times are seconds on the presentation timeline
 * (timestampOffset applied).
 */
export interface CodedFrame {
  readonly pts: number;
  readonly dts: number;
  readonly duration: number;
  /** A random access point. */
  readonly keyframe: boolean;
  /** As appended (still encrypted). The element copies it before decrypting: a track buffer is never changed. */
  readonly data: Uint8Array;
  /** Scheme, key ID, IV, subsamples, pattern, NAL length size; absent for a clear frame. */
  readonly crypto?: SampleCrypto;
}

/** One track of the SourceBuffers of an attached MediaSource. */
export interface TrackBufferView {
  /** The track ID as a string ("1", "2"), as AudioTrack/VideoTrack ids. */
  readonly id: string;
  readonly kind: 'audio' | 'video';
  /** e.g. 'avc1.64001f', 'mp4a.40.2'. */
  readonly codec: string;
  readonly width?: number;
  readonly height?: number;
  /** The AudioTrack or VideoTrack the SourceBuffer made for this track (MSE §3.5.7), which the element lists too. */
  readonly mediaTrack?: object;
  /** Buffered ranges of this track, seconds, sorted, disjoint. */
  buffered(): Array<[number, number]>;
  /** Frames with pts in [from, to), in decode order; the element's playback loop pulls them. */
  frames(from: number, to: number): Iterable<CodedFrame>;
}

/** What the element gives an attached MediaSource. */
export interface MediaElementLink {
  /** The current playback position, seconds. */
  readonly currentTime: number;
  /** The element's window: events fired at DOM objects are its own (new window.Event(...)). */
  readonly window: HostWindow;
  /** The MSE duration change algorithm ran: the element fires durationchange (and clamps its position). */
  durationChanged(): void;
  /** An init segment was received (MSE §3.5.7); the first one takes the element to HAVE_METADATA. */
  initSegmentReceived(tracks: readonly TrackBufferView[]): void;
  /** removeSourceBuffer(): the tracks the SourceBuffer made leave the element's track lists (MSE §2.2 steps 5–7). */
  tracksRemoved?(mediaTracks: readonly object[]): void;
  /** EME Initialization Data Encountered: the element fires encrypted (pssh boxes of an init segment or moof). */
  initDataEncountered(initDataType: string, initData: ArrayBuffer): void;
  /** Coded frames were added or removed: readyState is re-evaluated and a stalled playback resumes. */
  bufferedChanged(): void;
  /** endOfStream() without error: playback may reach `ended`. Also called when the stream is reopened. */
  streamEnded(): void;
  /** The append error algorithm with a decode error, or endOfStream('decode'): MEDIA_ERR_DECODE. */
  decodeError(message: string): void;
  /** endOfStream('network'): MEDIA_ERR_NETWORK (or MEDIA_ERR_SRC_NOT_SUPPORTED before HAVE_METADATA). */
  networkError(message: string): void;
}

/** What an attached MediaSource gives the element. */
export interface AttachedSource {
  /** NaN until set. */
  readonly duration: number;
  readonly tracks: readonly TrackBufferView[];
  /** MSE: the intersection over the active source buffers (the last range to the highest end once ended). */
  buffered(): Array<[number, number]>;
  seekable(): Array<[number, number]>;
  /** readyState === 'ended'. */
  readonly ended: boolean;
  /** The element's load algorithm ran again (src changed, load()): the MediaSource detaches and closes. */
  detach(): void;
}

/**
 * A window's MediaSource attachments, owned by mse: URL.createObjectURL(mediaSource) registers an object URL,
 * and the element's resource selection asks here with the URL (src) or the object (srcObject).
 * Returns undefined when it is not a MediaSource of this window, or one that is not 'closed' (already attached):
 * the element then fails with MEDIA_ERR_SRC_NOT_SUPPORTED.
 */
export interface MediaSourceRegistry {
  attachUrl(url: string, link: MediaElementLink): AttachedSource | undefined;
  attachObject(mediaSource: unknown, link: MediaElementLink): AttachedSource | undefined;
  /** Whether `value` is a MediaSource of this window (srcObject accepts MediaSource, MediaStream, Blob). */
  isMediaSource(value: unknown): boolean;
  /**
   * A media file at a plain URL: `load` fetches its bytes (a rejection is a network error), and it plays through a
   * MediaSource no script sees, fragmented or progressive MP4. Absent: such URLs fail as not supported.
   */
  attachFile?(load: () => Promise<Uint8Array>, link: MediaElementLink): AttachedSource;
}

/**
 * Installs MediaSource, SourceBuffer, SourceBufferList, TimeRanges (if missing) and the object URLs on a window
 * (mse: src/dom/mse/install.ts exports one of these as installMediaSource); installMedia calls it.
 */
export type InstallMediaSource = (window: HostWindow) => MediaSourceRegistry;
