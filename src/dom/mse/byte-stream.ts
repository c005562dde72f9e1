// The ISO BMFF byte stream format for MSE (W3C "ISO BMFF Byte Stream Format"): the input buffer of a SourceBuffer cut
// into top-level boxes as bytes arrive (a segment may be split across appendBuffer calls at any byte), an
// initialization segment (moov) turned into track descriptions, a media segment (moof then mdat) into coded frames
// with their decode timing and protection. All box reading goes through src/media/boxes.

import { assertBoxType, readBox } from '../../media/boxes/box.js';
import type { BoxContext } from '../../media/boxes/box.js';
import { SampleBudget } from '../../media/boxes/budget.js';
import { parseFragment } from '../../media/boxes/fragment.js';
import { parseMovie, type Movie } from '../../media/boxes/movie.js';
import { entryKind, psshRuns } from '../../media/boxes/protection.js';
import { editListOffset, movieDuration, trackFormat } from '../../media/boxes/track-format.js';
import { children } from '../../media/boxes/box.js';
import { MediaError } from '../../media/errors.js';
import type { SampleCrypto } from '../../media/boxes/job.js';
import type { CodedFrame } from '../media-source-link.js';

export interface TrackDescription {
  id: number;
  kind: 'audio' | 'video';
  codec: string;
  width?: number;
  height?: number;
}

export interface InitSegment {
  kind: 'init';
  tracks: TrackDescription[];
  /** Seconds, from mehd or mvhd; undefined when the init segment gives none. */
  duration: number | undefined;
  /** 'cenc' init data: each run of adjacent pssh boxes in moov. */
  initData: Buffer[];
}

export interface MediaSegment {
  kind: 'media';
  /** Coded frames of every track, each track's in decode order; times in seconds before timestampOffset. */
  frames: Array<{ trackId: number; frame: CodedFrame }>;
  /** 'cenc' init data of the moof's pssh boxes (key rotation). */
  initData: Buffer[];
}

export type Segment = InitSegment | MediaSegment;

/** What turns a track's sample times into seconds on the presentation timeline. */
export interface TrackTiming {
  timescale: number;
  kind: 'audio' | 'video';
  /** The edit list's media start, in the timescale. */
  offset: number;
}

/** Top-level boxes a media segment may carry besides moof and mdat, or that sit between segments: ignored. */
const MEDIA_KINDS = new Set(['vide', 'soun']);

export class ByteStreamParser {
  #chunks: Buffer[] = [];
  #length = 0;
  /** Stream offset of the first byte of the input buffer (explicit base_data_offset values count from 0). */
  #offset = 0;
  #movie: Movie | undefined;
  #timescales = new Map<number, TrackTiming>();
  /** A complete moof waiting for its mdat (append state PARSING_MEDIA_SEGMENT). */
  #moof: { buf: Buffer; offset: number } | undefined;

