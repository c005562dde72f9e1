// The interfaces emekit/dom exposes on a window are WebIDL's ECMAScript binding, as the EME ones are (src/webidl):
// enumerable attributes and operations, interface objects of length 0 (MediaSource's constructor has none),
// non-constructible where the IDL has no constructor, a data @@toStringTag, per-window objects, brand checks with
// the window's TypeError, setter conversions (double, unrestricted double, enumeration). The web-platform-tests
// idlharness pages check the same against the IDL files (test/wpt/wpt-idl.test.ts); these need no ../shared.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { readFixture } from '../support/fixtures.js';
import { append, HOSTS, hostWindow, segments, tasksRun, type Dom } from '../support/mse.js';

const TYPE = 'video/mp4; codecs="avc1.64001f"';
const { init } = segments(readFixture('clear_frag_video.mp4'));

// [interface, constructor length or undefined (no constructor), operations with lengths, attributes (writable ones
// marked =), static operations with lengths]
const SHAPES: [string, number | undefined, Record<string, number>, string[], Record<string, number>][] = [
  [
    'MediaSource',
    0,
    { addSourceBuffer: 1, removeSourceBuffer: 1, endOfStream: 0, setLiveSeekableRange: 2, clearLiveSeekableRange: 0 },
    ['sourceBuffers', 'activeSourceBuffers', 'readyState', 'duration=', 'onsourceopen=', 'onsourceended=', 'onsourceclose='],
    { isTypeSupported: 1 },
  ],
  [
    'SourceBuffer',
    undefined,
    { appendBuffer: 1, abort: 0, changeType: 1, remove: 2 },
    ['mode=', 'updating', 'buffered', 'timestampOffset=', 'audioTracks', 'videoTracks', 'textTracks', 'appendWindowStart=', 'appendWindowEnd=']
      .concat(['onupdatestart=', 'onupdate=', 'onupdateend=', 'onerror=', 'onabort=']),
    {},
  ],
  ['SourceBufferList', undefined, {}, ['length', 'onaddsourcebuffer=', 'onremovesourcebuffer='], {}],
  ['TimeRanges', undefined, { start: 1, end: 1 }, ['length'], {}],
  ['MediaError', undefined, {}, ['code', 'message'], {}],
  ['VideoPlaybackQuality', undefined, {}, ['creationTime', 'droppedVideoFrames', 'totalVideoFrames', 'corruptedVideoFrames'], {}],
  ['AudioTrackList', undefined, { getTrackById: 1 }, ['length', 'onchange=', 'onaddtrack=', 'onremovetrack='], {}],
  ['AudioTrack', undefined, {}, ['id', 'kind', 'label', 'language', 'enabled=', 'sourceBuffer'], {}],
  ['VideoTrackList', undefined, { getTrackById: 1 }, ['length', 'selectedIndex', 'onchange=', 'onaddtrack=', 'onremovetrack='], {}],
  ['VideoTrack', undefined, {}, ['id', 'kind', 'label', 'language', 'selected=', 'sourceBuffer'], {}],
  ['TextTrackList', undefined, { getTrackById: 1 }, ['length', 'onchange=', 'onaddtrack=', 'onremovetrack='], {}],
  [
    'TextTrack',
    undefined,
    { addCue: 1, removeCue: 1 },
    ['kind', 'label', 'language', 'id', 'inBandMetadataTrackDispatchType', 'mode=', 'cues', 'activeCues', 'sourceBuffer', 'oncuechange='],
    {},
  ],
  ['TextTrackCueList', undefined, { getCueById: 1 }, ['length'], {}],
];

function descriptor(object: object, key: PropertyKey): PropertyDescriptor {
  const found = Object.getOwnPropertyDescriptor(object, key);
  if (!found) throw new Error(`no own property ${String(key)}`);
  return found;
}

function installed(host: (typeof HOSTS)[number]): Dom {
  const window = hostWindow(host) as Dom;
  installMedia(window, { clock: 'virtual' });
  return window;
}

/** A MediaSource attached to the window's <video>, open, with one SourceBuffer. */
async function openSource(window: Dom): Promise<{ mediaSource: Dom; sourceBuffer: Dom; video: Dom }> {
  const video = window.document.createElement('video');
  const mediaSource = new window.MediaSource();
  const opened = new Promise((resolve) => mediaSource.addEventListener('sourceopen', resolve, { once: true }));
  video.src = window.URL.createObjectURL(mediaSource);
  await opened;
  return { mediaSource, sourceBuffer: mediaSource.addSourceBuffer(TYPE), video };
}

