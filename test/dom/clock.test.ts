// Media time under fake timers: the real clock (the default) reads Date.now() and setTimeout when it ticks, so a
// test's fake timers drive playback; a VirtualClock runs what falls due in order as the element advances it.
import { Window as HappyWindow } from 'happy-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { VirtualClock } from '../../src/util/virtual-clock.js';
import { fixture } from '../support/fixtures.js';
import { fakeMse, fixtureSource, type FakeMediaSource } from './fake-media-source.js';
import { LICENSE } from './player-script.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('media time', () => {
  it('with the real clock follows fake timers: 4 s of media take 4 s of (fake) time', async () => {
    const window = new HappyWindow({ url: 'http://127.0.0.1/' });
    const sources = new Map<string, FakeMediaSource>();
    const media = installMedia(window as never, { mediaSource: fakeMse(sources) });
    const source = (await fixtureSource(fixture('cenc_mp4box.mp4')))();
    sources.set('blob:x', source);
    const video = window.document.createElement('video') as any;
    const access = await (window.navigator as any).requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c01e"' }] }]);
    const keys = await access.createMediaKeys();
    await video.setMediaKeys(keys);
    const session = keys.createSession();
    const licensed = new Promise((resolve) => session.addEventListener('message', () => resolve(session.update(LICENSE))));
    await session.generateRequest('cenc', new Uint8Array(source.pssh!).buffer);
    await licensed;
    // From here on every timer is the test's: the element's ticks, its events' tasks, Date.now().
    vi.useFakeTimers();
    video.src = 'blob:x';
    await vi.advanceTimersByTimeAsync(0);
    source.appendInit();
    source.appendUntil(5);
    source.endOfStream();
    const ended = new Promise((resolve) => video.addEventListener('ended', resolve));
    void video.play();
    await vi.advanceTimersByTimeAsync(2000);
    expect(video.currentTime).toBeGreaterThan(1.8);
    expect(video.currentTime).toBeLessThan(2.2);
    expect(video.ended).toBe(false);
    await vi.advanceTimersByTimeAsync(2500);
    await ended;
    expect(video.currentTime).toBe(video.duration);
    expect(media.recordOf(video).tracks.get('1')!.samples.length).toBe(100);
    await window.happyDOM.close();
  });

  it('a VirtualClock runs scheduled callbacks at their own times, in order, and can cancel them', () => {
    const clock = new VirtualClock(1000);
    const seen: string[] = [];
    clock.schedule(50, () => seen.push(`a@${clock.now()}`));
    const cancel = clock.schedule(20, () => seen.push('cancelled'));
    clock.schedule(10, () => {
      seen.push(`b@${clock.now()}`);
      clock.schedule(5, () => seen.push(`c@${clock.now()}`));
    });
    cancel();
    expect(clock.untilNext()).toBe(10);
    clock.advance(100);
    expect(seen).toEqual(['b@1010', 'c@1015', 'a@1050']);
    expect(clock.now()).toBe(1100);
    expect(clock.untilNext()).toBe(Infinity);
  });
});
