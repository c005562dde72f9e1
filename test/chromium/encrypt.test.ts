// emekit's encryptor, checked by Chromium's own Clear Key CDM (Debian's Chromium, through MSE): the fragmented
// output of each scheme, from a progressive and from a fragmented clear source, is appended whole, licensed from
// its cenc init data (the pssh emekit writes) by a real `emekit serve` process (the page POSTs the CDM's request
// with a bearer token from `emekit token`) and played to the end, against the clear source played the same way.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readBox } from '../../src/media/boxes/box.js';
import { describeEntry } from '../../src/media/boxes/codec-string.js';
import { parseMovie } from '../../src/media/boxes/movie.js';
import { encryptMedia } from '../../src/media/protect/encrypt.js';
import type { Scheme } from '../../src/media/index.js';
import { KEYS, readFixture, repoRoot } from '../support/fixtures.js';
import { startLicenseServer, type LicenseServer } from '../support/license-server.js';
import { describeWithChromium, MSE_PAGE_HELPERS } from './harness.js';

const MSE_TYPE = 'video/mp4; codecs="avc1.42E01E, mp4a.40.2"';
const kid = Buffer.from(KEYS.video.kid, 'hex');
const key = Buffer.from(KEYS.video.key, 'hex');
const dir = mkdtempSync(join(tmpdir(), 'emekit-encrypt-chromium-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Played {
  log: string[];
  appended: string;
  ended: string;
  frames: number;
  corrupted: number;
}

/** The page: on each encrypted event a session whose request goes to the license server, then play. */
function pageProgram(file: Buffer, licenseUrl: string, token: string, stallMs = 8_000): string {
  return `(async () => {
    ${MSE_PAGE_HELPERS}
    const log = [];
    const access = await navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }], audioCapabilities: [{ contentType: 'audio/mp4; codecs="mp4a.40.2"' }] }]);
    const video = newVideo();
    await video.setMediaKeys(await access.createMediaKeys());
    video.addEventListener('encrypted', async (event) => {
      log.push('encrypted ' + event.initDataType);
      const session = video.mediaKeys.createSession();
      session.addEventListener('message', async (message) => {
        const request = JSON.parse(new TextDecoder().decode(message.message));
        log.push('request ' + request.kids.join(','));
        const response = await fetch(${JSON.stringify(licenseUrl)}, { method: 'POST', headers: { authorization: 'Bearer ${token}' }, body: message.message });
        log.push('license ' + response.status);
        await session.update(await response.arrayBuffer());
        log.push('keys ' + [...session.keyStatuses.values()].join(','));
      });
      await session.generateRequest(event.initDataType, event.initData);
    });
    const { source, appended } = await appendAll(video, ${JSON.stringify(MSE_TYPE)}, decodeBase64(${JSON.stringify(file.toString('base64'))}));
    const ended = appended === 'ok' ? await playToEnd(video, source, ${stallMs}) : 'not played';
    const quality = video.getVideoPlaybackQuality();
    video.remove();
    return { log, appended, ended, frames: quality.totalVideoFrames, corrupted: quality.corruptedVideoFrames };
  })()`;
}

describeWithChromium("emekit's encrypted output played by Chromium's Clear Key CDM (MSE), licensed by `emekit serve`", (chromium) => {
  let server: LicenseServer;
  let token: string;
  const play = async (file: Buffer): Promise<Played> => (await chromium().page.evaluate(pageProgram(file, server.licenseUrl, token))) as Played;
  let clear: Played;
  beforeAll(async () => {
    server = await startLicenseServer([KEYS.video]);
    token = await server.token([KEYS.video.kid]);
    clear = await play(readFixture('clear_frag.mp4'));
    expect(clear).toMatchObject({ appended: 'ok', ended: 'ended', corrupted: 0 });
    expect(clear.frames).toBeGreaterThanOrEqual(100);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  const schemes: [Scheme, string][] = [
    ['cenc', 'clear_prog.mp4'],
    ['cenc', 'clear_frag.mp4'],
    ['cbcs', 'clear_prog.mp4'],
    ['cbcs', 'clear_frag.mp4'],
  ];
  it.each(schemes)('%s from %s: licensed from its pssh and played to the end', async (scheme, source) => {
    const out = join(dir, `${scheme}-${source}`);
    await encryptMedia(readFixture(source), out, { scheme, keys: { keyId: kid, key } });
    const played = await play(readFileSync(out));
    expect(played).toMatchObject({ log: ['encrypted cenc', `request ${kid.toString('base64url')}`, 'license 200', 'keys usable'], appended: 'ok', ended: 'ended', corrupted: 0 });
    // Every one of the 100 video samples decoded. (Under CPU load Chromium's counter can exceed the sample count,
    // re-decoding from a keyframe after a stall: seen 104 for 100, so not compared for equality.)
    expect(played.frames).toBeGreaterThanOrEqual(100);
  }, 60_000);

  // Chromium's MP4 parser takes cenc and cbcs only (the schemes it supports); emekit's own decrypt covers the other two.
  it.each(['cens', 'cbc1'] as const)('known limit: Chromium refuses %s at append time', async (scheme) => {
    const out = join(dir, `${scheme}.mp4`);
    await encryptMedia(readFixture('clear_prog.mp4'), out, { scheme, keys: { keyId: kid, key } });
    expect(await play(readFileSync(out))).toMatchObject({ log: [], appended: 'error' });
  }, 60_000);

  // Debian's Chromium has no HEVC decoder (none of its own on Linux; a platform one needs VA-API): emekit's HEVC
  // output is checked by emekit's decrypt and by ffmpeg instead (test/media/slice-headers.test.ts).
  it("known limit: Chromium's MSE refuses the HEVC type of emekit's HEVC output", async () => {
    const file = readFileSync(join(repoRoot, 'test/fixtures/hevc/b-pyramid.mp4'));
    const moov = readBox({ buf: file, base: 0 }, file.indexOf('moov') - 4, file.length, '');
    const movie = parseMovie(file.subarray(moov.start, moov.end), moov.start);
    const type = `video/mp4; codecs="${describeEntry(movie.ctx, movie.tracks[0]!.entries[0]!).codecs}"`;
    expect(type).toMatch(/^video\/mp4; codecs="hvc1\./);
    const supported = `[MediaSource.isTypeSupported(${JSON.stringify(type)}), document.createElement('video').canPlayType(${JSON.stringify(type)})]`;
    expect(await chromium().page.evaluate(supported)).toEqual([false, '']);
  });
});
