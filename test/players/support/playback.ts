// What every player test does around the player: wait for the element's events, and compare what the element
// played with the clear source, sample for sample.
import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import type { Presentation } from './presentation.js';

/** The slice of emekit/dom's element the tests read (kept structural: the test talks to the DOM as a player does). */
export interface PlayerVideo {
  currentTime: number;
  readonly ended: boolean;
  readonly error: { code: number; message: string } | null;
  addEventListener(type: string, listener: (event: { type: string }) => void): void;
  removeEventListener(type: string, listener: (event: { type: string }) => void): void;
}

/** Records the element's media and EME events in order, for assertions and for failure messages. */
export function recordEvents(video: PlayerVideo, types: readonly string[] = MEDIA_EVENTS): string[] {
  const log: string[] = [];
  for (const type of types) video.addEventListener(type, () => log.push(type));
  return log;
}

export const MEDIA_EVENTS = ['loadstart', 'loadedmetadata', 'loadeddata', 'canplay', 'play', 'playing', 'waiting', 'seeking', 'seeked', 'encrypted', 'waitingforkey', 'ended', 'error', 'emptied'];

/** Resolves at `type`, rejects on the element's `error` or after `ms` of real time, with what happened so far. */
export function nextEvent(video: PlayerVideo, type: string, ms: number, context: () => string = () => ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      video.removeEventListener(type, onEvent);
      video.removeEventListener('error', onError);
      if (error) reject(error);
      else resolve();
    };
    const onEvent = () => done();
    const onError = () => done(new Error(`media error ${video.error?.code}: ${video.error?.message} ${context()}`));
    const timer = setTimeout(() => done(new Error(`no '${type}' within ${ms} ms (currentTime ${video.currentTime}) ${context()}`)), ms);
    video.addEventListener(type, onEvent);
    if (type !== 'error') video.addEventListener('error', onError);
  });
}

/** What emekit/dom recorded for one track of an element (installMedia's `recordOf(element).tracks`). */
export interface PlayedTrack {
  readonly kind: string;
  readonly samples: readonly { readonly sha256: string }[];
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * Every sample of each track played equals the clear source's, in order, none missing or extra (compared by
 * SHA-256 of the decrypted bytes, which emekit/dom records for every played sample).
 */
export function expectPlayedClear(played: ReadonlyMap<string, PlayedTrack>, presentation: Presentation, kinds: readonly ('video' | 'audio')[] = ['video', 'audio']): void {
  for (const kind of kinds) {
    const expected = presentation.clearSamples.get(kind)!.map(sha256);
    const track = [...played.values()].find((t) => t.kind === kind);
    expect(track, `a ${kind} track was played`).toBeDefined();
    const got = track!.samples.map((s) => s.sha256);
    expect(got.length, `${kind} samples played`).toBe(expected.length);
    const differing = got.flatMap((h, i) => (h === expected[i] ? [] : [i]));
    expect(differing, `${kind} samples that differ from the clear source`).toEqual([]);
  }
}

/**
 * After a seek: the samples played since `from` (index into each track's played list) are the clear source's from
 * some sample on to the end, starting within a frame of `target` seconds.
 */
export function expectPlayedClearFrom(played: ReadonlyMap<string, PlayedTrackWithTimes>, from: ReadonlyMap<string, number>, presentation: Presentation, target: number): void {
  for (const track of played.values()) {
    const kind = track.kind as 'video' | 'audio';
    const clear = presentation.clearSamples.get(kind)!.map(sha256);
    const after = track.samples.slice(from.get(track.id) ?? 0);
    expect(after.length, `${kind} samples played after the seek`).toBeGreaterThan(0);
    // Within a frame of the target (a video frame lasts 40 ms, an AAC frame 21 ms).
    expect(Math.abs(after[0]!.pts - target), `${kind}: first sample after the seek, at ${after[0]!.pts}`).toBeLessThan(0.05);
    expect(after.map((s) => s.sha256), `${kind}: played after the seek = the clear source's last samples`).toEqual(clear.slice(clear.length - after.length));
  }
}

export interface PlayedTrackWithTimes extends PlayedTrack {
  readonly id: string;
  readonly samples: readonly { readonly sha256: string; readonly pts: number }[];
}

/** `promise`, or a failure after `ms` naming what was awaited and what happened so far. */
export function bounded<T>(promise: Promise<T>, ms: number, what: string, context: () => string = () => ''): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms; ${context()}`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** How many samples the element played, over its tracks. */
export function playedCount(tracks: ReadonlyMap<string, PlayedTrack>): number {
  return [...tracks.values()].reduce((n, t) => n + t.samples.length, 0);
}
