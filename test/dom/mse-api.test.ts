// The MSE interface objects' surface on jsdom and happy-dom: isTypeSupported, the exceptions of each method and
// setter, the lists and their events, duration, endOfStream, live seekable range, object URLs, detaching, and
// events that are the window's own.
import { describe, expect, it } from 'vitest';
import { installMediaSource } from '../../src/dom/mse/install.js';
import { readFixture } from '../support/fixtures.js';
import { append, type Dom, HOSTS, hostWindow, nextEvent, openMediaSource, ranges, recordingLink, segments, tasksRun } from '../support/mse.js';

const TYPE = 'video/mp4; codecs="avc1.42C00D"';
const { init, media } = segments(readFixture('clear_frag_video.mp4'));
const named = (name: string) => expect.objectContaining({ name });

describe.each(HOSTS)('MSE interfaces on %s', (host) => {
  it('isTypeSupported: the MP4 types whose init segments emekit parses', () => {
    const window = hostWindow(host) as Dom;
    installMediaSource(window);
    const { MediaSource } = window;
    for (const type of [
      'video/mp4; codecs="avc1.42E01E"',
      'video/mp4; codecs="avc1.64001f, mp4a.40.2"',
      'video/mp4; codecs="avc3.640028"',
      'video/mp4; codecs="hvc1.1.6.L93.B0"',
      'video/mp4; codecs="hev1.2.4.L120.90"',
      'audio/mp4; codecs="mp4a.40.2"',
      'audio/mp4; codecs="mp4a.40.5"',
      'audio/mp4; codecs="ec-3"',
      'audio/mp4; codecs="ac-3"',
      'audio/mp4; codecs="opus"',
    ]) {
      expect(MediaSource.isTypeSupported(type), type).toBe(true);
    }
    for (const type of [
      '',
      'video/mp4',
      'audio/mp4',
      'video/webm; codecs="vp9"',
      'audio/webm; codecs="opus"',
      'video/mp2t; codecs="avc1.42E01E"',
      'video/mp4; codecs="vp09.00.10.08"',
      'video/mp4; codecs="avc1"',
      'video/mp4; codecs="avc1.42E01E,"',
      'audio/mp4; codecs="avc1.42E01E"',
      'video/mp4; codecs="mp4a.6B"',
      'text/plain',
    ]) {
      expect(MediaSource.isTypeSupported(type), type).toBe(false);
    }
    // The interfaces' TypeErrors (conversions, argument counts, receivers, the algorithms' own) are the window
    // realm's (happy-dom's windows have their own built-ins).
    expect(() => MediaSource.isTypeSupported()).toThrow(window.TypeError);
  });

  it('addSourceBuffer: TypeError, NotSupportedError, QuotaExceededError, InvalidStateError; the lists and their events', async () => {
    const closed = hostWindow(host) as Dom;
    installMediaSource(closed);
    expect(() => new closed.MediaSource().addSourceBuffer(TYPE)).toThrow(named('InvalidStateError'));
    const { window, mediaSource } = await openMediaSource(host, { maxSourceBuffers: 2 });
    expect(() => mediaSource.addSourceBuffer('')).toThrow(window.TypeError);
    const notSupported = (() => {
      try {
        mediaSource.addSourceBuffer('video/webm; codecs="vp8"');
      } catch (e) {
        return e as Dom;
      }
    })();
    expect(notSupported).toBeInstanceOf(window.DOMException);
    expect(notSupported.name).toBe('NotSupportedError');
    const added: string[] = [];
    mediaSource.sourceBuffers.addEventListener('addsourcebuffer', (e: Dom) => added.push(`${e.type}:${e instanceof window.Event}`));
    mediaSource.sourceBuffers.onremovesourcebuffer = (e: Dom) => added.push(e.type);
    const a = mediaSource.addSourceBuffer(TYPE);
    const b = mediaSource.addSourceBuffer('audio/mp4; codecs="mp4a.40.2"');
    expect(() => mediaSource.addSourceBuffer(TYPE)).toThrow(named('QuotaExceededError'));
    expect([...mediaSource.sourceBuffers]).toEqual([a, b]);
    expect(mediaSource.sourceBuffers).toBeInstanceOf(window.SourceBufferList);
    mediaSource.removeSourceBuffer(a);
    expect([mediaSource.sourceBuffers.length, mediaSource.sourceBuffers[0], mediaSource.sourceBuffers[1]]).toEqual([1, b, undefined]);
    expect(() => mediaSource.removeSourceBuffer(a)).toThrow(named('NotFoundError'));
    expect(() => mediaSource.removeSourceBuffer({})).toThrow(window.TypeError);
    expect(() => a.appendBuffer(init)).toThrow(named('InvalidStateError'));
    expect(() => a.buffered).toThrow(named('InvalidStateError'));
    await tasksRun();
    expect(added).toEqual(['addsourcebuffer:true', 'addsourcebuffer:true', 'removesourcebuffer']);
    expect(() => new window.SourceBuffer()).toThrow(window.TypeError);
    expect(() => new window.SourceBufferList()).toThrow(window.TypeError);
    expect(() => window.SourceBuffer.prototype.appendBuffer.call(mediaSource, init)).toThrow(window.TypeError);
  });

  it('removeSourceBuffer during an append aborts it (abort, updateend)', async () => {
    const { mediaSource } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    const seen: string[] = [];
    for (const type of ['updatestart', 'update', 'updateend', 'abort', 'error']) sb.addEventListener(type, () => seen.push(type));
    sb.appendBuffer(init);
    mediaSource.removeSourceBuffer(sb);
    await tasksRun();
    expect(seen).toEqual(['updatestart', 'abort', 'updateend']);
  });

  it('appendBuffer while updating, with a non-BufferSource, or without arguments', async () => {
    const { window, mediaSource } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    expect(() => sb.appendBuffer()).toThrow(window.TypeError);
    expect(() => sb.appendBuffer('bytes')).toThrow(window.TypeError);
    sb.appendBuffer(init);
    expect(() => sb.appendBuffer(media[0])).toThrow(named('InvalidStateError'));
    expect(() => (sb.timestampOffset = 1)).toThrow(named('InvalidStateError'));
    expect(() => (mediaSource.duration = 5)).toThrow(named('InvalidStateError'));
    expect(() => mediaSource.endOfStream()).toThrow(named('InvalidStateError'));
    await nextEvent(sb, 'updateend');
    // The bytes were copied at the call: changing the caller's buffer afterwards changes nothing.
    const copy = Uint8Array.from(media[0]!);
    sb.appendBuffer(copy);
    copy.fill(0);
    await nextEvent(sb, 'updateend');
    expect(ranges(sb.buffered)).toHaveLength(1);
  });

  it('duration: the setter\'s checks, the duration change algorithm, never below what is buffered', async () => {
    const { window, mediaSource, link } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    expect(mediaSource.duration).toBeNaN();
    expect(() => (mediaSource.duration = -1)).toThrow(window.TypeError);
    expect(() => (mediaSource.duration = NaN)).toThrow(window.TypeError);
    await append(sb, init);
    await append(sb, media[0]!);
    mediaSource.duration = 30;
    expect(mediaSource.duration).toBe(30);
    expect(link.calls.filter((c) => c === 'durationChanged')).toHaveLength(2);
    mediaSource.duration = 30;
    expect(link.calls.filter((c) => c === 'durationChanged')).toHaveLength(2);
    // Below the highest presentation timestamp buffered (0.96 s): InvalidStateError.
    expect(() => (mediaSource.duration = 0.5)).toThrow(named('InvalidStateError'));
    // Between the last frame's start and its end: kept as set, as Chromium does.
    mediaSource.duration = 0.97;
    expect(mediaSource.duration).toBe(0.97);
  });

  it('endOfStream: sourceended, reopening on the next append, the element told of network and decode errors', async () => {
    const { window, mediaSource, link } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    await append(sb, init);
    expect(() => mediaSource.endOfStream('bogus')).toThrow(window.TypeError);
    const events: string[] = [];
    for (const type of ['sourceopen', 'sourceended', 'sourceclose']) mediaSource.addEventListener(type, () => events.push(type));
    mediaSource.onsourceended = () => events.push('onsourceended');
    mediaSource.endOfStream('network');
    expect(mediaSource.readyState).toBe('ended');
    expect(link.calls.at(-1)).toBe("networkError: endOfStream('network')");
    expect(() => mediaSource.endOfStream()).toThrow(named('InvalidStateError'));
    await append(sb, media[0]!);
    expect(mediaSource.readyState).toBe('open');
    mediaSource.endOfStream('decode');
    expect(link.calls.at(-1)).toBe("decodeError: endOfStream('decode')");
    await tasksRun();
    expect(events).toEqual(['sourceended', 'onsourceended', 'sourceopen', 'sourceended', 'onsourceended']);
  });

  it('seekable: [0, duration], or with an infinite duration the live seekable range joined with buffered', async () => {
    const { window, mediaSource, attached } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    expect(attached.seekable()).toEqual([]);
    await append(sb, init);
    expect(mediaSource.duration).toBe(Infinity);
    expect(attached.seekable()).toEqual([]);
    sb.timestampOffset = 100;
    await append(sb, media[0]!);
    expect(attached.seekable()).toEqual([[0, 101]]);
    mediaSource.setLiveSeekableRange(90, 95);
    expect(attached.seekable()).toEqual([[90, 101]]);
    expect(() => mediaSource.setLiveSeekableRange(5, 4)).toThrow(window.TypeError);
    expect(() => mediaSource.setLiveSeekableRange(-1, 4)).toThrow(window.TypeError);
    mediaSource.clearLiveSeekableRange();
    expect(attached.seekable()).toEqual([[0, 101]]);
    mediaSource.duration = 200;
    expect(attached.seekable()).toEqual([[0, 200]]);
    mediaSource.endOfStream();
    expect(() => mediaSource.setLiveSeekableRange(0, 1)).toThrow(named('InvalidStateError'));
    expect(() => mediaSource.clearLiveSeekableRange()).toThrow(named('InvalidStateError'));
  });

  it('object URLs: one per MediaSource, attached once, revoked; Blobs go to the host', async () => {
    const window = hostWindow(host) as Dom;
    const registry = installMediaSource(window);
    expect(installMediaSource(window)).toBe(registry);
    const mediaSource = new window.MediaSource();
    const url = window.URL.createObjectURL(mediaSource);
    expect(url).toMatch(/^blob:http:\/\/127\.0\.0\.1\/[0-9a-f-]{36}$/);
    expect(window.URL.createObjectURL(mediaSource)).not.toBe(url);
    expect(registry.isMediaSource(mediaSource)).toBe(true);
    expect(registry.isMediaSource({})).toBe(false);
    expect(registry.attachUrl('blob:http://127.0.0.1/unknown', recordingLink(window))).toBeUndefined();
    const attached = registry.attachUrl(url, recordingLink(window));
    expect(attached).toBeDefined();
    // Already attached (not 'closed'): a second element cannot attach it.
    expect(registry.attachObject(mediaSource, recordingLink(window))).toBeUndefined();
    window.URL.revokeObjectURL(url);
    attached!.detach();
    expect(registry.attachUrl(url, recordingLink(window))).toBeUndefined();
    // The host keeps Blob URLs where it has them (happy-dom); jsdom has none.
    if (host === 'happy-dom') expect(window.URL.createObjectURL(new window.Blob(['x']))).toMatch(/^blob:/);
    else expect(() => window.URL.createObjectURL(new window.Blob(['x']))).toThrow(TypeError);
    // Node's own URL is left alone.
    expect((URL as Dom).createObjectURL(new Blob(['x']))).toMatch(/^blob:nodedata:/);
  });

  it('detaching closes the MediaSource: sourceclose, SourceBuffers removed, duration NaN', async () => {
    const { mediaSource, attached } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    await append(sb, init);
    const events: string[] = [];
    mediaSource.addEventListener('sourceclose', () => events.push('sourceclose'));
    mediaSource.sourceBuffers.addEventListener('removesourcebuffer', () => events.push('removesourcebuffer'));
    mediaSource.activeSourceBuffers.addEventListener('removesourcebuffer', () => events.push('active removesourcebuffer'));
    attached.detach();
    expect([mediaSource.readyState, mediaSource.duration, mediaSource.sourceBuffers.length]).toEqual(['closed', NaN, 0]);
    expect(attached.buffered()).toEqual([]);
    expect(() => sb.appendBuffer(media[0])).toThrow(named('InvalidStateError'));
    await nextEvent(mediaSource, 'sourceclose');
    expect(events).toEqual(['active removesourcebuffer', 'removesourcebuffer', 'sourceclose']);
  });

  it('SourceBuffer event handler attributes receive the window\'s own events', async () => {
    const { window, mediaSource } = await openMediaSource(host);
    const sb = mediaSource.addSourceBuffer(TYPE);
    const seen: string[] = [];
    for (const type of ['updatestart', 'update', 'updateend']) {
      sb[`on${type}`] = function (this: Dom, e: Dom) {
        seen.push(`${e.type}:${e instanceof window.Event}:${this === sb}:${e.target === sb}`);
      };
    }
    await append(sb, init);
    expect(seen).toEqual(['updatestart:true:true:true', 'update:true:true:true', 'updateend:true:true:true']);
    sb.onupdate = null;
    expect(sb.onupdate).toBeNull();
  });
});
