// emekit's license server (a real `emekit serve` process) serving Chromium's own Clear Key CDM, as an operator's
// would: a page on another origin plays protected media through MSE, sends the CDM's license request to the server
// with a bearer token (a CORS preflight, since it carries Authorization) and hands the answer to update(). The same
// server then serves emekit's element for the same file. Both must play it to the end.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EncryptedMediaElement, type MediaEncryptedEvent, requestMediaKeySystemAccess } from '../../src/index.js';
import { encryptMp4 } from '../support/encrypt.js';
import { startLicenseServer, type LicenseServer } from '../support/license-server.js';
import { KEYS, readFixture } from '../support/fixtures.js';
import { describeWithChromium, MSE_PAGE_HELPERS } from './harness.js';

const MSE_TYPE = 'video/mp4; codecs="avc1.42E01E, mp4a.40.2"';
const kid = Buffer.from(KEYS.video.kid, 'hex');
const key = Buffer.from(KEYS.video.key, 'hex');
const dir = mkdtempSync(join(tmpdir(), 'emekit-license-'));

/** The page: MediaKeys on a video element, encrypted → session, message → POST to the server, then play. */
function pageProgram(file: Buffer, licenseUrl: string, token: string, stallMs = 10_000): string {
  return `(async () => {
    ${MSE_PAGE_HELPERS}
    const log = [];
    const access = await navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }], audioCapabilities: [{ contentType: 'audio/mp4; codecs="mp4a.40.2"' }] }]);
    const video = newVideo();
    await video.setMediaKeys(await access.createMediaKeys());
    video.addEventListener('encrypted', async (event) => {
      log.push('encrypted');
      const session = video.mediaKeys.createSession();
      session.addEventListener('message', async (message) => {
        const response = await fetch(${JSON.stringify(licenseUrl)}, { method: 'POST', headers: { authorization: 'Bearer ${token}' }, body: message.message });
        // Cross-origin with an Authorization header: this took a CORS preflight, or fetch would have thrown.
        log.push('license ' + response.status);
        await session.update(await response.arrayBuffer());
        log.push('updated ' + [...session.keyStatuses.values()].join(','));
      });
      await session.generateRequest(event.initDataType, event.initData);
    });
    const { source } = await appendAll(video, ${JSON.stringify(MSE_TYPE)}, decodeBase64(${JSON.stringify(file.toString('base64'))}));
    const ended = await playToEnd(video, source, ${stallMs});
    const quality = video.getVideoPlaybackQuality();
    return { log, ended, frames: quality.totalVideoFrames, corrupted: quality.corruptedVideoFrames };
  })()`;
}

describeWithChromium("emekit's license server serving Chromium's Clear Key CDM", (chromium) => {
  let server: LicenseServer;
  let licenseUrl: string;

  beforeAll(async () => {
    server = await startLicenseServer([KEYS.video]);
    ({ licenseUrl } = server);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('licenses a page on another origin (bearer token, CORS) and the media plays; emekit plays it from the same server', async () => {
    const file = encryptMp4(readFixture('clear_frag.mp4'), { scheme: 'cenc', key, kid, ivSize: 8 });
    const token = await server.token([KEYS.video.kid]);
    const theirs = await chromium().page.evaluate(pageProgram(file, licenseUrl, token));
    expect(theirs).toEqual({ log: ['encrypted', 'license 200', 'updated usable'], ended: 'ended', frames: 100, corrupted: 0 });

    const access = await requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] }]);
    const element = new EncryptedMediaElement();
    await element.setMediaKeys(await access.createMediaKeys());
    element.onencrypted = async (event: MediaEncryptedEvent) => {
      const session = element.mediaKeys!.createSession();
      session.onmessage = async (message) => {
        const response = await fetch(licenseUrl, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: message.message });
        await session.update(await response.arrayBuffer());
      };
      await session.generateRequest(event.initDataType, event.initData!);
    };
    const report = await element.decrypt(file, join(dir, 'served.mp4'), { timeoutMs: 10_000 });
    expect(report.samplesDecrypted).toBeGreaterThan(0);
  }, 60_000);

  it('a token for another key ID gets 403, and Chromium stays without the key', async () => {
    const file = encryptMp4(readFixture('clear_frag.mp4'), { scheme: 'cenc', key, kid, ivSize: 8 });
    const token = await server.token([randomBytes(16).toString('hex')]);
    const theirs = (await chromium().page.evaluate(pageProgram(file, licenseUrl, token, 1_500))) as { log: string[]; ended: string };
    expect(theirs.log.slice(0, 2)).toEqual(['encrypted', 'license 403']);
    expect(theirs.ended).toMatch(/^stalled at 0\.000$|^error /);
  }, 60_000);
});
