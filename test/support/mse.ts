// Host windows with MSE installed, a media element stand-in that records what an attached MediaSource tells it,
// and helpers to append and wait as a player does.
import { createRequire } from 'node:module';
import { Window as HappyWindow } from 'happy-dom';
import { readBox } from '../../src/media/boxes/box.js';
import type { HostWindow } from '../../src/dom/host-window.js';
import type { AttachedSource, MediaElementLink, TrackBufferView } from '../../src/dom/media-source-link.js';
import { installMediaSource, type MediaSourceOptions } from '../../src/dom/mse/install.js';

export const HOSTS = ['jsdom', 'happy-dom'] as const;
export type Host = (typeof HOSTS)[number];

/** Loosely typed DOM objects: the project compiles without the DOM library. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Dom = any;

// jsdom is CommonJS without bundled types: required, with the one constructor used here typed.
const { JSDOM } = createRequire(import.meta.url)('jsdom') as { JSDOM: new (html: string, options: { url: string }) => { window: unknown } };

export function hostWindow(host: Host): HostWindow {
  if (host === 'jsdom') return new JSDOM('<!doctype html><video></video>', { url: 'http://127.0.0.1/' }).window as unknown as HostWindow;
  return new HappyWindow({ url: 'http://127.0.0.1/' }) as unknown as HostWindow;
}

/** What the element side saw, in order. */
export interface RecordingLink extends MediaElementLink {
  readonly calls: string[];
  readonly initData: string[];
  tracks: readonly TrackBufferView[];
  currentTime: number;
}

export function recordingLink(window: HostWindow): RecordingLink {
  const link: RecordingLink = {
    calls: [],
    initData: [],
    tracks: [],
    currentTime: 0,
    window,
    durationChanged: () => link.calls.push('durationChanged'),
    initSegmentReceived: (tracks) => {
      link.tracks = tracks;
      link.calls.push('initSegmentReceived');
    },
    initDataEncountered: (type, data) => {
      link.initData.push(`${type}:${Buffer.from(data).toString('hex')}`);
      link.calls.push('initDataEncountered');
    },
    bufferedChanged: () => link.calls.push('bufferedChanged'),
    streamEnded: () => link.calls.push('streamEnded'),
    decodeError: (message) => link.calls.push(`decodeError: ${message}`),
    networkError: (message) => link.calls.push(`networkError: ${message}`),
  };
  return link;
}

export interface MseSetup {
  window: Dom;
  mediaSource: Dom;
  link: RecordingLink;
  attached: AttachedSource;
}

/** A window with MSE, a MediaSource attached through its object URL, after sourceopen. */
export async function openMediaSource(host: Host, options?: MediaSourceOptions): Promise<MseSetup> {
  const window = hostWindow(host);
  const registry = installMediaSource(window, options);
  const w = window as Dom;
  const mediaSource = new w.MediaSource();
  const url = w.URL.createObjectURL(mediaSource);
  const link = recordingLink(window);
  const attached = registry.attachUrl(url, link);
  if (!attached) throw new Error('attach failed');
  await nextEvent(mediaSource, 'sourceopen');
  return { window: w, mediaSource, link, attached };
}

/**
 * Resolves once the tasks queued so far have run, and the tasks they queue in turn (two levels: an append's task
 * queues update and updateend). MSE queues its tasks with setImmediate, in order, so this does not depend on timing.
 */
export async function tasksRun(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function nextEvent(target: Dom, type: string): Promise<Dom> {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}

/** Records every SourceBuffer event type until updateend. */
export function append(sourceBuffer: Dom, bytes: Uint8Array): Promise<string[]> {
  const events: string[] = [];
  const types = ['updatestart', 'update', 'updateend', 'error', 'abort'];
  return new Promise((resolve) => {
    const on = (e: Dom) => {
      events.push(e.type);
      if (e.type === 'updateend') {
        for (const t of types) sourceBuffer.removeEventListener(t, on);
        resolve(events);
      }
    };
    for (const t of types) sourceBuffer.addEventListener(t, on);
    sourceBuffer.appendBuffer(bytes);
  });
}

export function ranges(timeRanges: Dom): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < timeRanges.length; i++) out.push([timeRanges.start(i), timeRanges.end(i)]);
  return out;
}

/** A fragmented MP4 as an init segment (everything before the first moof) and media segments (moof + mdat ...). */
export function segments(file: Buffer): { init: Buffer; media: Buffer[] } {
  const ctx = { buf: file, base: 0 };
  const starts: number[] = [];
  for (let p = 0; p < file.length; ) {
    const b = readBox(ctx, p, file.length, '');
    if (b.type === 'moof') starts.push(p);
    p = b.end;
  }
  const media = starts.map((s, i) => file.subarray(s, starts[i + 1] ?? file.length));
  return { init: file.subarray(0, starts[0] ?? file.length), media };
}
