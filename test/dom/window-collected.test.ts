// A closed window that installMedia set up, with a protected presentation played to the end on it, is garbage like
// any other: a test suite making a window per test must not keep every one (their documents, elements, buffered
// frames and sessions). happy-dom's windows share one HTMLMediaElement.prototype, so nothing put on it may hold a
// window; before this was so, no window was ever collected (each patch held the previous window's `src` accessor).
import { describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { collectGarbage } from '../support/eme.js';
import { CLEAR_KEY_SYSTEM_ID, encryptMp4, psshBox } from '../support/encrypt.js';
import { KEYS, readFixture } from '../support/fixtures.js';
import { append, HOSTS, hostWindow, segments, type Dom } from '../support/mse.js';
import { licenseOnEncrypted, waitFor } from './player-script.js';

const TYPE = 'video/mp4; codecs="avc1.42C00D, mp4a.40.2"';
const kid = Buffer.from(KEYS.video.kid, 'hex');
const file = encryptMp4(readFixture('clear_frag.mp4'), {
  scheme: 'cenc', key: Buffer.from(KEYS.video.key, 'hex'), kid, ivSize: 8, constantIv: Buffer.alloc(16, 7),
  moofPssh: (n) => (n === 0 ? { head: [psshBox(CLEAR_KEY_SYSTEM_ID, [kid])] } : {}),
});
const { init, media } = segments(file);

async function playOnce(window: Dom): Promise<void> {
  installMedia(window, { clock: 'virtual' });
  const video = window.document.createElement('video');
  window.document.body.appendChild(video);
  licenseOnEncrypted(window, video);
  const mediaSource = new window.MediaSource();
  video.src = window.URL.createObjectURL(mediaSource);
  await waitFor(mediaSource, 'sourceopen');
  const sourceBuffer = mediaSource.addSourceBuffer(TYPE);
  for (const segment of [init, ...media]) await append(sourceBuffer, segment);
  mediaSource.endOfStream();
  const ended = waitFor(video, 'ended');
  await video.play();
  await ended;
}

async function close(window: Dom): Promise<void> {
  if (window.happyDOM) await window.happyDOM.close();
  else window.close();
}

describe.each(HOSTS)('windows closed after playback on %s', (host) => {
  it('are collected', async () => {
    const WINDOWS = 6;
    let collected = 0;
    const registry = new FinalizationRegistry(() => collected++);
    for (let i = 0; i < WINDOWS; i++) {
      const window = hostWindow(host) as Dom;
      registry.register(window, i);
      await playOnce(window);
      await close(window);
    }
    await collectGarbage(6);
    // The newest window may still be reachable from the host's or V8's last references; the others may not.
    expect(collected).toBeGreaterThanOrEqual(WINDOWS - 1);
  }, 60_000);
});
