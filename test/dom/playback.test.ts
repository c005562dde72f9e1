// End to end on emekit/dom: a jsdom or happy-dom window, its MediaSource fed the segments of a Common Encryption
// file as a player appends them, a license through the window's EME, playback to `ended` on the virtual clock;
// every sample played equals the clear source's.
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { CLEAR_KEY_SYSTEM_ID, encryptMp4, psshBox } from '../support/encrypt.js';
import { KEYS, readFixture } from '../support/fixtures.js';
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
