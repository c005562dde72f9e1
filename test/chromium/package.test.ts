// A presentation made by packageMedia, played by Debian's Chromium with its own Clear Key CDM, licensed by a real
// `emekit serve` process at the URL the DASH manifest names (clearkey:Laurl), with a token from `emekit token`: the
// video and audio representations go to two SourceBuffers, init segment then media segments as a DASH player
// fetches them, and play to the end.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { packageMedia, type PackageReport } from '../../src/media/index.js';
import { fixture, KEYS } from '../support/fixtures.js';
import { startLicenseServer, type LicenseServer } from '../support/license-server.js';
import { describeWithChromium, MSE_PAGE_HELPERS } from './harness.js';

const video = { keyId: Buffer.from(KEYS.video.kid, 'hex'), key: Buffer.from(KEYS.video.key, 'hex') };
const audio = { keyId: Buffer.from(KEYS.audio.kid, 'hex'), key: Buffer.from(KEYS.audio.key, 'hex') };
const dir = mkdtempSync(join(tmpdir(), 'emekit-package-chromium-'));

/** Each representation as [MSE type, [init, ...segments] in base64]. */
function tracks(out: string, report: PackageReport): [string, string[]][] {
  return report.presentation.representations.map((r) => [
    `${r.kind}/mp4; codecs="${r.codecs}"`,
    [r.init, ...r.segments.map((_, i) => r.media.replace('$Number$', String(i + 1)))].map((p) => readFileSync(join(out, p)).toString('base64')),
  ]);
}

function pageProgram(media: [string, string[]][], licenseUrl: string, token: string): string {
  return `(async () => {
    ${MSE_PAGE_HELPERS}
    const log = [];
    const access = await navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c00d"' }], audioCapabilities: [{ contentType: 'audio/mp4; codecs="mp4a.40.2"' }] }]);
    const video = newVideo();
    await video.setMediaKeys(await access.createMediaKeys());
    video.addEventListener('encrypted', async (event) => {
      const session = video.mediaKeys.createSession();
      session.addEventListener('message', async (message) => {
        const response = await fetch(${JSON.stringify(licenseUrl)}, { method: 'POST', headers: { authorization: 'Bearer ${token}' }, body: message.message });
        await session.update(await response.arrayBuffer());
        log.push('license ' + response.status + ' ' + [...session.keyStatuses.values()].join(','));
      });
      await session.generateRequest(event.initDataType, event.initData);
    });
    const source = new MediaSource();
    video.src = URL.createObjectURL(source);
    await new Promise((resolve) => source.addEventListener('sourceopen', resolve, { once: true }));
    const appendOne = (buffer, bytes) => new Promise((resolve) => {
      buffer.addEventListener('updateend', () => resolve('ok'), { once: true });
      buffer.addEventListener('error', () => resolve('error'), { once: true });
      buffer.appendBuffer(bytes);
    });
    const media = ${JSON.stringify(media)};
    const buffers = media.map(([type]) => source.addSourceBuffer(type));
    const appended = [];
    for (let i = 0; i < media.length; i++) for (const part of media[i][1]) appended.push(await appendOne(buffers[i], decodeBase64(part)));
    const ended = appended.every((a) => a === 'ok') ? await playToEnd(video, source, 10000) : 'append error';
    const quality = video.getVideoPlaybackQuality();
    log.sort();
    return { log, ended, frames: quality.totalVideoFrames, corrupted: quality.corruptedVideoFrames };
  })()`;
}

describeWithChromium('a packaged presentation in Chromium, licensed by `emekit serve` at the manifest\'s Laurl', (chromium) => {
  let server: LicenseServer;

  beforeAll(async () => {
    server = await startLicenseServer([KEYS.video, KEYS.audio]);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['cenc', 'cbcs'] as const)('%s: video and audio, two keys, played to the end', async (scheme) => {
    const out = join(dir, scheme);
    const report = await packageMedia([fixture('clear_prog.mp4')], out, { scheme, keys: (t) => (t.handler === 'vide' ? video : audio), licenseUrl: server.licenseUrl });
    const mpd = readFileSync(join(out, report.dash), 'utf8');
    const laurl = /<clearkey:Laurl Lic_type="EME-1.0">([^<]+)<\/clearkey:Laurl>/.exec(mpd)![1]!.replace(/&amp;/g, '&');
    const token = await server.token([KEYS.video.kid, KEYS.audio.kid]);
    const played = await chromium().page.evaluate(pageProgram(tracks(out, report), laurl, token));
    expect(played).toMatchObject({ log: ['license 200 usable', 'license 200 usable'], ended: 'ended', corrupted: 0 });
    // Every one of the 100 video samples decoded (Chromium's counter can exceed it under CPU load, see encrypt.test.ts).
    expect((played as { frames: number }).frames).toBeGreaterThanOrEqual(100);
  }, 60_000);
});
