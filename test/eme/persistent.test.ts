// persistent-license sessions (EME §5, §6, Clear Key): store, load, remove, release acknowledgement, across platforms.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEME, type EmePlatform, MemorySessionStore, type MediaKeyMessageEvent, type MediaKeySession, SqliteSessionStore } from '../../src/index.js';
import { encodeBase64Url } from '../../src/util/base64url.js';
import { expectRejectName, json, KEY_A, KEY_B, KID_A, KID_B, keyIdsInitData, license, nextEvent, settle, statusesOf } from '../support/eme.js';

const CONFIG = [
  { initDataTypes: ['keyids'], sessionTypes: ['temporary', 'persistent-license'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] },
];
const dir = mkdtempSync(join(tmpdir(), 'emekit-persist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function keysOn(eme: EmePlatform) {
  return (await eme.requestMediaKeySystemAccess('org.w3.clearkey', CONFIG)).createMediaKeys();
}

async function storedSession(eme: EmePlatform): Promise<{ session: MediaKeySession; sessionId: string }> {
  const session = (await keysOn(eme)).createSession('persistent-license');
  const message = nextEvent<MediaKeyMessageEvent>(session, 'message');
  await session.generateRequest('keyids', keyIdsInitData(KID_A, KID_B));
  expect(json((await message).message)).toEqual({ kids: [encodeBase64Url(KID_A), encodeBase64Url(KID_B)], type: 'persistent-license' });
  await session.update(license([[KID_A, KEY_A], [KID_B, KEY_B]], 'persistent-license'));
  return { session, sessionId: session.sessionId };
}

describe('persistent-license sessions', () => {
  it('store on update, load in a new session after close, with usable keys', async () => {
    const store = new MemorySessionStore();
    const eme = createEME({ store, origin: 'https://a.example' });
    const { session, sessionId } = await storedSession(eme);
    expect(await store.list('https://a.example')).toEqual([sessionId]);
    await session.close();
    const loaded = (await keysOn(eme)).createSession('persistent-license');
    const change = nextEvent(loaded, 'keystatuseschange');
    await expect(loaded.load(sessionId)).resolves.toBe(true);
    expect(loaded.sessionId).toBe(sessionId);
    await change;
    expect(Object.values(statusesOf(loaded))).toEqual(['usable', 'usable']);
  });

  it('nothing is stored before update, and temporary sessions are never stored', async () => {
    const store = new MemorySessionStore();
    const eme = createEME({ store });
    const session = (await keysOn(eme)).createSession('persistent-license');
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    expect(await store.list(eme.origin)).toEqual([]);
    const temporaryKeys = await (await eme.requestMediaKeySystemAccess('org.w3.clearkey', [{ videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.42E01E"' }] }])).createMediaKeys();
    const temp = temporaryKeys.createSession();
    await temp.generateRequest('keyids', keyIdsInitData(KID_A));
    await temp.update(license([[KID_A, KEY_A]]));
    expect(await store.list(eme.origin)).toEqual([]);
  });

  it('load: false when nothing is stored; QuotaExceededError while the session is open; TypeError for bad IDs and temporary sessions', async () => {
    const eme = createEME({ store: new MemorySessionStore() });
    const { sessionId } = await storedSession(eme);
    const keys = await keysOn(eme);
    await expect(keys.createSession('persistent-license').load('12345')).resolves.toBe(false);
    await expectRejectName(keys.createSession('persistent-license').load(sessionId), 'QuotaExceededError');
    await expectRejectName(keys.createSession('persistent-license').load(''), 'TypeError');
    await expectRejectName(keys.createSession('persistent-license').load('../../etc/passwd'), 'TypeError');
    await expectRejectName(keys.createSession('persistent-license').load('x'.repeat(200)), 'TypeError');
    await expectRejectName(keys.createSession('temporary').load(sessionId), 'TypeError');
    const used = keys.createSession('persistent-license');
    await used.load('999');
    await expectRejectName(used.load('999'), 'InvalidStateError');
  });

  it('QuotaExceededError across platforms sharing a store (another "Document")', async () => {
    const store = new MemorySessionStore();
    const { sessionId } = await storedSession(createEME({ store }));
    await expectRejectName((await keysOn(createEME({ store }))).createSession('persistent-license').load(sessionId), 'QuotaExceededError');
  });

  it('origins are partitioned', async () => {
    const store = new MemorySessionStore();
    const { session, sessionId } = await storedSession(createEME({ store, origin: 'https://a.example' }));
    await session.close();
    await expect((await keysOn(createEME({ store, origin: 'https://b.example' }))).createSession('persistent-license').load(sessionId)).resolves.toBe(false);
  });

  it('remove → released keys and a license-release message; acknowledgement deletes the record and closes', async () => {
    const store = new MemorySessionStore();
    const eme = createEME({ store });
    const { session, sessionId } = await storedSession(eme);
    const message = nextEvent<MediaKeyMessageEvent>(session, 'message');
    await session.remove();
    const release = await message;
    expect(release.messageType).toBe('license-release');
    expect(json(release.message)).toEqual({ kids: [encodeBase64Url(KID_A), encodeBase64Url(KID_B)] });
    expect(Object.values(statusesOf(session))).toEqual(['released', 'released']);
    // The record of license destruction is stored until acknowledged.
    expect(await store.list(eme.origin)).toEqual([sessionId]);
    await session.update(new TextEncoder().encode(JSON.stringify({ kids: [encodeBase64Url(KID_A), encodeBase64Url(KID_B)] })));
    await expect(session.closed).resolves.toBe('release-acknowledged');
    expect(await store.list(eme.origin)).toEqual([]);
    await expect((await keysOn(eme)).createSession('persistent-license').load(sessionId)).resolves.toBe(false);
  });

  it('a released session loaded later sends its release message again', async () => {
    const eme = createEME({ store: new MemorySessionStore() });
    const { session, sessionId } = await storedSession(eme);
    await session.remove();
    await session.close();
    const again = (await keysOn(eme)).createSession('persistent-license');
    const message = nextEvent<MediaKeyMessageEvent>(again, 'message');
    await expect(again.load(sessionId)).resolves.toBe(true);
    expect((await message).messageType).toBe('license-release');
    expect(Object.values(statusesOf(again))).toEqual(['released', 'released']);
  });

  it('a license stating "type": "temporary" in a persistent session is a TypeError and stores nothing', async () => {
    const store = new MemorySessionStore();
    const eme = createEME({ store });
    const session = (await keysOn(eme)).createSession('persistent-license');
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await expectRejectName(session.update(license([[KID_A, KEY_A]], 'temporary')), 'TypeError');
    expect(await store.list(eme.origin)).toEqual([]);
    expect(statusesOf(session)).toEqual({});
  });

  it('a license without "type" in a persistent session is that session\'s license: usable and stored (as Firefox, WPT)', async () => {
    const store = new MemorySessionStore();
    const eme = createEME({ store });
    const session = (await keysOn(eme)).createSession('persistent-license');
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await session.update(license([[KID_A, KEY_A]]));
    const usableA = { [Buffer.from(KID_A).toString('hex')]: 'usable' };
    expect(statusesOf(session)).toEqual(usableA);
    const sessionId = session.sessionId;
    expect(await store.list(eme.origin)).toEqual([sessionId]);
    await session.close();
    const again = (await keysOn(eme)).createSession('persistent-license');
    await expect(again.load(sessionId)).resolves.toBe(true);
    expect(statusesOf(again)).toEqual(usableA);
  });

  it('an invalid acknowledgement is a TypeError and keeps the record', async () => {
    const store = new MemorySessionStore();
    const eme = createEME({ store });
    const { session, sessionId } = await storedSession(eme);
    await session.remove();
    await expectRejectName(session.update(new TextEncoder().encode('not json')), 'TypeError');
    expect(await store.list(eme.origin)).toEqual([sessionId]);
  });

  it('SQLite: keys survive into a fresh platform on the same file', async () => {
    const path = join(dir, 'survive.sqlite');
    const first = createEME({ store: path });
    const { session, sessionId } = await storedSession(first);
    await session.close();
    await first.close();
    const second = createEME({ store: path });
    const loaded = (await keysOn(second)).createSession('persistent-license');
    await expect(loaded.load(sessionId)).resolves.toBe(true);
    await settle();
    expect(Object.values(statusesOf(loaded))).toEqual(['usable', 'usable']);
    await second.close();
    const raw = new SqliteSessionStore(path);
    expect(await raw.list(second.origin)).toEqual([sessionId]);
    await raw.close();
  });

  it('SQLite: keys stored by another process that exited are loaded here and decrypt-usable', async () => {
    const path = join(dir, 'other-process.sqlite');
    const sessionId = execFileSync(process.execPath, ['test/support/persist-writer.mjs', path, encodeBase64Url(KID_A), encodeBase64Url(KEY_A)], {
      encoding: 'utf8',
    });
    expect(sessionId).toMatch(/^\d+$/);
    const eme = createEME({ store: path, origin: 'https://survivor.example' });
    const keys = await keysOn(eme);
    const session = keys.createSession('persistent-license');
    await expect(session.load(sessionId)).resolves.toBe(true);
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
    const { mediaKeysInternals } = await import('../../src/eme/media-keys.js');
    expect(Buffer.from(mediaKeysInternals(keys).cdm.keyFor(KID_A)!).equals(Buffer.from(KEY_A))).toBe(true);
    await session.close();
    await eme.close();
  });
});

