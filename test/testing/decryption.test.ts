// The test key system decrypts like Clear Key (same licenses, same media), and only with keys usable for
// decryption: a key that expired or whose output is restricted stops its samples (Attempt to Decrypt, Wait for Key)
// until its status changes back. Checked sample for sample against the clear source of the GPAC fixtures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptMedia, EncryptedMediaElement, MediaError } from '../../src/index.js';
import { settle } from '../support/eme.js';
import { expectClearSamples, fixture, KEYS } from '../support/fixtures.js';
import { manualClock } from '../../src/testing/index.js';
import { keysOf, licensed, licenseWith } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-testks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const VIDEO: [Uint8Array, Uint8Array] = [Buffer.from(KEYS.video.kid, 'hex'), Buffer.from(KEYS.video.key, 'hex')];
const AUDIO: [Uint8Array, Uint8Array] = [Buffer.from(KEYS.audio.kid, 'hex'), Buffer.from(KEYS.audio.key, 'hex')];

describe('test key system: decryption honours key statuses', () => {
  it('decrypts the GPAC multikey file with a Clear Key license, like Clear Key', async () => {
    const { keys } = await keysOf({ keySystem: 'com.example.test' });
    await licensed(keys, [VIDEO, AUDIO]);
    const out = join(dir, 'usable.mp4');
    const report = await decryptMedia(fixture('cenc_mp4box_multikey.mp4'), out, { mediaKeys: keys });
    expect(report.samplesDecrypted).toBe(289);
    expectClearSamples(out);
  });

  for (const status of ['expired', 'output-restricted', 'internal-error', 'usable-in-future'] as const) {
    it(`a key "${status}" decrypts nothing: decryptMedia stops with missing-key naming it`, async () => {
      const { ks, keys } = await keysOf();
      await licensed(keys, [VIDEO]);
      ks.setStatus(KEYS.video.kid, status);
      const error = await decryptMedia(fixture('cenc_mp4box.mp4'), join(dir, `${status}.mp4`), { mediaKeys: keys }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MediaError);
      expect((error as MediaError).code).toBe('missing-key');
      expect((error as MediaError).message).toContain(KEYS.video.kid);
    });
  }

  it('output-downscaled still decrypts (usable for decryption at a lower quality)', async () => {
    const { ks, keys } = await keysOf();
    await licensed(keys, [VIDEO]);
    ks.setStatus(KEYS.video.kid, 'output-downscaled');
    const report = await decryptMedia(fixture('cenc_mp4box.mp4'), join(dir, 'downscaled.mp4'), { mediaKeys: keys });
    expect(report.samplesDecrypted).toBe(289);
  });

  it('the media element waits on an output-restricted key (waitingforkey) and resumes when it is usable again', async () => {
    const { ks, keys } = await keysOf();
    const { session } = await licensed(keys, [VIDEO]);
    const element = new EncryptedMediaElement();
    await element.setMediaKeys(keys);
    ks.sessions[0]!.setStatus(KEYS.video.kid, 'output-restricted');
    await settle();
    const seen: string[] = [];
    element.onwaitingforkey = () => {
      seen.push(`waitingforkey:${session.keyStatuses.get(VIDEO[0])}`);
      // The player's answer to the restriction, e.g. a new license with other output rules.
      ks.sessions[0]!.setStatus(KEYS.video.kid, 'usable');
    };
    session.onkeystatuseschange = () => seen.push(`keystatuseschange:${session.keyStatuses.get(VIDEO[0])}`);
    const out = join(dir, 'resumed.mp4');
    const report = await element.decrypt(fixture('cenc_mp4box.mp4'), out, { timeoutMs: 10_000 });
    expect(seen).toEqual(['waitingforkey:output-restricted', 'keystatuseschange:usable']);
    expect(report.samplesDecrypted).toBe(289);
    expectClearSamples(out, [1]);
  });

  it('an expired license stops the element in Wait for Key; a renewal answered with a new license resumes it', async () => {
    const clock = manualClock();
    const { ks, keys } = await keysOf({ clock });
    const { session } = await licensed(keys, [VIDEO], { policy: { durationSeconds: 60 } });
    clock.advance(60_001);
    await settle();
    expect(session.keyStatuses.get(VIDEO[0])).toBe('expired');
    const element = new EncryptedMediaElement();
    await element.setMediaKeys(keys);
    const seen: string[] = [];
    // The player: answers renewals with a license from its server (here: the same keys, another hour).
    session.onmessage = (event) => {
      seen.push(`message:${event.messageType}`);
      void session.update(licenseWith([VIDEO], { policy: { durationSeconds: 3600 } }));
    };
    session.onkeystatuseschange = () => seen.push(`keystatuseschange:${session.keyStatuses.get(VIDEO[0])}`);
    element.onwaitingforkey = () => {
      seen.push('waitingforkey');
      ks.sessions[0]!.renew();
    };
    const report = await element.decrypt(fixture('cenc_mp4box.mp4'), join(dir, 'renewed.mp4'), { timeoutMs: 10_000 });
    expect(seen).toEqual(['waitingforkey', 'message:license-renewal', 'keystatuseschange:usable']);
    expect(session.expiration).toBe(clock.now() + 3_600_000);
    expect(report.samplesDecrypted).toBe(289);
    expectClearSamples(join(dir, 'renewed.mp4'), [1]);
  });

  it('a closed (evicted) session takes its keys with it; another session with the key keeps decrypting', async () => {
    const { ks, keys } = await keysOf();
    await licensed(keys, [VIDEO]);
    await licensed(keys, [VIDEO]);
    await ks.sessions[1]!.close('resource-evicted');
    const report = await decryptMedia(fixture('cenc_mp4box.mp4'), join(dir, 'other.mp4'), { mediaKeys: keys });
    expect(report.samplesDecrypted).toBe(289);
    await ks.sessions[0]!.close('resource-evicted');
    const error = await decryptMedia(fixture('cenc_mp4box.mp4'), join(dir, 'none.mp4'), { mediaKeys: keys }).catch((e: unknown) => e);
    expect((error as MediaError).code).toBe('missing-key');
  });
});
