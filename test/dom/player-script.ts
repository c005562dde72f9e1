// What a player does with EME on an emekit/dom window, written once for the element's tests: on "encrypted",
// Clear Key access through the window's navigator, MediaKeys on the element, a session licensed with the fixture keys.
import { createHash } from 'node:crypto';
import type { InstalledMedia } from '../../src/dom/install.js';
import { trackSamples } from '../../src/media/index.js';
import { license } from '../support/eme.js';
import { KEYS } from '../support/fixtures.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
export const LICENSE = license([[hex(KEYS.video.kid), hex(KEYS.video.key)], [hex(KEYS.audio.kid), hex(KEYS.audio.key)]]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Dom = any;

export function licenseOnEncrypted(window: Dom, video: Dom, delayMs = 0): void {
  let started = false;
  video.addEventListener('encrypted', async (event: Dom) => {
    // One session for the presentation (the moov's and a moof's pssh name the same key).
    if (started) return;
    started = true;
    if (!video.mediaKeys) {
      const access = await window.navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42c01e"' }] }]);
      await video.setMediaKeys(await access.createMediaKeys());
    }
    const session = video.mediaKeys.createSession();
    session.addEventListener('message', async () => {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      await session.update(LICENSE);
    });
    await session.generateRequest(event.initDataType, event.initData);
  });
}

/** SHA-256 of each sample the element played on a track, in the order played. */
export function playedHashes(media: InstalledMedia, video: unknown, track: string): string[] {
  return media.recordOf(video).tracks.get(track)?.samples.map((s) => s.sha256) ?? [];
}

/** SHA-256 of each sample of a track of a clear file. */
export function clearHashes(file: Buffer, track: number): string[] {
  return trackSamples(file, track).map((s) => createHash('sha256').update(s).digest('hex'));
}

export function waitFor(target: Dom, type: string): Promise<Dom> {
  return new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));
}