describe.each(HOSTS)('emekit/dom interfaces on %s', (host) => {
  it.each(SHAPES)('%s: interface object, prototype and members as WebIDL defines them', (name, constructorLength, operations, attributes, statics) => {
    const window = installed(host);
    const object = window[name];
    expect(descriptor(window, name)).toMatchObject({ writable: true, enumerable: false, configurable: true });
    expect(descriptor(object, 'name')).toEqual({ value: name, writable: false, enumerable: false, configurable: true });
    expect(descriptor(object, 'length')).toEqual({ value: constructorLength ?? 0, writable: false, enumerable: false, configurable: true });
    // Printed as a browser prints an interface object, not as emekit's source.
    expect(String(object)).toMatch(/^function \w*\(\) \{ \[native code\] \}$/);
    const proto = descriptor(object, 'prototype');
    expect(proto).toMatchObject({ writable: false, enumerable: false, configurable: false });
    expect(descriptor(proto.value, 'constructor')).toEqual({ value: object, writable: true, enumerable: false, configurable: true });
    expect(descriptor(proto.value, Symbol.toStringTag)).toEqual({ value: name, writable: false, enumerable: false, configurable: true });
    const members = [...Object.keys(operations), ...attributes.map((a) => a.replace(/=$/, ''))];
    const constants = (key: string) => /^[A-Z_]+$/.test(key);
    expect(Object.getOwnPropertyNames(proto.value).filter((key) => key !== 'constructor' && !constants(key)).sort()).toEqual(members.sort());
    for (const [operation, length] of Object.entries(operations)) {
      const method = descriptor(proto.value, operation);
      expect(method).toMatchObject({ writable: true, enumerable: true, configurable: true });
      expect([method.value.name, method.value.length]).toEqual([operation, length]);
      expect(() => method.value.call({})).toThrow(window.TypeError);
    }
    for (const attribute of attributes) {
      const writable = attribute.endsWith('=');
      const key = attribute.replace(/=$/, '');
      const accessor = descriptor(proto.value, key);
      expect(accessor).toMatchObject({ enumerable: true, configurable: true });
      expect(accessor.get!.name).toBe(`get ${key}`);
      expect(accessor.set?.name).toBe(writable ? `set ${key}` : undefined);
      expect(() => accessor.get!.call({})).toThrow(window.TypeError);
    }
    for (const [operation, length] of Object.entries(statics)) {
      const method = descriptor(object, operation);
      expect(method).toMatchObject({ writable: true, enumerable: true, configurable: true });
      expect([method.value.name, method.value.length]).toEqual([operation, length]);
    }
    if (constructorLength === undefined) {
      expect(() => new object()).toThrow(window.TypeError);
    } else {
      expect(() => object()).toThrow(window.TypeError);
      expect(new object()).toBeInstanceOf(object);
    }
  });

  it('MediaSource is the window\'s EventTarget; a subclass constructs; static members; onX handlers', async () => {
    const window = installed(host);
    const { MediaSource } = window;
    expect(Object.getPrototypeOf(MediaSource.prototype)).toBe(window.EventTarget.prototype);
    expect(Object.getPrototypeOf(MediaSource)).toBe(window.EventTarget);
    class Player extends MediaSource {}
    const source = new Player();
    expect(source).toBeInstanceOf(MediaSource);
    expect(source.readyState).toBe('closed');
    expect(Object.prototype.toString.call(source)).toBe('[object MediaSource]');
    expect(descriptor(MediaSource, 'canConstructInDedicatedWorker')).toMatchObject({ enumerable: true, configurable: true, set: undefined });
    expect(MediaSource.canConstructInDedicatedWorker).toBe(false);
    expect(() => MediaSource.isTypeSupported()).toThrow(window.TypeError);
    const { mediaSource, sourceBuffer } = await openSource(window);
    const seen: string[] = [];
    mediaSource.onsourceended = (event: Dom) => seen.push(`${event.type}:${event instanceof window.Event}`);
    expect(typeof mediaSource.onsourceended).toBe('function');
    mediaSource.endOfStream();
    await tasksRun();
    expect(seen).toEqual(['sourceended:true']);
    expect(mediaSource.sourceBuffers).toBe(mediaSource.sourceBuffers); // [SameObject]
    expect(mediaSource.sourceBuffers[0]).toBe(sourceBuffer);
    expect([...mediaSource.sourceBuffers]).toEqual([sourceBuffer]);
    expect(descriptor(window.SourceBufferList.prototype, Symbol.iterator).value).toBe(window.Array.prototype.values);
    expect(descriptor(mediaSource.sourceBuffers, 0)).toEqual({ value: sourceBuffer, writable: false, enumerable: true, configurable: true });
  });

  it('each window has its own interface objects, and its elements its own MediaSources, installed one after the other', async () => {
    const [one, other] = [installed(host), installed(host)];
    for (const name of SHAPES.map(([n]) => n)) expect(other[name], name).not.toBe(one[name]);
    expect(new other.MediaSource()).not.toBeInstanceOf(one.MediaSource);
    // happy-dom's windows share HTMLMediaElement.prototype: the first window's element still plays its own source.
    for (const window of [one, other]) {
      const { video, sourceBuffer } = await openSource(window);
      expect(sourceBuffer).toBeInstanceOf(window.SourceBuffer);
      expect(video.buffered).toBeInstanceOf(window.TimeRanges);
      expect(video.getVideoPlaybackQuality()).toBeInstanceOf(window.VideoPlaybackQuality);
    }
  });

  it('setters convert as the IDL types say: double, unrestricted double, an enumeration', async () => {
    const window = installed(host);
    const { mediaSource, sourceBuffer } = await openSource(window);
    for (const value of [NaN, Infinity, -Infinity, 'x', {}]) {
      expect(() => (sourceBuffer.timestampOffset = value), String(value)).toThrow(window.TypeError);
      expect(() => (sourceBuffer.appendWindowStart = value), String(value)).toThrow(window.TypeError);
    }
    sourceBuffer.timestampOffset = '2.5';
    expect(sourceBuffer.timestampOffset).toBe(2.5);
    // unrestricted double: Infinity is a value; NaN is the setter's own TypeError (MSE).
    sourceBuffer.appendWindowEnd = Infinity;
    expect(sourceBuffer.appendWindowEnd).toBe(Infinity);
    expect(() => (sourceBuffer.appendWindowEnd = NaN)).toThrow(window.TypeError);
    expect(() => (mediaSource.duration = NaN)).toThrow(window.TypeError);
    expect(() => (mediaSource.duration = 'soon')).toThrow(window.TypeError);
    mediaSource.duration = Infinity;
    expect(mediaSource.duration).toBe(Infinity);
    mediaSource.duration = '10';
    expect(mediaSource.duration).toBe(10);
    // An enumeration attribute ignores a string outside it (no exception, no change).
    sourceBuffer.mode = 'bogus';
    expect(sourceBuffer.mode).toBe('segments');
    sourceBuffer.mode = 'sequence';
    expect(sourceBuffer.mode).toBe('sequence');
    expect(() => (sourceBuffer.mode = Symbol('mode'))).toThrow(window.TypeError);
    for (const value of ['bytes', 42, {}, null]) expect(() => sourceBuffer.appendBuffer(value), String(value)).toThrow(window.TypeError);
    expect(() => sourceBuffer.appendBuffer()).toThrow(window.TypeError);
    expect(sourceBuffer.updating).toBe(false);
  });

  it('the element\'s objects: TimeRanges, MediaError and VideoPlaybackQuality are the window\'s interfaces', async () => {
    const window = installed(host);
    const video = window.document.createElement('video');
    const quality = video.getVideoPlaybackQuality();
    expect(quality).toBeInstanceOf(window.VideoPlaybackQuality);
    expect(Object.keys(quality)).toEqual([]);
    expect([quality.totalVideoFrames, quality.droppedVideoFrames, quality.corruptedVideoFrames]).toEqual([0, 0, 0]);
    expect(typeof quality.creationTime).toBe('number');
    expect(video.buffered).toBeInstanceOf(window.TimeRanges);
    expect(String(video.buffered)).toBe('[object TimeRanges]');
    expect(window.MediaError.MEDIA_ERR_DECODE).toBe(3);
    expect(descriptor(window.MediaError.prototype, 'MEDIA_ERR_SRC_NOT_SUPPORTED')).toEqual({ value: 4, writable: false, enumerable: true, configurable: false });
    const failed = new Promise((resolve) => video.addEventListener('error', resolve, { once: true }));
    video.src = 'data:text/plain,not media';
    await failed;
    expect(video.error).toBeInstanceOf(window.MediaError);
    expect(video.error.code).toBe(window.MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED);
  });

  it('the element\'s track lists and text tracks; its own operations check receivers and arguments', async () => {
    const window = installed(host);
    const video = window.document.createElement('video');
    expect(video.textTracks).toBe(video.textTracks); // [SameObject]
    for (const [list, name] of [[video.audioTracks, 'AudioTrackList'], [video.videoTracks, 'VideoTrackList'], [video.textTracks, 'TextTrackList']]) {
      expect(list).toBeInstanceOf(window[name]);
      expect(list).toBeInstanceOf(window.EventTarget);
    }
    expect(video.videoTracks.selectedIndex).toBe(-1);
    const added: unknown[] = [];
    video.textTracks.onaddtrack = (event: Dom) => added.push(event.track);
    const track = video.addTextTrack('subtitles', 'English', 'en');
    expect(track).toBeInstanceOf(window.TextTrack);
    expect([track.kind, track.label, track.language, track.mode]).toEqual(['subtitles', 'English', 'en', 'hidden']);
    expect(video.textTracks[0]).toBe(track);
    expect(video.textTracks.getTrackById('')).toBe(track);
    await tasksRun();
    expect(added).toEqual([track]);
    const cue = { id: 'c1', startTime: 0, endTime: 1 };
    track.addCue(cue);
    expect(track.cues).toBeInstanceOf(window.TextTrackCueList);
    expect([track.cues.length, track.cues[0], track.cues.getCueById('c1')]).toEqual([1, cue, cue]);
    track.mode = 'bogus';
    expect(track.mode).toBe('hidden');
    track.mode = 'disabled';
    expect(track.cues).toBeNull();
    track.removeCue(cue);
    expect(() => track.removeCue(cue)).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
    expect(() => video.addTextTrack('bogus')).toThrow(window.TypeError);
    // HTMLMediaElement's operations: argument counts, and play() reports a wrong receiver as a rejection.
    expect(() => video.canPlayType()).toThrow(window.TypeError);
    await expect(window.HTMLMediaElement.prototype.play.call({})).rejects.toBeInstanceOf(window.TypeError);
    expect(Number.isNaN(video.getStartDate().getTime())).toBe(true);
  });

  it('an indexed list\'s own properties are its supported indices and nothing else, renumbered as it changes', async () => {
    const window = installed(host);
    const { mediaSource, sourceBuffer, video } = await openSource(window);
    const index = (list: Dom, i: number) => descriptor(list, i);
    expect(Object.getOwnPropertyNames(mediaSource.sourceBuffers)).toEqual(['0']);
    expect(index(mediaSource.sourceBuffers, 0)).toEqual({ value: sourceBuffer, writable: false, enumerable: true, configurable: true });
    mediaSource.removeSourceBuffer(sourceBuffer);
    expect(Object.getOwnPropertyNames(mediaSource.sourceBuffers)).toEqual([]);
    for (const list of [video.audioTracks, video.videoTracks, video.textTracks]) expect(Object.getOwnPropertyNames(list)).toEqual([]);
    const [first, second] = [video.addTextTrack('subtitles'), video.addTextTrack('captions')];
    expect(Object.getOwnPropertyNames(video.textTracks)).toEqual(['0', '1']);
    expect([video.textTracks[0], video.textTracks[1]]).toEqual([first, second]);
    const cues = ['a', 'b', 'c'].map((id) => ({ id, startTime: 0, endTime: 1 }));
    for (const cue of cues) first.addCue(cue);
    // Already listed: no second entry; HTML removes it and adds it again, last among cues of the same times.
    first.addCue(cues[0]);
    first.removeCue(cues[1]);
    expect(Object.getOwnPropertyNames(first.cues)).toEqual(['0', '1']);
    expect([first.cues.length, first.cues[0], first.cues[1], first.cues[2]]).toEqual([2, cues[2], cues[0], undefined]);
    expect([...first.cues]).toEqual([cues[2], cues[0]]);
    expect(Object.getOwnPropertyNames(first.activeCues)).toEqual([]);
  });

  it('a text track keeps its cues in text track cue order, and a cue added to another track leaves the first', () => {
    const window = installed(host);
    const video = window.document.createElement('video');
    const [first, second] = [video.addTextTrack('subtitles'), video.addTextTrack('captions')];
    const cue = (id: string, startTime: number, endTime: number) => ({ id, startTime, endTime });
    const [late, early, earlyLong, earlyLongAgain] = [cue('late', 5, 6), cue('early', 1, 2), cue('earlyLong', 1, 4), cue('earlyLongAgain', 1, 4)];
    for (const c of [late, early, earlyLong, earlyLongAgain]) first.addCue(c);
    // Start time earliest first, then end time latest first, then the order added.
    expect([...first.cues].map((c: Dom) => c.id)).toEqual(['earlyLong', 'earlyLongAgain', 'early', 'late']);
    second.addCue(earlyLong);
    expect([...first.cues].map((c: Dom) => c.id)).toEqual(['earlyLongAgain', 'early', 'late']);
    expect([...second.cues].map((c: Dom) => c.id)).toEqual(['earlyLong']);
    expect(() => first.removeCue(earlyLong)).toThrow(expect.objectContaining({ name: 'NotFoundError' }));
    expect(() => first.addCue(7)).toThrow(window.TypeError);
  });

  it('errors of the element, MSE, TimeRanges and text tracks are the window\'s DOMExceptions; play()\'s promise is the window\'s', async () => {
    const window = installed(host);
    const { mediaSource, sourceBuffer, video } = await openSource(window);
    const thrown = (call: () => unknown): unknown => {
      try {
        call();
      } catch (error) {
        return error;
      }
      throw new Error('did not throw');
    };
    const errors = {
      volume: thrown(() => (video.volume = 2)),
      timeRanges: thrown(() => video.buffered.start(0)),
      removeCue: thrown(() => video.addTextTrack('subtitles').removeCue({})),
      mseType: thrown(() => mediaSource.addSourceBuffer('video/x-none')),
    };
    mediaSource.removeSourceBuffer(sourceBuffer);
    Object.assign(errors, {
      mseNotFound: thrown(() => mediaSource.removeSourceBuffer(sourceBuffer)),
      mseRemoved: thrown(() => sourceBuffer.appendBuffer(new Uint8Array(1))),
    });
    const played = video.play();
    expect(played).toBeInstanceOf(window.Promise);
    video.pause();
    Object.assign(errors, { play: await played.catch((error: unknown) => error) });
    const names = Object.fromEntries(Object.entries(errors).map(([key, error]) => [key, error instanceof window.DOMException ? (error as DOMException).name : String(error)]));
    expect(names).toEqual({
      volume: 'IndexSizeError',
      timeRanges: 'IndexSizeError',
      removeCue: 'NotFoundError',
      mseNotFound: 'NotFoundError',
      mseType: 'NotSupportedError',
      mseRemoved: 'InvalidStateError',
      play: 'AbortError',
    });
  });

  it('a SourceBuffer\'s tracks (MSE): in its own lists and the element\'s, the same objects, until it is removed', async () => {
    const window = installed(host);
    const { mediaSource, sourceBuffer, video } = await openSource(window);
    expect(sourceBuffer.videoTracks).toBeInstanceOf(window.VideoTrackList);
    expect(sourceBuffer.audioTracks).toBe(sourceBuffer.audioTracks); // [SameObject]
    await append(sourceBuffer, init);
    await tasksRun();
    const [track] = [...sourceBuffer.videoTracks];
    expect(track).toBeInstanceOf(window.VideoTrack);
    expect([sourceBuffer.videoTracks.length, sourceBuffer.audioTracks.length, sourceBuffer.textTracks.length]).toEqual([1, 0, 0]);
    expect(video.videoTracks[0]).toBe(track);
    expect([track.sourceBuffer, track.selected, video.videoTracks.selectedIndex]).toEqual([sourceBuffer, true, 0]);
    const removed: string[] = [];
    video.videoTracks.onremovetrack = (event: Dom) => removed.push(`element:${event.track === track}`);
    sourceBuffer.videoTracks.onremovetrack = (event: Dom) => removed.push(`sourceBuffer:${event.track === track}`);
    mediaSource.removeSourceBuffer(sourceBuffer);
    await tasksRun();
    expect(track.sourceBuffer).toBeNull();
    expect([video.videoTracks.length, sourceBuffer.videoTracks.length]).toEqual([0, 0]);
    expect(removed).toEqual(['element:true', 'sourceBuffer:true']);
  });
});
