// emekit/dom's headless media element under jsdom and happy-dom, before MSE: a stand-in MediaSource feeds it the
// frames of a Common Encryption fixture; a player-like script licenses through the window's EME and plays to the
// end on the virtual clock; every sample played equals the clear source's.
import { createHash } from 'node:crypto';
import { Window as HappyWindow } from 'happy-dom';
import { JSDOM } from 'jsdom';
import { afterEach, describe, expect, it } from 'vitest';
import { installMedia, type InstalledMedia } from '../../src/dom/install.js';
import { trackSamples } from '../../src/media/index.js';
import { license } from '../support/eme.js';
import { fixture, KEYS, readFixture } from '../support/fixtures.js';
import { fakeMse, fixtureSource, type FakeMediaSource } from './fake-media-source.js';

const URL_BASE = 'http://127.0.0.1/';
const MEDIA_EVENTS = ['loadstart', 'durationchange', 'loadedmetadata', 'loadeddata', 'canplay', 'canplaythrough', 'play', 'playing', 'waiting', 'seeking', 'seeked', 'ratechange', 'ended', 'pause', 'emptied', 'error', 'encrypted', 'waitingforkey', 'resize', 'abort'];
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const LICENSE = license([[hex(KEYS.video.kid), hex(KEYS.video.key)], [hex(KEYS.audio.kid), hex(KEYS.audio.key)]]);

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

/** The usual EME dance of a player, through the window's navigator. */
function licenseOnEncrypted(window: AnyWindow, video: AnyWindow, delayMs = 0) {
  video.addEventListener('encrypted', async (event: any) => {
    if (!video.mediaKeys) {
      const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c01e"' }] }]);
      await video.setMediaKeys(await access.createMediaKeys());
    }
    const session = video.mediaKeys.createSession();
    session.addEventListener('message', async () => {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await session.update(LICENSE);
    });
    await session.generateRequest(event.initDataType, event.initData);
  });
}

function played(media: InstalledMedia, video: unknown, track: string): string[] {
  return media.recordOf(video).tracks.get(track)!.samples.map((s) => s.sha256);
}

function clearHashes(track: number): string[] {
  return trackSamples(readFixture('clear_prog.mp4'), track).map((s) => createHash('sha256').update(s).digest('hex'));
}

function waitFor(target: AnyWindow, type: string): Promise<void> {
  return new Promise((resolve) => target.addEventListener(type, () => resolve(), { once: true }));
}

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
    expect(played(media, video, '1')).toEqual(clearHashes(1));
    expect(played(media, video, '2')).toEqual(clearHashes(2));
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
});
