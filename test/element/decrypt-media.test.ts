// Decrypting real protected media through the whole EME flow: requestMediaKeySystemAccess → MediaKeys → session →
// generateRequest('cenc', init data read from the file) → license → decryptMedia({ mediaKeys }), compared sample
// for sample with the clear source. Fixtures: GPAC-made vectors in test/fixtures/cenc (see its README).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptMedia, extractInitData, install, MediaError, type MediaKeyMessageEvent, requestMediaKeySystemAccess } from '../../src/index.js';
import { encodeBase64Url } from '../../src/util/base64url.js';
import { expectClearSamples, fixture, KEYS } from '../support/fixtures.js';
import { json, keyIdsInitData, license, nextEvent } from '../support/eme.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-element-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY_BY_KID = new Map<string, string>([[KEYS.video.kid, KEYS.video.key], [KEYS.audio.kid, KEYS.audio.key]]);

async function licensedMediaKeys(file: string, scheme: string) {
  const init = await extractInitData(file);
  expect(init.cenc).toBeDefined();
  const access = await requestMediaKeySystemAccess('org.w3.clearkey', [
    { initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"', encryptionScheme: scheme }] },
  ]);
  const mediaKeys = await access.createMediaKeys();
  const session = mediaKeys.createSession();
  const message = nextEvent<MediaKeyMessageEvent>(session, 'message');
  await session.generateRequest('cenc', init.cenc!);
  const request = json((await message).message) as { kids: string[] };
  // Play the license server: answer with the keys asked for.
  const keys = request.kids.map((kid) => {
    const hex = Buffer.from(kid, 'base64url').toString('hex');
    return { kty: 'oct', kid, k: encodeBase64Url(Buffer.from(KEY_BY_KID.get(hex)!, 'hex')) };
  });
  await session.update(new TextEncoder().encode(JSON.stringify({ keys })));
  return { mediaKeys, session, request };
}

describe('decryptMedia with a MediaKeys', () => {
  it.each([
    ['cenc_mp4box.mp4', 'cenc'],
    ['cbcs_mp4box.mp4', 'cbcs'],
    ['cenc_mp4box_multikey.mp4', 'cenc'],
    ['cbcs_mp4box_prog.mp4', 'cbcs'],
  ])('%s: samples equal the clear source', async (name, scheme) => {
    const { mediaKeys, request } = await licensedMediaKeys(fixture(name), scheme);
    if (name.includes('multikey')) expect(request.kids).toHaveLength(2);
    const out = join(dir, `out-${name}`);
    const report = await decryptMedia(fixture(name), out, { mediaKeys });
    expect(report.samplesDecrypted).toBeGreaterThan(0);
    expectClearSamples(out);
  });

  it('a closed session takes its keys with it: decryption reports the missing key', async () => {
    const { mediaKeys, session } = await licensedMediaKeys(fixture('cenc_mp4box.mp4'), 'cenc');
    await session.close();
    const waiting: string[] = [];
    const error = await decryptMedia(fixture('cenc_mp4box.mp4'), join(dir, 'closed.mp4'), {
      mediaKeys,
      onWaitingForKey: (info) => waiting.push(info.keyId),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe('missing-key');
    expect(waiting).toEqual([KEYS.video.kid]);
  });

  it('waits for a key that arrives through a session while decryption is under way', async () => {
    const access = await requestMediaKeySystemAccess('org.w3.clearkey', [
      { initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] },
    ]);
    const mediaKeys = await access.createMediaKeys();
    const waiting: string[] = [];
    const decrypting = decryptMedia(fixture('cenc_mp4box.mp4'), join(dir, 'late.mp4'), {
      mediaKeys,
      waitForKeyMs: 5_000,
      onWaitingForKey: async (info) => {
        waiting.push(info.keyId);
        // The license arrives after the media layer stopped for the key.
        const session = mediaKeys.createSession();
        await session.generateRequest('cenc', (await extractInitData(fixture('cenc_mp4box.mp4'))).cenc!);
        await session.update(
          new TextEncoder().encode(JSON.stringify({ keys: [{ kty: 'oct', kid: encodeBase64Url(Buffer.from(KEYS.video.kid, 'hex')), k: encodeBase64Url(Buffer.from(KEYS.video.key, 'hex')) }] })),
        );
      },
    });
    const report = await decrypting;
    expect(waiting).toEqual([KEYS.video.kid]);
    expect(report.samplesDecrypted).toBe(289);
  });
});

describe('onWaitingForKey that returns a promise (e.g. a license request for the key ID met)', () => {
  async function emptyMediaKeys() {
    const access = await requestMediaKeySystemAccess('org.w3.clearkey', [
      { initDataTypes: ['keyids'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] },
    ]);
    return access.createMediaKeys();
  }
  it('is waited for, without waitForKeyMs, and decryption goes on with the key it brought', async () => {
    const mediaKeys = await emptyMediaKeys();
    const asked: string[] = [];
    const report = await decryptMedia(fixture('cenc_mp4box.mp4'), join(dir, 'asked.mp4'), {
      mediaKeys,
      onWaitingForKey: async (info) => {
        asked.push(info.keyId);
        const session = mediaKeys.createSession();
        await session.generateRequest('keyids', keyIdsInitData(info.keyIdBytes));
        await session.update(license([[info.keyIdBytes, Buffer.from(KEYS.video.key, 'hex')]]));
      },
    });
    expect(asked).toEqual([KEYS.video.kid]);
    expect(report.samplesDecrypted).toBe(289);
    expectClearSamples(join(dir, 'asked.mp4'), [1]);
  });

  it('ends decryption with missing-key when it settles without the key, and with its own error when it fails', async () => {
    const mediaKeys = await emptyMediaKeys();
    const settled = await decryptMedia(fixture('cenc_mp4box.mp4'), join(dir, 'none.mp4'), { mediaKeys, onWaitingForKey: async () => {} }).catch((e: unknown) => e);
    expect((settled as MediaError).code).toBe('missing-key');
    const failure = new Error('license server unreachable');
    const failed = await decryptMedia(fixture('cenc_mp4box.mp4'), join(dir, 'failed.mp4'), {
      mediaKeys,
      onWaitingForKey: () => Promise.reject(failure),
    }).catch((e: unknown) => e);
    expect(failed).toBe(failure);
  });
});

describe('install()', () => {
  it('adds navigator.requestMediaKeySystemAccess and the interfaces where missing, and leaves existing ones', async () => {
    const target: Record<string, unknown> = { MediaKeys: 'theirs' };
    const { installed } = install(target);
    expect(target['MediaKeys']).toBe('theirs');
    expect(installed).toContain('MediaKeySession');
    expect(installed).toContain('navigator.requestMediaKeySystemAccess');
    const navigator = target['navigator'] as { requestMediaKeySystemAccess: typeof requestMediaKeySystemAccess };
    const access = await navigator.requestMediaKeySystemAccess('org.w3.clearkey', [{ videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] }]);
    expect(access.keySystem).toBe('org.w3.clearkey');
    await expect((navigator.requestMediaKeySystemAccess as (...a: unknown[]) => Promise<unknown>)('org.w3.clearkey')).rejects.toThrow(TypeError);
    expect(install(target).installed).toEqual([]);
  });
});
