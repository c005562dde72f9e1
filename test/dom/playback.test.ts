// End to end on emekit/dom: a jsdom or happy-dom window, its MediaSource fed the segments of a Common Encryption
// file as a player appends them, a license through the window's EME, playback to `ended` on the virtual clock;
// every sample played equals the clear source's.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { CLEAR_KEY_SYSTEM_ID, encryptMp4, psshBox } from '../support/encrypt.js';
import { license } from '../support/eme.js';
import { KEYS, readFixture } from '../support/fixtures.js';
import { makePresentation } from '../players/support/presentation.js';
import { append, HOSTS, hostWindow, segments, type Dom } from '../support/mse.js';
import { clearHashes, licenseOnEncrypted, playedHashes, waitFor } from './player-script.js';

const TYPE = 'video/mp4; codecs="avc1.42C00D, mp4a.40.2"';
const clearFrag = readFixture('clear_frag.mp4');
const kid = Buffer.from(KEYS.video.kid, 'hex');
const key = Buffer.from(KEYS.video.key, 'hex');

describe.each(HOSTS)('playback through MediaSource on %s', (host) => {
  it.each(['cenc', 'cbcs'] as const)('%s: licensed on encrypted, played to the end, samples as the clear source', async (scheme) => {
    const file = encryptMp4(clearFrag, {
      scheme, key, kid, ivSize: scheme === 'cbcs' ? 0 : 8, constantIv: Buffer.alloc(16, 7),
      moofPssh: (n) => (n === 0 ? { head: [psshBox(CLEAR_KEY_SYSTEM_ID, [kid])] } : {}),
    });
    const window = hostWindow(host) as Dom;
    const media = installMedia(window, { clock: 'virtual' });
    const video = window.document.createElement('video');
    window.document.body.appendChild(video);
    licenseOnEncrypted(window, video);
    const log: string[] = [];
    for (const type of ['loadstart', 'loadedmetadata', 'encrypted', 'waitingforkey', 'playing', 'ended']) video.addEventListener(type, () => log.push(type));
    const mediaSource = new window.MediaSource();
    video.src = window.URL.createObjectURL(mediaSource);
    await waitFor(mediaSource, 'sourceopen');
    const sourceBuffer = mediaSource.addSourceBuffer(TYPE);
    const { init, media: fragments } = segments(file);
    await append(sourceBuffer, init);
    const playing = video.play();
    for (const fragment of fragments) await append(sourceBuffer, fragment);
    mediaSource.endOfStream();
    await playing;
    await waitFor(video, 'ended');
    expect(video.currentTime).toBe(video.duration);
    expect(mediaSource.duration).toBe(video.duration);
    expect(playedHashes(media, video, '1')).toEqual(clearHashes(clearFrag, 1));
    expect(playedHashes(media, video, '2')).toEqual(clearHashes(clearFrag, 2));
    expect(log[0]).toBe('loadstart');
    expect(log).toContain('encrypted');
    expect(log.at(-1)).toBe('ended');
    window.close?.();
  });
});

