// The HTMLMediaElement extensions (EME §7): setMediaKeys, encrypted, waitingforkey, as a player uses them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { EncryptedMediaElement, extractInitData, MediaEncryptedEvent, MediaError, type MediaKeys, requestMediaKeySystemAccess } from '../../src/index.js';
import { encodeBase64Url } from '../../src/util/base64url.js';
import { expectRejectName, json, keyIdsInitData } from '../support/eme.js';
import { CLEAR_KEY_SYSTEM_ID, encryptMp4, psshBox } from '../support/encrypt.js';
import { expectClearSamples, fixture, KEYROLL, KEYS, readFixture } from '../support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-element-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const LICENSE = new TextEncoder().encode(
  JSON.stringify({ keys: [{ kty: 'oct', kid: encodeBase64Url(Buffer.from(KEYS.video.kid, 'hex')), k: encodeBase64Url(Buffer.from(KEYS.video.key, 'hex')) }] }),
);

async function mediaKeys(): Promise<MediaKeys> {
  const access = await requestMediaKeySystemAccess('org.w3.clearkey', [{ initDataTypes: ['cenc'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] }]);
  return access.createMediaKeys();
}

/** The classic player: on "encrypted", create a session from the event's init data and fetch a license. */
/** A player that answers the license request only once the element has blocked waiting for the key. */
function playerWithLateLicense(element: EncryptedMediaElement) {
  const log: string[] = [];
  let blocked!: () => void;
  const waiting = new Promise<void>((resolve) => (blocked = resolve));
  element.onencrypted = async (event: MediaEncryptedEvent) => {
    log.push(`encrypted:${event.initDataType}:${event.initData?.byteLength}`);
    const session = element.mediaKeys!.createSession();
    session.onmessage = async (message) => {
      log.push(`message:${JSON.stringify(json(message.message).kids)}`);
      await waiting;
      await session.update(LICENSE);
      log.push('updated');
    };
    await session.generateRequest(event.initDataType, event.initData!);
  };
  element.onwaitingforkey = () => {
    log.push('waitingforkey');
    blocked();
  };
  return log;
}

describe('EncryptedMediaElement.setMediaKeys', () => {
  it('attaches, detaches, and follows the spec errors', async () => {
    const element = new EncryptedMediaElement();
    const other = new EncryptedMediaElement();
    const keys = await mediaKeys();
    expect(element.mediaKeys).toBeNull();
    await expectRejectName((element.setMediaKeys as () => Promise<void>)(), 'TypeError');
    await expectRejectName(element.setMediaKeys({} as never), 'TypeError');
    const first = element.setMediaKeys(keys);
    await expectRejectName(element.setMediaKeys(null), 'InvalidStateError');
    await first;
    expect(element.mediaKeys).toBe(keys);
    await expect(element.setMediaKeys(keys)).resolves.toBeUndefined();
    await expectRejectName(other.setMediaKeys(keys), 'QuotaExceededError');
    await element.setMediaKeys(null);
    expect(element.mediaKeys).toBeNull();
    await other.setMediaKeys(keys);
    expect(other.mediaKeys).toBe(keys);
  });
});

