// emekit/dom's headless media element under jsdom and happy-dom, before MSE: a stand-in MediaSource feeds it the
// frames of a Common Encryption fixture; a player-like script licenses through the window's EME and plays to the
// end on the virtual clock; every sample played equals the clear source's.
import { Window as HappyWindow } from 'happy-dom';
import { JSDOM } from 'jsdom';
import { afterEach, describe, expect, it } from 'vitest';
import { installMedia, type InstalledMedia } from '../../src/dom/install.js';
import { license } from '../support/eme.js';
import { fixture, KEYROLL, KEYS, readFixture } from '../support/fixtures.js';
import { attachAndFeed, fakeMse, fixtureSource, type FakeMediaSource } from './fake-media-source.js';
import { clearHashes, LICENSE, licenseOnEncrypted, playedHashes, waitFor } from './player-script.js';

const URL_BASE = 'http://127.0.0.1/';
const MEDIA_EVENTS = ['loadstart', 'durationchange', 'loadedmetadata', 'loadeddata', 'canplay', 'canplaythrough', 'play', 'playing', 'waiting', 'seeking', 'seeked', 'ratechange', 'ended', 'pause', 'emptied', 'error', 'encrypted', 'waitingforkey', 'resize', 'abort'];

type AnyWindow = any;
const hosts: Record<string, () => { window: AnyWindow; close(): void }> = {
  jsdom: () => {
    const dom = new JSDOM('<!doctype html><video></video>', { url: URL_BASE });
    return { window: dom.window, close: () => dom.window.close() };
  },
  'happy-dom': () => {
    const window = new HappyWindow({ url: URL_BASE });
    window.document.write('<!doctype html><video></video>');
    return { window, close: () => void window.happyDOM.close() };
  },
};

let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((f) => f());
  cleanup = [];
});

async function setUp(host: string, file = 'cenc_mp4box.mp4') {
  const { window, close } = hosts[host]!();
  cleanup.push(close);
  const sources = new Map<string, FakeMediaSource>();
  const media = installMedia(window, { clock: 'virtual', mediaSource: fakeMse(sources) });
  const makeSource = await fixtureSource(fixture(file));
  const source = makeSource();
  sources.set('blob:http://127.0.0.1/fake-1', source);
  const video = window.document.querySelector('video');
  const log: string[] = [];
  for (const type of MEDIA_EVENTS) video.addEventListener(type, (e: any) => {
    expect(e).toBeInstanceOf(window.Event);
    log.push(type);
  });
  return { window, media, source, video, log };
}

function played(media: InstalledMedia, video: unknown, track: string): string[] {
  return playedHashes(media, video, track);
}

const clear = readFixture('clear_prog.mp4');