describe.each(HOSTS)('a stall at every audio segment boundary on %s', (host) => {
  it('no audio frame is skipped when playback waits at the end of the audio buffer (float dust: the position, a sum of durations, can lie 1 ulp past the next frame)', async () => {
    // 20 s packaged per track (1 s segments), as a DASH player gets it; the video first, then the audio one segment
    // per stall, so playback always waits at the end of the audio buffer. Found with shaka-player in bench:player.
    const presentation = await makePresentation({ scheme: 'cenc', licenseUrl: 'http://127.0.0.1/unused', repeat: 5 });
    const track = (id: 'video' | 'audio') => {
      const count = [...presentation.files.keys()].filter((k) => k.startsWith(`${id}/seg-`)).length;
      return { init: presentation.files.get(`${id}/init.mp4`)!, media: Array.from({ length: count }, (_, i) => presentation.files.get(`${id}/seg-${i + 1}.m4s`)!) };
    };
    const window = hostWindow(host) as Dom;
    const media = installMedia(window, { clock: 'virtual' });
    const video = window.document.createElement('video');
    licenseOnEncrypted(window, video);
    const mediaSource = new window.MediaSource();
    video.src = window.URL.createObjectURL(mediaSource);
    await waitFor(mediaSource, 'sourceopen');
    const videoBuffer = mediaSource.addSourceBuffer('video/mp4; codecs="avc1.42C00D"');
    const audioBuffer = mediaSource.addSourceBuffer('audio/mp4; codecs="mp4a.40.2"');
    const videoTrack = track('video');
    const audioTrack = track('audio');
    for (const segment of [videoTrack.init, ...videoTrack.media]) await append(videoBuffer, segment);
    await append(audioBuffer, audioTrack.init);
    const playing = video.play();
    let stalls = 0;
    for (const segment of audioTrack.media) {
      await append(audioBuffer, segment);
      // Playback runs to the end of this segment and waits there for the next one.
      if (segment !== audioTrack.media.at(-1)) {
        await waitFor(video, 'waiting');
        stalls++;
        expect(video.currentTime).toBeCloseTo(audioBuffer.buffered.end(0), 6);
      }
    }
    mediaSource.endOfStream();
    await playing;
    await waitFor(video, 'ended');
    expect(stalls).toBe(audioTrack.media.length - 1);
    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(playedHashes(media, video, '2')).toEqual(presentation.clearSamples.get('audio')!.map(hash));
    expect(playedHashes(media, video, '1')).toEqual(presentation.clearSamples.get('video')!.map(hash));
    window.close?.();
  }, 60_000);
});

describe.each(HOSTS)('errors a player sees on %s', (host) => {
  async function attach(window: Dom) {
    const media = installMedia(window, { clock: 'virtual' });
    const video = window.document.createElement('video');
    const mediaSource = new window.MediaSource();
    video.src = window.URL.createObjectURL(mediaSource);
    await waitFor(mediaSource, 'sourceopen');
    return { media, video, mediaSource, sourceBuffer: mediaSource.addSourceBuffer(TYPE) };
  }

  it('a wrong key: the NAL check fails the first video frame, MEDIA_ERR_DECODE, nothing of it played', async () => {
    const window = hostWindow(host) as Dom;
    const { media, video, mediaSource, sourceBuffer } = await attach(window);
    // Whole samples encrypted, NAL length fields included: what a wrong key garbles there the check sees.
    const file = encryptMp4(clearFrag, { scheme: 'cenc', key, kid, ivSize: 8, videoLayout: 'whole' });
    const failed = waitFor(video, 'error');
    const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c01e"' }] }]);
    await video.setMediaKeys(await access.createMediaKeys());
    const session = video.mediaKeys.createSession();
    session.addEventListener('message', () => session.update(license([[Uint8Array.from(kid), new Uint8Array(16).fill(0x42)]])));
    await session.generateRequest('keyids', new TextEncoder().encode(JSON.stringify({ kids: [kid.toString('base64url')] })));
    const { init, media: fragments } = segments(file);
    for (const segment of [init, ...fragments]) await append(sourceBuffer, segment);
    mediaSource.endOfStream();
    video.play().catch(() => undefined);
    await failed;
    expect(video.error.code).toBe(window.MediaError.MEDIA_ERR_DECODE);
    expect(video.error.message).toMatch(/does not decode/);
    expect(video.currentTime).toBe(0);
    expect(playedHashes(media, video, '1')).toEqual([]);
    window.close?.();
  });

  it('a segment the byte stream format refuses: the append error algorithm, then the element’s MEDIA_ERR_DECODE (never an exception)', async () => {
    const window = hostWindow(host) as Dom;
    const { video, sourceBuffer } = await attach(window);
    const { init } = segments(clearFrag);
    await append(sourceBuffer, init);
    const failed = waitFor(video, 'error');
    // A fragment without tfdt (GPAC's): the ISO BMFF byte stream format refuses it.
    const refused = segments(readFixture('cenc_mp4box.mp4')).media[0]!;
    expect(await append(sourceBuffer, refused)).toEqual(['updatestart', 'error', 'updateend']);
    await failed;
    expect(video.error).toBeInstanceOf(window.MediaError);
    expect(video.error.code).toBe(window.MediaError.MEDIA_ERR_DECODE);
    window.close?.();
  });
});
