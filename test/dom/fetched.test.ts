// A plain MP4 URL on emekit/dom: the element fetches it through the window (happy-dom's fetch, jsdom's
// XMLHttpRequest, from a local HTTP server on another port: CORS applies) and plays it to the end with the clear
// source's samples, fragmented or progressive (GPAC's encrypted progressive files and emekit's own), licensed on
// encrypted; a damaged, cut or missing file fails as not supported, with no exception.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installMedia } from '../../src/dom/install.js';
import { readBox } from '../../src/media/boxes/box.js';
import { encryptMp4 } from '../support/encrypt.js';
import { KEYS, readFixture } from '../support/fixtures.js';
import { HOSTS, hostWindow, type Dom } from '../support/mse.js';
import { clearHashes, licenseOnEncrypted, playedHashes, waitFor } from './player-script.js';

const clearFrag = readFixture('clear_frag.mp4');
const clearProg = readFixture('clear_prog.mp4');
const videoKey = { key: Buffer.from(KEYS.video.key, 'hex'), kid: Buffer.from(KEYS.video.kid, 'hex') };
const files: Record<string, Buffer> = {
  '/fragmented.mp4': encryptMp4(clearFrag, { scheme: 'cenc', ...videoKey, ivSize: 8 }),
  '/clear_prog.mp4': clearProg,
  '/cenc_mp4box_prog.mp4': readFixture('cenc_mp4box_prog.mp4'),
  '/cbcs_mp4box_prog.mp4': readFixture('cbcs_mp4box_prog.mp4'),
  '/emekit_cenc_prog.mp4': encryptMp4(clearProg, { scheme: 'cenc', ...videoKey, ivSize: 16 }),
  '/emekit_cbcs_prog.mp4': encryptMp4(clearProg, { scheme: 'cbcs', ...videoKey, ivSize: 0, constantIv: Buffer.alloc(16, 7) }),
  '/cut_prog.mp4': readFixture('cenc_mp4box_prog.mp4').subarray(0, 40_000),
  '/cut_moov.mp4': clearProg.subarray(0, topBox(clearProg, 'moov').start + 200),
  '/not_mp4.mp4': Buffer.from('<!doctype html><title>404</title>'.repeat(20)),
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
    // Its tracks were made by no script's SourceBuffer (MSE's track.sourceBuffer).
    expect([...video.videoTracks, ...video.audioTracks].map((track: Dom) => track.sourceBuffer)).toEqual([null, null]);
    expect(playedHashes(media, video, '1')).toEqual(clearHashes(clearFrag, 1));
    expect(playedHashes(media, video, '2')).toEqual(clearHashes(clearFrag, 2));
    window.close?.();
  });

  it.each(['clear_prog.mp4', 'cenc_mp4box_prog.mp4', 'cbcs_mp4box_prog.mp4', 'emekit_cenc_prog.mp4', 'emekit_cbcs_prog.mp4'])(
    'a progressive file (%s) plays to the end, samples as the clear source',
    async (name) => {
      const window = hostWindow(host) as Dom;
      const media = installMedia(window, { clock: 'virtual' });
      const video = window.document.createElement('video');
      const encrypted = waitFor(video, 'encrypted');
      licenseOnEncrypted(window, video);
      video.src = `${base}/${name}`;
      await video.play();
      await waitFor(video, 'ended');
      if (name !== 'clear_prog.mp4') expect((await encrypted).initDataType).toBe('cenc');
      expect([video.videoWidth, video.videoHeight]).toEqual([320, 240]);
      expect(video.duration).toBeCloseTo(4, 1);
      expect(video.currentTime).toBe(video.duration);
      const video1 = playedHashes(media, video, '1');
      expect(video1).toHaveLength(100);
      expect(video1).toEqual(clearHashes(clearProg, 1));
      // The audio's edit list starts 1024 samples in (AAC priming): its first frame lies wholly before 0 and is not
      // presented, as in Chromium; every other one is.
      expect(playedHashes(media, video, '2')).toEqual(clearHashes(clearProg, 2).slice(1));
      window.close?.();
    },
  );

  it('a cut, damaged or missing file fails before metadata: MEDIA_ERR_SRC_NOT_SUPPORTED, play() rejected, nothing thrown', async () => {
    const window = hostWindow(host) as Dom;
    installMedia(window, { clock: 'virtual' });
    const codes: Record<string, number> = {};
    for (const path of ['/cut_prog.mp4', '/cut_moov.mp4', '/not_mp4.mp4', '/missing.mp4']) {
      const video = window.document.createElement('video');
      const failed = waitFor(video, 'error');
      video.src = `${base}${path}`;
      const play = video.play();
      await failed;
      codes[path] = video.error.code;
      await expect(play).rejects.toMatchObject({ name: 'NotSupportedError' });
    }
    // Nothing is played from a file whose sample tables cannot be read whole: it fails before metadata.
    const { MEDIA_ERR_SRC_NOT_SUPPORTED } = window.MediaError;
    expect(codes).toEqual({ '/cut_prog.mp4': MEDIA_ERR_SRC_NOT_SUPPORTED, '/cut_moov.mp4': MEDIA_ERR_SRC_NOT_SUPPORTED, '/not_mp4.mp4': MEDIA_ERR_SRC_NOT_SUPPORTED, '/missing.mp4': MEDIA_ERR_SRC_NOT_SUPPORTED });
    window.close?.();
  });

  it("a window whose fetch throws at once: MEDIA_ERR_SRC_NOT_SUPPORTED, play() rejected, nothing thrown", async () => {
    const window = hostWindow(host) as Dom;
    installMedia(window, { clock: 'virtual' });
    window.fetch = () => {
      throw new TypeError('Failed to fetch');
    };
    const video = window.document.createElement('video');
    const failed = waitFor(video, 'error');
    video.src = `${base}/clear_prog.mp4`;
    const rejected = expect(video.play()).rejects.toMatchObject({ name: 'NotSupportedError' });
    await failed;
    expect(video.error.code).toBe(window.MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED);
    expect(video.error.message).toMatch(/could not be fetched: Failed to fetch/);
    await rejected;
    window.close?.();
  });
});

/** A top-level box of a file. */
function topBox(file: Buffer, type: string): { start: number; end: number } {
  for (let p = 0; p < file.length; ) {
    const box = readBox({ buf: file, base: 0 }, p, file.length, '');
    if (box.type === type) return box;
    p = box.end;
  }
  throw new Error(`no ${type}`);
}