  append(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  get hasInput(): boolean {
    return this.#length > 0;
  }

  /** Whether a media segment has started and not ended (MSE append state PARSING_MEDIA_SEGMENT). */
  get parsingMediaSegment(): boolean {
    return this.#moof !== undefined;
  }

  /** Drops the input buffer and any partial segment (reset parser state); the init segment's tracks are kept. */
  reset(): void {
    this.#offset += this.#length;
    this.#chunks = [];
    this.#length = 0;
    this.#moof = undefined;
  }

  /** The next complete segment from the input buffer; undefined when more data is needed. Throws MediaError. */
  next(): Segment | undefined {
    for (;;) {
      const box = this.#takeBox();
      if (!box) return undefined;
      const { type, buf, offset } = box;
      if (type === 'moov') {
        if (this.#moof) throw malformed('moov inside a media segment', offset);
        return this.#initSegment(buf, offset);
      }
      if (type === 'moof') {
        if (this.#moof) throw malformed('moof without mdat', offset);
        if (!this.#movie) {
          // MSE segment parser loop 6.1: a media segment before any init segment.
          throw malformed('media segment before an initialization segment', offset);
        }
        this.#moof = { buf, offset };
        continue;
      }
      if (type === 'mdat' && this.#moof) {
        const moof = this.#moof;
        this.#moof = undefined;
        return this.#mediaSegment(moof, buf, offset);
      }
      // ftyp, styp, sidx, free, skip, emsg, prft, an mdat outside a media segment...: accepted and ignored.
    }
  }

  #initSegment(buf: Buffer, offset: number): InitSegment {
    const movie = parseMovie(buf, offset);
    const { segment, timings } = describeMovie(movie, offset);
    this.#movie = movie;
    this.#timescales = timings;
    return segment;
  }

  #mediaSegment(moof: { buf: Buffer; offset: number }, mdat: Buffer, mdatOffset: number): MediaSegment {
    // The samples' data must lie in the mdat that follows: that bounds how many a trun may declare.
    const fragment = parseFragment(this.#movie!, moof.buf, moof.offset, new Map(), SampleBudget.ofSize(moof.buf.length + mdat.length));
    const ctx: BoxContext = { buf: mdat, base: mdatOffset };
    const header = readBox(ctx, 0, mdat.length, '');
    const dataStart = mdatOffset + header.headerSize;
    const dataEnd = mdatOffset + mdat.length;
    const frames: MediaSegment['frames'] = [];
    for (const traf of fragment.timing) {
      const track = this.#timescales.get(traf.trackId);
      if (!track) continue; // a track the init segment has but MSE does not buffer (e.g. hint, metadata)
      if (traf.baseDecodeTime === undefined) {
        // ISO BMFF byte stream format: every traf of a media segment needs a tfdt (Chromium refuses them too).
        throw malformed(`traf of track ${traf.trackId} has no tfdt`, moof.offset);
      }
      let decodeTime = traf.baseDecodeTime;
      for (let i = 0; i < traf.durations.length; i++) {
        const job = fragment.jobs[traf.firstJob + i]!;
        if (job.offset < dataStart || job.offset + job.size > dataEnd) {
          throw malformed(`sample ${i} of track ${traf.trackId} lies outside the mdat`, moof.offset);
        }
        const at = job.offset - mdatOffset;
        const duration = traf.durations[i]!;
        const data = Uint8Array.prototype.slice.call(mdat, at, at + job.size);
        const frame = codedFrame(track, decodeTime, traf.compositionOffsets[i]!, duration, (traf.flags[i]! & 0x10000) === 0, data, job.crypto);
        frames.push({ trackId: traf.trackId, frame });
        decodeTime += duration;
      }
    }
    return { kind: 'media', frames, initData: fragment.initData() };
  }

  /** The next complete top-level box, removed from the input buffer; undefined while it is incomplete. */
  #takeBox(): { type: string; buf: Buffer; offset: number } | undefined {
    if (this.#length < 8) return undefined;
    const head = this.#peek(Math.min(this.#length, 32));
    let size = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    assertBoxType(type, this.#offset === 0 ? 1 : this.#offset);
    if (size === 1) {
      if (head.length < 16) return undefined;
      const hi = head.readUInt32BE(8);
      if (hi > 0x1fffff) throw malformed(`'${type}' box size beyond 2^53`, this.#offset);
      size = hi * 0x100000000 + head.readUInt32BE(12);
    } else if (size === 0) {
      // "Extends to the end of the file": a stream has no end to extend to.
      throw malformed(`'${type}' box of size 0 (to the end of the file) in a byte stream`, this.#offset);
    }
    if (size < 8) throw malformed(`'${type}' box size ${size} is smaller than its header`, this.#offset);
    if (this.#length < size) return undefined;
    const buf = this.#peek(size).subarray(0, size);
    const offset = this.#offset;
    this.#consume(size);
    return { type, buf, offset };
  }

  /** The first `n` bytes of the input as one Buffer (joining chunks only when a box spans them). */
  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length < n) {
      this.#chunks = [Buffer.concat(this.#chunks)];
    }
    return this.#chunks[0]!;
  }

  #consume(n: number): void {
    this.#offset += n;
    this.#length -= n;
    while (n > 0) {
      const first = this.#chunks[0]!;
      if (first.length <= n) {
        this.#chunks.shift();
        n -= first.length;
      } else {
        this.#chunks[0] = first.subarray(n);
        n = 0;
      }
    }
  }
}

/**
 * A coded frame from a sample's times in its track's timescale: the edit list's start moves every timestamp (AAC
 * priming, a first composition offset), as in Chromium; every audio frame is a random access point.
 */
export function codedFrame(track: TrackTiming, decodeTime: number, compositionOffset: number, duration: number, sync: boolean, data: Uint8Array, crypto: SampleCrypto | undefined): CodedFrame {
  const dts = decodeTime - track.offset;
  return {
    dts: dts / track.timescale,
    pts: (dts + compositionOffset) / track.timescale,
    duration: duration / track.timescale,
    keyframe: track.kind === 'audio' || sync,
    data,
    ...(crypto ? { crypto } : {}),
  };
}

/**
 * A moov as an initialization segment: its audio and video tracks, the duration, the pssh runs; and per track what
 * turns its sample times into seconds. Throws MediaError for a track MSE cannot describe.
 */
export function describeMovie(movie: Movie, offset: number): { segment: InitSegment; timings: Map<number, TrackTiming> } {
  const tracks: TrackDescription[] = [];
  const timings = new Map<number, TrackTiming>();
  for (const t of movie.tracks) {
    if (!MEDIA_KINDS.has(t.handler)) continue;
    const entry = t.entries[0];
    if (!entry) throw malformed(`track ${t.id} has no sample description`, offset + t.trak.start);
    const kind = entryKind(entry.originalFormat, t.handler) ?? (t.handler === 'vide' ? 'video' : 'audio');
    if (t.timescale === 0) throw malformed(`track ${t.id} has timescale 0`, offset + t.trak.start);
    tracks.push({ id: t.id, kind, ...trackFormat(movie.ctx, entry, kind) });
    timings.set(t.id, { timescale: t.timescale, kind, offset: editListOffset(movie.ctx, t.trak) });
  }
  return { segment: { kind: 'init', tracks, duration: movieDuration(movie), initData: psshRuns(movie.ctx, children(movie.ctx, movie.moov)) }, timings };
}

export function malformed(message: string, offset: number): MediaError {
  return new MediaError('malformed', message, { box: 'file', offset });
}
