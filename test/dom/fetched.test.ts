// A plain MP4 URL on emekit/dom: the element fetches it through the window (happy-dom's fetch, jsdom's
// XMLHttpRequest, from a local HTTP server on another port: CORS applies) and plays it; a fragmented file plays to
// the end with the clear source's samples, a progressive one fails as not supported.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { encryptMp4 } from '../support/encrypt.js';
import { KEYS, readFixture } from '../support/fixtures.js';
import { HOSTS, hostWindow, type Dom } from '../support/mse.js';
import { clearHashes, licenseOnEncrypted, playedHashes, waitFor } from './player-script.js';

const clearFrag = readFixture('clear_frag.mp4');
const files: Record<string, Buffer> = {
  '/fragmented.mp4': encryptMp4(clearFrag, { scheme: 'cenc', key: Buffer.from(KEYS.video.key, 'hex'), kid: Buffer.from(KEYS.video.kid, 'hex'), ivSize: 8 }),
  '/progressive.mp4': readFixture('cenc_mp4box_prog.mp4'),
};
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    const body = files[request.url ?? ''];
    response.writeHead(body ? 200 : 404, { 'content-type': 'video/mp4', 'access-control-allow-origin': '*' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe.each(HOSTS)('a plain MP4 URL on %s', (host) => {
  it('a fragmented file plays to the end, licensed on encrypted, samples as the clear source', async () => {
    const window = hostWindow(host) as Dom;
    const media = installMedia(window, { clock: 'virtual' });
    const video = window.document.createElement('video');
    licenseOnEncrypted(window, video);
    video.src = `${base}/fragmented.mp4`;
    await video.play();
    await waitFor(video, 'ended');
    expect(video.currentSrc).toBe(`${base}/fragmented.mp4`);
    expect(playedHashes(media, video, '1')).toEqual(clearHashes(clearFrag, 1));
    expect(playedHashes(media, video, '2')).toEqual(clearHashes(clearFrag, 2));
    window.close?.();
  });

  it('a progressive file, or one that is not there: MEDIA_ERR_SRC_NOT_SUPPORTED', async () => {
    const window = hostWindow(host) as Dom;
    installMedia(window, { clock: 'virtual' });
    for (const path of ['/progressive.mp4', '/missing.mp4']) {
      const video = window.document.createElement('video');
      const failed = waitFor(video, 'error');
      video.src = `${base}${path}`;
      await failed;
      expect(video.error.code, path).toBe(window.MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED);
    }
    window.close?.();
  });
});
