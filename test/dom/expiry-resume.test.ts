// emekit/dom with the test key system on the element's virtual clock, the page's own EME (no player): a license
// expiring mid-playback stops the element in Wait for Key; a renewal answered with a new license on the same session
// makes the keys usable again and playback resumes where it stopped, to the end, every sample the clear source's.
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { createEME } from '../../src/index.js';
import { manualClock, testKeySystem } from '../../src/testing/index.js';
import { fixture, readFixture } from '../support/fixtures.js';
import { attachAndFeed, fakeMse, fixtureSource, type FakeMediaSource } from './fake-media-source.js';
import { clearHashes, LICENSE, playedHashes, waitFor } from './player-script.js';

type AnyWindow = any;

describe('emekit/dom and the test key system: expiry and renewal on one session', () => {
  it('expired at 1 s: Wait for Key; a renewal answered with a new license resumes playback to the end', async () => {
    const dom = new JSDOM('<!doctype html><video></video>', { url: 'http://127.0.0.1/' });
    const window: AnyWindow = dom.window;
    const clock = manualClock();
    const cdm = testKeySystem({ keySystem: 'org.w3.clearkey', clock });
    const sources = new Map<string, FakeMediaSource>();
    const media = installMedia(window, { clock, eme: createEME({ keySystems: [cdm] }), mediaSource: fakeMse(sources) });
    const source = (await fixtureSource(fixture('cenc_mp4box.mp4')))();
    sources.set('blob:http://127.0.0.1/fake-1', source);
    const video = window.document.querySelector('video');
    const events: string[] = [];
    for (const type of ['waitingforkey', 'playing', 'ended', 'error']) video.addEventListener(type, () => events.push(type));

    // The page's EME: a session licensed when it asks, renewals answered the same way.
    const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c01e"' }] }]);
    await video.setMediaKeys(await access.createMediaKeys());
    const session = video.mediaKeys.createSession();
    const messages: string[] = [];
    let answer = true;
    session.addEventListener('message', async (event: AnyWindow) => {
      messages.push(event.messageType);
      if (answer) await session.update(LICENSE);
    });
    video.addEventListener('encrypted', (event: AnyWindow) => void session.generateRequest(event.initDataType, event.initData), { once: true });

    // At 1 s of media time the license expires (no renewal answered until the test says so).
    const expired = new Promise<{ at: number; waiting: Promise<unknown> }>((resolve) => {
      video.addEventListener('timeupdate', function onTime() {
        if (video.currentTime < 1) return;
        video.removeEventListener('timeupdate', onTime);
        answer = false;
        const at = video.currentTime;
        cdm.setExpiration(clock.now());
        resolve({ at, waiting: waitFor(video, 'waitingforkey') });
      });
    });
    await attachAndFeed(video, source, 'blob:http://127.0.0.1/fake-1', 5);
    await video.play();
    const { at, waiting } = await expired;
    await waiting;
    const stalledAt = video.currentTime;
    expect(stalledAt).toBeGreaterThanOrEqual(at);
    expect(stalledAt).toBeLessThan(video.duration);
    expect([...session.keyStatuses.values()]).toEqual(['expired', 'expired']);
    expect(video.ended).toBe(false);

    // Stalled: media time does not move while the keys are expired.
    await new Promise((resolve) => setImmediate(resolve));
    expect(video.currentTime).toBe(stalledAt);

    // The CDM asks for a renewal; the page answers it with a new license on the same session.
    answer = true;
    const ended = waitFor(video, 'ended');
    cdm.sessions[0]!.renew();
    await ended;
    expect(messages).toEqual(['license-request', 'license-renewal']);
    expect([...session.keyStatuses.values()]).toEqual(['usable', 'usable']);
    expect(video.currentTime).toBe(video.duration);
    // Every sample played once, in order, equal to the clear source's: nothing lost or repeated across the stall.
    const clear = readFixture('clear_prog.mp4');
    expect(playedHashes(media, video, '1')).toEqual(clearHashes(clear, 1));
    expect(playedHashes(media, video, '2')).toEqual(clearHashes(clear, 2));
    expect(events.filter((e) => e === 'error')).toEqual([]);
    expect(events.lastIndexOf('waitingforkey')).toBeLessThan(events.lastIndexOf('playing'));
    dom.window.close();
  });
});