describe.each(Object.keys(hosts))('headless media element under %s', (host) => {
  it('plays protected media to the end on the virtual clock, events in the spec’s order, samples as the clear source', async () => {
    const { window, media, source, video, log } = await setUp(host);
    licenseOnEncrypted(window, video);
    expect(video.readyState).toBe(0);
    expect(video.paused).toBe(true);
    video.src = 'blob:http://127.0.0.1/fake-1';
    await new Promise((resolve) => setImmediate(resolve));
    expect(video.networkState).toBe(video.NETWORK_LOADING);
    source.appendInit();
    await waitFor(video, 'loadedmetadata');
    expect(video.readyState).toBe(1);
    expect(video.duration).toBeCloseTo(189 * 1024 / 48000, 6);
    expect([video.videoWidth, video.videoHeight]).toEqual([320, 240]);
    const playing = video.play();
    source.appendUntil(2);
    source.appendUntil(5);
    source.endOfStream();
    await playing;
    await waitFor(video, 'ended');
    expect(video.ended).toBe(true);
    expect(video.paused).toBe(true);
    expect(video.currentTime).toBe(video.duration);
    expect(played(media, video, '1')).toEqual(clearHashes(clear, 1));
    expect(played(media, video, '2')).toEqual(clearHashes(clear, 2));
    expect(video.getVideoPlaybackQuality().totalVideoFrames).toBe(100);
    expect(video.played.length).toBe(1);
    expect(video.played.end(0)).toBe(video.duration);
    // HTML's order: metadata, then play() before data (waiting), data (loadeddata, canplay, playing), and the
    // element blocked for the key (waitingforkey) until the license came.
    const order = ['loadstart', 'durationchange', 'loadedmetadata', 'play', 'waiting', 'loadeddata', 'canplay', 'playing', 'canplaythrough'];
    const firstOf = order.map((type) => log.indexOf(type));
    expect(firstOf, log.join(' ')).toEqual([...firstOf].sort((a, b) => a - b));
    expect(firstOf.includes(-1), log.join(' ')).toBe(false);
    expect(log).toContain('waitingforkey');
    expect(log.at(-2)).toBe('pause');
    expect(log.at(-1)).toBe('ended');
  });

  it('waits for a late key (waitingforkey, readyState HAVE_METADATA) and resumes when the license arrives; a seek plays from there', async () => {
    const { window, media, source, video, log } = await setUp(host);
    const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c01e"' }] }]);
    await video.setMediaKeys(await access.createMediaKeys());
    await attachAndFeed(video, source, 'blob:http://127.0.0.1/fake-1', 5);
    const blocked = waitFor(video, 'waitingforkey');
    // play() resolves once playing is notified: not before the first frame can be decrypted (EME Wait for Key).
    const playing = video.play();
    await blocked;
    expect(video.readyState).toBe(1);
    expect(video.currentTime).toBe(0);
    expect(video.paused).toBe(false);
    expect(log).not.toContain('playing');
    // Removing the MediaKeys of an element playing protected media: InvalidStateError, as Chromium.
    await expect(video.setMediaKeys(null)).rejects.toMatchObject({ name: 'InvalidStateError' });
    const session = video.mediaKeys.createSession();
    session.addEventListener('message', () => session.update(LICENSE));
    await session.generateRequest('keyids', new TextEncoder().encode(JSON.stringify({ kids: [Buffer.from(KEYS.video.kid, 'hex').toString('base64url')] })));
    await playing;
    await waitFor(video, 'timeupdate');
    expect(video.readyState).toBeGreaterThanOrEqual(3);
    video.pause();
    const seeked = waitFor(video, 'seeked');
    video.currentTime = 2;
    expect(video.seeking).toBe(true);
    await seeked;
    expect(video.currentTime).toBe(2);
    video.play();
    await waitFor(video, 'ended');
    const videoPlayed = played(media, video, '1');
    const expected = clearHashes(clear, 1);
    // From the start until the pause, then from 2 s (frame 50) to the end.
    expect(videoPlayed.slice(-50)).toEqual(expected.slice(50));
    expect(expected.slice(0, videoPlayed.length - 50)).toEqual(videoPlayed.slice(0, -50));
    expect(log.filter((e) => e === 'seeking' || e === 'seeked')).toEqual(['seeking', 'seeked']);
    expect(video.played.length).toBe(2);
  });

  it('stalls mid-stream for a rotated key as EME’s Wait for Key says: HAVE_CURRENT_DATA, waitingforkey, then one timeupdate and waiting; resumes on the key', async () => {
    // cenc_keyroll_mp4box.mp4: video only, a new key every 25 frames (1 s); licensed with the first key alone.
    const { window, media, source, video } = await setUp(host, 'cenc_keyroll_mp4box.mp4');
    const keyroll = KEYROLL.map(([kid, key]) => [Buffer.from(kid, 'hex'), Buffer.from(key, 'hex')] as [Uint8Array, Uint8Array]);
    const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['keyids'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c01e"' }] }]);
    await video.setMediaKeys(await access.createMediaKeys());
    const licensed = async (keys: Array<[Uint8Array, Uint8Array]>) => {
      const session = video.mediaKeys.createSession();
      const updated = new Promise((resolve) => session.addEventListener('message', () => resolve(session.update(license(keys)))));
      await session.generateRequest('keyids', new TextEncoder().encode(JSON.stringify({ kids: keys.map(([kid]) => Buffer.from(kid).toString('base64url')) })));
      await updated;
    };
    await licensed(keyroll.slice(0, 1));
    const events: string[] = [];
    for (const type of ['timeupdate', 'waiting', 'waitingforkey', 'canplay', 'playing']) {
      video.addEventListener(type, () => events.push(`${type} ${video.readyState}`));
    }
    await attachAndFeed(video, source, 'blob:http://127.0.0.1/fake-1', 4);
    await video.play();
    await waitFor(video, 'waitingforkey');
    // The first key's 25 frames were decoded; the last is shown at the position: data for it (HAVE_CURRENT_DATA).
    expect(video.readyState).toBe(video.HAVE_CURRENT_DATA);
    expect(video.currentTime).toBeCloseTo(1, 9);
    const clearVideo = clearHashes(readFixture('clear_frag_video.mp4'), 1);
    expect(played(media, video, '1')).toEqual(clearVideo.slice(0, 25));
    // The element stopped playing (readyState below HAVE_FUTURE_DATA): one timeupdate and waiting, nothing more.
    await waitFor(video, 'waiting');
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    const stall = events.slice(events.indexOf('waitingforkey 2'));
    expect(stall).toEqual(['waitingforkey 2', 'timeupdate 2', 'waiting 2']);
    expect(video.currentTime).toBeCloseTo(1, 9);
    await licensed(keyroll.slice(1));
    await waitFor(video, 'ended');
    const resumed = events.slice(events.indexOf('waiting 2') + 1, events.indexOf('waiting 2') + 3);
    expect(resumed).toEqual(['canplay 4', 'playing 4']);
    expect(played(media, video, '1')).toEqual(clearVideo);
  });

  it('reports a source it cannot play as a browser does: error MEDIA_ERR_SRC_NOT_SUPPORTED, play() rejected', async () => {
    const { window, video, log } = await setUp(host);
    video.src = 'http://127.0.0.1/not-a-media-source.m3u8';
    const play = video.play();
    await expect(play).rejects.toMatchObject({ name: 'NotSupportedError' });
    expect(video.error).toBeInstanceOf(window.MediaError);
    expect(video.error.code).toBe(window.MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED);
    expect(video.networkState).toBe(video.NETWORK_NO_SOURCE);
    // play() queues play and waiting at once; loadstart waits for the script to end (resource selection).
    expect(log).toEqual(['play', 'waiting', 'loadstart', 'error']);
    await expect(video.play()).rejects.toMatchObject({ name: 'NotSupportedError' });
    expect(video.canPlayType('application/vnd.apple.mpegurl')).toBe('');
    expect(video.canPlayType('video/mp4')).toBe('maybe');
    expect(video.canPlayType('video/mp4; codecs="avc1.64001f, mp4a.40.2"')).toBe('probably');
  });

  it('attaches through a <source> child (shaka-player’s way), load() empties the element and rejects a pending play()', async () => {
    const { window, source, video, log } = await setUp(host);
    const child = window.document.createElement('source');
    child.setAttribute('src', 'blob:http://127.0.0.1/fake-1');
    video.removeAttribute('src');
    video.appendChild(child);
    video.load();
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.link).toBeDefined();
    expect(video.currentSrc).toBe('blob:http://127.0.0.1/fake-1');
    source.appendInit();
    await waitFor(video, 'loadedmetadata');
    expect(video.videoTracks.length).toBe(1);
    expect([...video.audioTracks].map((t: any) => [t.id, t.enabled])).toEqual([['2', true]]);
    const play = video.play();
    video.removeChild(child);
    video.load();
    await expect(play).rejects.toMatchObject({ name: 'AbortError' });
    expect(source.detached).toBe(true);
    expect(video.readyState).toBe(0);
    expect(Number.isNaN(video.duration)).toBe(true);
    expect(video.networkState).toBe(video.NETWORK_EMPTY);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(expect.arrayContaining(['abort', 'emptied']));
    expect(window.screen.width).toBeGreaterThan(0);
  });

  it('keeps one MediaKeys per element (QuotaExceededError) and rejects what is not a MediaKeys (TypeError)', async () => {
    const { window, video } = await setUp(host);
    const other = window.document.createElement('audio');
    const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ audioCapabilities: [{ contentType: 'audio/mp4; codecs="mp4a.40.2"' }] }]);
    const keys = await access.createMediaKeys();
    await video.setMediaKeys(keys);
    expect(video.mediaKeys).toBe(keys);
    const quota = await other.setMediaKeys(keys).catch((e: unknown) => e);
    expect(quota).toBeInstanceOf(window.DOMException);
    expect((quota as DOMException).name).toBe('QuotaExceededError');
    // The window's TypeError (happy-dom's windows have their own).
    const WindowTypeError = window.TypeError ?? TypeError;
    await expect(video.setMediaKeys({})).rejects.toBeInstanceOf(WindowTypeError);
    await expect(window.HTMLMediaElement.prototype.setMediaKeys.call({}, keys)).rejects.toBeInstanceOf(WindowTypeError);
    await video.setMediaKeys(null);
    await other.setMediaKeys(keys);
    expect(other.mediaKeys).toBe(keys);
  });

  it('turns a failure inside playback into the element’s MEDIA_ERR_DECODE, not an uncaught exception', async () => {
    const { window, source, video } = await setUp(host);
    video.src = 'blob:http://127.0.0.1/fake-1';
    await new Promise((resolve) => setImmediate(resolve));
    source.appendInit();
    source.tracks[0]!.frames = () => {
      throw new Error('track buffer broken');
    };
    source.appendUntil(5);
    const failed = waitFor(video, 'error');
    video.play().catch(() => undefined);
    await failed;
    expect(video.error.code).toBe(window.MediaError.MEDIA_ERR_DECODE);
    expect(video.error.message).toMatch(/track buffer broken/);
  });

  it('seeking while playing: the position stays at the target until seeked, then playback goes on from there', async () => {
    const { window, media, source, video } = await setUp(host);
    licenseOnEncrypted(window, video);
    await attachAndFeed(video, source, 'blob:http://127.0.0.1/fake-1', 5);
    await video.play();
    await new Promise<void>((resolve) => video.addEventListener('timeupdate', () => video.currentTime > 1 && resolve()));
    const atSeeked = new Promise<number>((resolve) => video.addEventListener('seeked', () => resolve(video.currentTime), { once: true }));
    video.currentTime = 3;
    expect(await atSeeked).toBe(3);
    await waitFor(video, 'ended');
    // The video frames from 3 s (frame 75) on were played after the seek.
    expect(played(media, video, '1').slice(-25)).toEqual(clearHashes(clear, 1).slice(75));
  });
});
