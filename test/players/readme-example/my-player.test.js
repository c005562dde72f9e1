// @vitest-environment jsdom
import { expect, test } from 'vitest';
import { installMedia } from 'emekit/dom';

const { STREAM_URL, LICENSE_URL, TOKEN } = process.env; // your stream, your license server, a token for it
const media = installMedia(window, { clock: 'virtual' }); // before the player's import (hls.js takes EME on load)
const { default: Hls } = await import('hls.js');

test('plays the protected stream to the end', async () => {
  const video = document.createElement('video');
  const hls = new Hls({
    emeEnabled: true,
    drmSystems: { 'org.w3.clearkey': { licenseUrl: LICENSE_URL } },
    licenseXhrSetup(xhr, url) {
      xhr.open('POST', url);
      xhr.setRequestHeader('Authorization', `Bearer ${TOKEN}`);
    },
  });
  hls.loadSource(STREAM_URL);
  hls.attachMedia(video);
  await video.play();
  await new Promise((resolve, reject) => { video.onended = resolve; video.onerror = reject; });
  const played = [...media.recordOf(video).tracks.values()];
  expect(played.map((track) => track.kind).sort()).toEqual(['audio', 'video']);
  expect(played.every((track) => track.samples.length > 0)).toBe(true);
});
