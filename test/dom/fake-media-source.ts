// A stand-in for Media Source Extensions in the element's tests: one "MediaSource" per object URL, holding the
// frames of an MP4 fixture with made-up timing (constant frame durations), appended by the test step by step.
import { readFileSync } from 'node:fs';
import { sampleJobs } from '../../src/media/samples.js';
import { extractInitData } from '../../src/index.js';
import type { AttachedSource, CodedFrame, InstallMediaSource, MediaElementLink, TrackBufferView } from '../../src/dom/media-source-link.js';

export interface FakeTrack {
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly frameDuration: number;
}

export class FakeMediaSource implements AttachedSource {
  link: MediaElementLink | undefined;
  duration = NaN;
  ended = false;
  detached = false;
  readonly tracks: FakeTrackBuffer[] = [];

  constructor(readonly frames: Map<string, CodedFrame[]>, readonly layout: readonly FakeTrack[], readonly pssh: Uint8Array | undefined) {}

  buffered(): Array<[number, number]> {
    if (this.tracks.length === 0) return [];
    const ends = this.tracks.map((t) => t.end);
    const end = this.ended ? Math.max(...ends) : Math.min(...ends);
    return end > 0 ? [[0, end]] : [];
  }

  seekable(): Array<[number, number]> {
    return Number.isNaN(this.duration) ? [] : [[0, this.duration]];
  }

  detach(): void {
    this.detached = true;
    this.link = undefined;
  }

  /** The init segment: tracks set up, duration set, encrypted for its pssh. */
  appendInit(): void {
    const link = this.link!;
    for (const t of this.layout) this.tracks.push(new FakeTrackBuffer(t, this.frames.get(t.id)!));
    if (this.pssh) link.initDataEncountered('cenc', new Uint8Array(this.pssh).buffer);
    this.duration = Math.max(...this.tracks.map((t) => t.all.length * t.layout.frameDuration));
    link.durationChanged();
    link.initSegmentReceived(this.tracks);
  }

  /** Media up to `seconds` buffered in every track. */
  appendUntil(seconds: number): void {
    for (const t of this.tracks) t.bufferUntil(seconds);
    this.link!.bufferedChanged();
  }

  endOfStream(): void {
    this.ended = true;
    this.link!.streamEnded();
  }
}

class FakeTrackBuffer implements TrackBufferView {
  count = 0;
  constructor(readonly layout: FakeTrack, readonly all: CodedFrame[]) {}
  get id() { return this.layout.id; }
  get kind() { return this.layout.kind; }
  get codec() { return this.layout.kind === 'video' ? 'avc1.42c01e' : 'mp4a.40.2'; }
  get width() { return this.layout.kind === 'video' ? 320 : undefined; }
  get height() { return this.layout.kind === 'video' ? 240 : undefined; }
  get end() { return this.count * this.layout.frameDuration; }
  bufferUntil(seconds: number) { this.count = Math.min(this.all.length, Math.ceil(seconds / this.layout.frameDuration - 1e-9)); }
  buffered(): Array<[number, number]> { return this.count > 0 ? [[0, this.end]] : []; }
  *frames(from: number, to: number): Iterable<CodedFrame> {
    for (let i = 0; i < this.count; i++) if (this.all[i]!.pts >= from && this.all[i]!.pts < to) yield this.all[i]!;
  }
}

/** The fixture's tracks (video, and audio where it has one) as coded frames: video 25 fps, AAC 1024 samples at 48 kHz (test/fixtures/cenc/README.md). */
export async function fixtureSource(path: string): Promise<() => FakeMediaSource> {
  const bytes = readFileSync(path);
  const jobs = await sampleJobs(bytes);
  const layout: FakeTrack[] = [
    { id: '1', kind: 'video' as const, frameDuration: 1 / 25 },
    { id: '2', kind: 'audio' as const, frameDuration: 1024 / 48000 },
  ].filter((t) => jobs.has(Number(t.id)));
  const frames = new Map<string, CodedFrame[]>();
  for (const t of layout) {
    frames.set(t.id, jobs.get(Number(t.id))!.map((job, i) => ({
      pts: i * t.frameDuration, dts: i * t.frameDuration, duration: t.frameDuration, keyframe: i % 25 === 0,
      data: bytes.subarray(job.offset, job.offset + job.size), ...(job.crypto ? { crypto: job.crypto } : {}),
    })));
  }
  const pssh = (await extractInitData(path)).cenc;
  return () => new FakeMediaSource(frames, layout, pssh && pssh.length > 0 ? pssh : undefined);
}

/** A registry handing out FakeMediaSources by object URL, as mse's does for MediaSource objects. */
export function fakeMse(sources: Map<string, FakeMediaSource>): InstallMediaSource {
  return () => ({
    attachUrl(url: string, link: MediaElementLink) {
      const source = sources.get(url);
      if (!source || source.link) return undefined;
      source.link = link;
      return source;
    },
    attachObject(object: unknown, link: MediaElementLink) {
      const source = [...sources.values()].find((s) => s === object);
      if (!source || source.link) return undefined;
      source.link = link;
      return source;
    },
    isMediaSource: (value: unknown) => value instanceof FakeMediaSource,
  });
}

/** Attaches `video` to the fake source registered at `url` and feeds it everything up to `seconds`, then ends it. */
export async function attachAndFeed(video: { src: string }, source: FakeMediaSource, url: string, seconds: number): Promise<void> {
  video.src = url;
  await new Promise((resolve) => setImmediate(resolve));
  source.appendInit();
  source.appendUntil(seconds);
  source.endOfStream();
}