describe('EncryptedMediaElement.decrypt', () => {
  it('fires encrypted with the file’s cenc init data, waits for the key (waitingforkey), then resumes', async () => {
    const element = new EncryptedMediaElement();
    await element.setMediaKeys(await mediaKeys());
    const log = playerWithLateLicense(element);
    const out = join(dir, 'played.mp4');
    const report = await element.decrypt(fixture('cenc_mp4box.mp4'), out, { timeoutMs: 10_000 });
    const pssh = (await extractInitData(fixture('cenc_mp4box.mp4'))).cenc;
    // The license arrives only after waitingforkey (a fixed delay raced decryption on a busy machine). Whether the
    // session's message comes before or after waitingforkey is a race the spec leaves open.
    const message = `message:["62dqu8s0Xpa7z2FmMPGj2g"]`;
    expect(log[0]).toBe(`encrypted:cenc:${pssh.length}`);
    expect([...log].sort()).toEqual([`encrypted:cenc:${pssh.length}`, message, 'updated', 'waitingforkey']);
    expect(log.at(-1)).toBe('updated');
    expect(report.samplesDecrypted).toBe(289);
    expectClearSamples(out);
  });

  it('without MediaKeys it waits (waitingforkey) until setMediaKeys and a license arrive', async () => {
    const element = new EncryptedMediaElement();
    const events: string[] = [];
    element.addEventListener('waitingforkey', () => events.push('waitingforkey'));
    element.addEventListener('encrypted', async (e) => {
      events.push('encrypted');
      const event = e as MediaEncryptedEvent;
      await element.setMediaKeys(await mediaKeys());
      const session = element.mediaKeys!.createSession();
      session.onmessage = () => session.update(LICENSE);
      await session.generateRequest(event.initDataType, event.initData!);
    });
    const report = await element.decrypt(fixture('cbcs_mp4box.mp4'), join(dir, 'late.mp4'), { timeoutMs: 10_000 });
    expect(events[0]).toBe('encrypted');
    expect(events).toContain('waitingforkey');
    expect(report.samplesDecrypted).toBe(289);
    expectClearSamples(join(dir, 'late.mp4'));
  });

  it('fires encrypted for the moov’s pssh boxes, then for each moof’s, reading a stream once', async () => {
    const kid = Buffer.from(KEYS.video.kid, 'hex');
    const moovPssh = psshBox(CLEAR_KEY_SYSTEM_ID, [kid]);
    const rotation = psshBox(CLEAR_KEY_SYSTEM_ID, [Buffer.from(KEYROLL[0]![0], 'hex')]);
    const file = encryptMp4(readFixture('clear_frag.mp4'), { scheme: 'cenc', key: Buffer.from(KEYS.video.key, 'hex'), kid, ivSize: 8, moofPssh: (n) => (n === 1 ? { head: [rotation] } : {}) });
    const element = new EncryptedMediaElement();
    await element.setMediaKeys(await mediaKeys());
    const seen: string[] = [];
    element.onencrypted = async (event: MediaEncryptedEvent) => {
      seen.push(`${event.initDataType}:${Buffer.from(event.initData!).toString('hex')}`);
      if (seen.length > 1) return;
      const session = element.mediaKeys!.createSession();
      session.onmessage = () => session.update(LICENSE);
      await session.generateRequest(event.initDataType, event.initData!);
    };
    const chunks = Array.from({ length: Math.ceil(file.length / 65536) }, (_, i) => file.subarray(i * 65536, (i + 1) * 65536));
    const out = join(dir, 'streamed.mp4');
    const report = await element.decrypt(Readable.from(chunks), out, { timeoutMs: 10_000 });
    expect(seen).toEqual([`cenc:${moovPssh.toString('hex')}`, `cenc:${rotation.toString('hex')}`]);
    expect(report.samplesDecrypted).toBe(289);
    expectClearSamples(out);
  });

  it('without MediaKeys, gives up with InvalidStateError when none is set in time', async () => {
    const element = new EncryptedMediaElement();
    const events: string[] = [];
    element.onencrypted = () => events.push('encrypted');
    element.onwaitingforkey = () => events.push('waitingforkey');
    const error = await element.decrypt(fixture('cenc_mp4box.mp4'), join(dir, 'no-keys.mp4'), { timeoutMs: 100 }).catch((e: unknown) => e);
    expect((error as DOMException).name).toBe('InvalidStateError');
    expect(events).toEqual(['encrypted', 'waitingforkey']);
  });

  it('keeps its MediaKeys while decrypting, also while waiting for a key (InvalidStateError, as Chromium)', async () => {
    const element = new EncryptedMediaElement();
    const keys = await mediaKeys();
    await element.setMediaKeys(keys);
    const attempts: Promise<string>[] = [];
    let session: ReturnType<MediaKeys['createSession']> | undefined;
    element.onwaitingforkey = async () => {
      const outcome = (p: Promise<unknown>) => p.then(() => 'resolved', (e: Error) => `rejected:${e.name}`);
      attempts.push(mediaKeys().then((other) => outcome(element.setMediaKeys(other))), outcome(element.setMediaKeys(null)));
      await Promise.all(attempts);
      session = keys.createSession();
      session.onmessage = () => session!.update(LICENSE);
      await session.generateRequest('keyids', keyIdsInitData(Buffer.from(KEYS.video.kid, 'hex')));
    };
    const report = await element.decrypt(fixture('cenc_mp4box.mp4'), join(dir, 'kept.mp4'), { timeoutMs: 10_000 });
    expect(await Promise.all(attempts)).toEqual(['rejected:InvalidStateError', 'rejected:InvalidStateError']);
    expect(element.mediaKeys).toBe(keys);
    expect(report.samplesDecrypted).toBe(289);
    await element.setMediaKeys(null);
    expect(element.mediaKeys).toBeNull();
  });

  it('gives up with missing-key when no license comes in time', async () => {
    const element = new EncryptedMediaElement();
    await element.setMediaKeys(await mediaKeys());
    let waiting = 0;
    element.onwaitingforkey = () => waiting++;
    const error = await element.decrypt(fixture('cenc_mp4box.mp4'), join(dir, 'never.mp4'), { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe('missing-key');
    expect(waiting).toBe(1);
  });
});
