// MediaKeySession (EME §6): the full Clear Key flow, every method's error paths and state transitions, task order.
import { describe, expect, it } from 'vitest';
import { buildPsshBox, COMMON_SYSTEM_ID, MediaKeyMessageEvent, MediaKeys, MediaKeySession, requestMediaKeySystemAccess } from '../../src/index.js';
import { encodeBase64Url } from '../../src/util/base64url.js';
import {
  expectRejectName,
  json,
  KEY_A,
  KEY_B,
  KID_A,
  KID_B,
  keyIdsInitData,
  license,
  nextEvent,
  settle,
  statusesOf,
  VIDEO_CONFIG,
} from '../support/eme.js';

async function newMediaKeys(): Promise<MediaKeys> {
  const access = await requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG]);
  return access.createMediaKeys();
}

async function callableSession(kids: Uint8Array[] = [KID_A]): Promise<{ keys: MediaKeys; session: MediaKeySession; request: any }> {
  const keys = await newMediaKeys();
  const session = keys.createSession();
  const message = nextEvent<MediaKeyMessageEvent>(session, 'message');
  await session.generateRequest('keyids', keyIdsInitData(...kids));
  return { keys, session, request: json((await message).message) };
}

const WIDEVINE_SYSTEM_ID = Uint8Array.from(Buffer.from('edef8ba979d64acea3c827dcd51d21ed', 'hex'));

describe('MediaKeySession: initial state', () => {
  it('has the spec initial values', async () => {
    const session = (await newMediaKeys()).createSession();
    expect(session.sessionId).toBe('');
    expect(session.expiration).toBeNaN();
    expect(session.keyStatuses.size).toBe(0);
    expect(session.closed).toBeInstanceOf(Promise);
    expect(session.closed).toBe(session.closed);
    expect(session.onmessage).toBeNull();
    expect(session.onkeystatuseschange).toBeNull();
    expect(session).toBeInstanceOf(EventTarget);
  });

  it('has no public constructor; members are brand-checked', async () => {
    expect(() => new (MediaKeySession as unknown as new () => unknown)()).toThrow(TypeError);
    const session = (await newMediaKeys()).createSession();
    const fake = Object.create(MediaKeySession.prototype);
    for (const method of ['generateRequest', 'load', 'update', 'close', 'remove'] as const) {
      let promise: Promise<unknown> | undefined;
      expect(() => (promise = (session[method] as (...a: unknown[]) => Promise<unknown>).call(fake, 'keyids', new Uint8Array(1)))).not.toThrow();
      await expectRejectName(promise!, 'TypeError');
    }
    expect(() => fake.sessionId).toThrow(TypeError);
    expect(() => fake.keyStatuses).toThrow(TypeError);
    expect(() => (fake.onmessage = null)).toThrow(TypeError);
  });
});

describe('MediaKeys', () => {
  it('createSession: default temporary, TypeError for invalid enum, NotSupportedError for types not granted', async () => {
    const keys = await newMediaKeys();
    expect(keys.createSession()).toBeInstanceOf(MediaKeySession);
    expect(keys.createSession('temporary')).toBeInstanceOf(MediaKeySession);
    expect(() => keys.createSession('bogus' as never)).toThrow(TypeError);
    let error: unknown;
    try {
      keys.createSession('persistent-license');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('NotSupportedError');
    expect(() => keys.createSession.call({} as never)).toThrow(TypeError);
    expect(() => new (MediaKeys as unknown as new () => unknown)()).toThrow(TypeError);
  });

  it('setServerCertificate: Clear Key resolves false; empty or missing certificate is a TypeError', async () => {
    const keys = await newMediaKeys();
    await expect(keys.setServerCertificate(new Uint8Array([1, 2, 3]))).resolves.toBe(false);
    await expect(keys.setServerCertificate(new ArrayBuffer(4))).resolves.toBe(false);
    await expectRejectName(keys.setServerCertificate(new Uint8Array(0)), 'TypeError');
    await expectRejectName((keys.setServerCertificate as () => Promise<boolean>)(), 'TypeError');
    await expectRejectName(keys.setServerCertificate('cert' as never), 'TypeError');
  });

  it('getStatusForPolicy: usable for registered HDCP versions; TypeError without members; NotSupportedError for unknown versions', async () => {
    const keys = await newMediaKeys();
    await expect(keys.getStatusForPolicy({ minHdcpVersion: '1.0' })).resolves.toBe('usable');
    await expect(keys.getStatusForPolicy({ minHdcpVersion: '2.3' })).resolves.toBe('usable');
    await expectRejectName(keys.getStatusForPolicy(), 'TypeError');
    await expectRejectName(keys.getStatusForPolicy({}), 'TypeError');
    await expectRejectName(keys.getStatusForPolicy(7 as never), 'TypeError');
    // Versions outside the registry are a TypeError, the empty string no requirement (as in Chromium).
    await expectRejectName(keys.getStatusForPolicy({ minHdcpVersion: '9.9' }), 'TypeError');
    await expectRejectName(keys.getStatusForPolicy({ minHdcpVersion: 1 as never }), 'TypeError');
    await expect(keys.getStatusForPolicy({ minHdcpVersion: '' })).resolves.toBe('usable');
  });
});

describe('generateRequest', () => {
  it('produces the spec license request for keyids init data, in a task after the call', async () => {
    const keys = await newMediaKeys();
    const session = keys.createSession();
    const order: string[] = [];
    session.addEventListener('message', (event) => {
      const e = event as MediaKeyMessageEvent;
      expect(e).toBeInstanceOf(MediaKeyMessageEvent);
      expect(e.message).toBeInstanceOf(ArrayBuffer);
      order.push(`message:${e.messageType}:${JSON.stringify(json(e.message))}`);
    });
    const promise = session.generateRequest('keyids', keyIdsInitData(KID_A, KID_B));
    order.push('returned');
    await promise;
    order.push(`resolved:${session.sessionId}`);
    await settle();
    expect(order).toEqual([
      'returned',
      `resolved:${session.sessionId}`,
      'message:license-request:{"kids":["LwVHf8JLtPrv2GUXFW2v_A","0DdtU9od-Bh5L3xbv0Xf_A"],"type":"temporary"}',
    ]);
    // Clear Key session IDs are numbers representable by a 32-bit integer.
    expect(session.sessionId).toMatch(/^\d+$/);
    expect(Number(session.sessionId)).toBeLessThan(2 ** 32);
  });

  it('copies initData at call time', async () => {
    const session = (await newMediaKeys()).createSession();
    const initData = keyIdsInitData(KID_A);
    const message = nextEvent<MediaKeyMessageEvent>(session, 'message');
    const promise = session.generateRequest('keyids', initData);
    initData.fill(0x20);
    await promise;
    expect(json((await message).message).kids).toEqual([encodeBase64Url(KID_A)]);
  });

  it('reads the Common SystemID pssh from cenc init data (the registry example), skipping other systems', async () => {
    const session = (await newMediaKeys()).createSession();
    const specExample = Uint8Array.from([
      0x00, 0x00, 0x00, 0x44, 0x70, 0x73, 0x73, 0x68, 0x01, 0x00, 0x00, 0x00, 0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02,
      0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b, 0x00, 0x00, 0x00, 0x02, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
      0x38, 0x39, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c,
      0x4d, 0x4e, 0x4f, 0x50, 0x00, 0x00, 0x00, 0x00,
    ]);
    // A version 0 Widevine box (no key ID list) before the common one, as packagers write them.
    const widevine = new Uint8Array([0, 0, 0, 36, 0x70, 0x73, 0x73, 0x68, 0, 0, 0, 0, ...WIDEVINE_SYSTEM_ID, 0, 0, 0, 4, 8, 1, 18, 16]);
    const initData = new Uint8Array([...widevine, ...specExample]);
    const message = nextEvent<MediaKeyMessageEvent>(session, 'message');
    await session.generateRequest('cenc', initData);
    const kids = json((await message).message).kids.map((k: string) => Buffer.from(k, 'base64url').toString('latin1'));
    expect(kids).toEqual(['0123456789012345', 'ABCDEFGHIJKLMNOP']);
  });

  it('keyids listing no key IDs still makes a request (for no keys), as Chromium does', async () => {
    const session = (await newMediaKeys()).createSession();
    const message = nextEvent<MediaKeyMessageEvent>(session, 'message');
    await session.generateRequest('keyids', new TextEncoder().encode('{"kids":[]}'));
    expect(json((await message).message)).toEqual({ kids: [], type: 'temporary' });
    expect(session.sessionId).not.toBe('');
  });

  it('reads webm init data as one key ID', async () => {
    const session = (await newMediaKeys()).createSession();
    const message = nextEvent<MediaKeyMessageEvent>(session, 'message');
    await session.generateRequest('webm', KID_B);
    expect(json((await message).message)).toEqual({ kids: [encodeBase64Url(KID_B)], type: 'temporary' });
  });

  it.each([
    ['empty initDataType', '', keyIdsInitData(KID_A), 'TypeError'],
    ['empty initData', 'keyids', new Uint8Array(0), 'TypeError'],
    ['unsupported init data type', 'fairplay', new Uint8Array(4), 'NotSupportedError'],
    ['keyids that is not JSON', 'keyids', new TextEncoder().encode('{"kids":'), 'TypeError'],
    ['keyids with a non-base64url kid', 'keyids', new TextEncoder().encode('{"kids":["***"]}'), 'TypeError'],
    ['keyids with padded base64', 'keyids', new TextEncoder().encode('{"kids":["LwVHf8JLtPrv2GUXFW2v_A=="]}'), 'TypeError'],
    ['keyids without kids', 'keyids', new TextEncoder().encode('{"keys":[]}'), 'TypeError'],
    ['keyids that is not UTF-8', 'keyids', new Uint8Array([0x7b, 0xff, 0x7d]), 'TypeError'],
    ['cenc that is not a box', 'cenc', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]), 'TypeError'],
    ['cenc with a lying box size', 'cenc', (() => { const b = buildPsshBox(COMMON_SYSTEM_ID, [KID_A]); b[3] = 0xff; return b; })(), 'TypeError'],
    ['cenc with trailing bytes', 'cenc', new Uint8Array([...buildPsshBox(COMMON_SYSTEM_ID, [KID_A]), 0]), 'TypeError'],
    ['cenc without a Common SystemID box', 'cenc', buildPsshBox(WIDEVINE_SYSTEM_ID, [KID_A]), 'NotSupportedError'],
    ['cenc oversized (> 64 KiB)', 'cenc', buildPsshBox(COMMON_SYSTEM_ID, [KID_A], new Uint8Array(70_000)), 'TypeError'],
    ['webm key ID over 512 bytes', 'webm', new Uint8Array(513), 'TypeError'],
  ])('rejects %s with %s', async (_name, type, data, errorName) => {
    const session = (await newMediaKeys()).createSession();
    let messages = 0;
    session.onmessage = () => messages++;
    await expectRejectName(session.generateRequest(type as string, data as Uint8Array), errorName as string);
    await settle();
    expect(messages).toBe(0);
    expect(session.sessionId).toBe('');
    // The attempt used the session up (step 3 ran), so it cannot be retried.
    await expectRejectName(session.generateRequest('keyids', keyIdsInitData(KID_A)), 'InvalidStateError');
  });

  it('WebIDL conversion errors reject without using up the session', async () => {
    const session = (await newMediaKeys()).createSession();
    await expectRejectName((session.generateRequest as (...a: unknown[]) => Promise<void>)('keyids'), 'TypeError');
    await expectRejectName(session.generateRequest('keyids', 'not a buffer' as never), 'TypeError');
    await expectRejectName(session.generateRequest('keyids', [1, 2] as never), 'TypeError');
    await expect(session.generateRequest('keyids', keyIdsInitData(KID_A))).resolves.toBeUndefined();
  });

  it('rejects a second call and calls after close with InvalidStateError', async () => {
    const { session } = await callableSession();
    await expectRejectName(session.generateRequest('keyids', keyIdsInitData(KID_A)), 'InvalidStateError');
    await session.close();
    await expectRejectName(session.generateRequest('keyids', keyIdsInitData(KID_A)), 'InvalidStateError');
  });

  it('accepts every BufferSource type as initData', async () => {
    const bytes = keyIdsInitData(KID_A);
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 4);
    const forms: ArrayBufferView[] = [new DataView(padded.buffer, 4, bytes.length), padded.subarray(4, 4 + bytes.length), Buffer.from(bytes)];
    for (const form of [bytes.buffer.slice(0) as ArrayBuffer, ...forms]) {
      const session = (await newMediaKeys()).createSession();
      const message = nextEvent<MediaKeyMessageEvent>(session, 'message');
      await session.generateRequest('keyids', form as never);
      expect(json((await message).message).kids).toEqual([encodeBase64Url(KID_A)]);
    }
  });
});

describe('update', () => {
  it('adds keys: promise resolves with statuses updated, then keystatuseschange fires in a later task', async () => {
    const { session } = await callableSession([KID_A]);
    const order: string[] = [];
    session.onkeystatuseschange = () => order.push(`keystatuseschange:${session.keyStatuses.size}`);
    const promise = session.update(license([[KID_A, KEY_A]]));
    order.push('returned');
    await promise;
    order.push(`resolved:${session.keyStatuses.size}`);
    await settle();
    expect(order).toEqual(['returned', 'resolved:1', 'keystatuseschange:1']);
    expect(statusesOf(session)).toEqual({ [Buffer.from(KID_A).toString('hex')]: 'usable' });
    expect(session.expiration).toBeNaN();
  });

  it('accepts keys that were not asked for, as browsers do, and replaces a key on a second license', async () => {
    const { session } = await callableSession([KID_A]);
    await session.update(license([[KID_A, KEY_A], [KID_B, KEY_B]]));
    expect(session.keyStatuses.size).toBe(2);
    await session.update(license([[KID_B, KEY_A]], 'temporary'));
    expect(session.keyStatuses.size).toBe(2);
  });

  it.each([
    ['not JSON', new TextEncoder().encode('keys')],
    ['a JSON array', new TextEncoder().encode('[]')],
    ['no keys member', new TextEncoder().encode('{"type":"temporary"}')],
    ['empty keys', new TextEncoder().encode('{"keys":[]}')],
    ['kty not oct', new TextEncoder().encode(JSON.stringify({ keys: [{ kty: 'RSA', kid: encodeBase64Url(KID_A), k: encodeBase64Url(KEY_A) }] }))],
    ['short key', new TextEncoder().encode(JSON.stringify({ keys: [{ kty: 'oct', kid: encodeBase64Url(KID_A), k: encodeBase64Url(KEY_A.subarray(0, 15)) }] }))],
    ['padded base64url key', new TextEncoder().encode(JSON.stringify({ keys: [{ kty: 'oct', kid: encodeBase64Url(KID_A), k: encodeBase64Url(KEY_A) + '==' }] }))],
    ['missing kid', new TextEncoder().encode(JSON.stringify({ keys: [{ kty: 'oct', k: encodeBase64Url(KEY_A) }] }))],
    ['one bad key among good ones', new TextEncoder().encode(JSON.stringify({ keys: [{ kty: 'oct', kid: encodeBase64Url(KID_B), k: encodeBase64Url(KEY_B) }, { kty: 'oct', kid: '', k: encodeBase64Url(KEY_A) }] }))],
    ['unknown type', license([[KID_A, KEY_A]], 'forever')],
    ['a persistent license in a temporary session', license([[KID_A, KEY_A]], 'persistent-license')],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
    ['a response over 64 KiB', new TextEncoder().encode(JSON.stringify({ keys: [{ kty: 'oct', kid: encodeBase64Url(KID_A), k: encodeBase64Url(KEY_A) }], pad: 'x'.repeat(70_000) }))],
  ])('rejects %s with TypeError and leaves the keys unchanged', async (_name, response) => {
    const { keys, session } = await callableSession([KID_A]);
    await session.update(license([[KID_B, KEY_B]]));
    await settle();
    const before = statusesOf(session);
    let events = 0;
    session.onkeystatuseschange = () => events++;
    await expectRejectName(session.update(response as Uint8Array), 'TypeError');
    await settle();
    expect(statusesOf(session)).toEqual(before);
    expect(events).toBe(0);
    const { mediaKeysInternals } = await import('../../src/eme/media-keys.js');
    expect(mediaKeysInternals(keys).cdm.keyFor(KID_A)).toBeUndefined();
    expect(Buffer.from(mediaKeysInternals(keys).cdm.keyFor(KID_B)!)).toEqual(Buffer.from(KEY_B));
  });

  it('InvalidStateError before generateRequest and after close; TypeError for empty or missing response', async () => {
    const keys = await newMediaKeys();
    await expectRejectName(keys.createSession().update(license([[KID_A, KEY_A]])), 'InvalidStateError');
    const { session } = await callableSession();
    await expectRejectName(session.update(new Uint8Array(0)), 'TypeError');
    await expectRejectName((session.update as () => Promise<void>)(), 'TypeError');
    await expectRejectName(session.update({} as never), 'TypeError');
    await session.close();
    await expectRejectName(session.update(license([[KID_A, KEY_A]])), 'InvalidStateError');
  });

  it('a failed generateRequest leaves the session neither usable nor closable', async () => {
    const session = (await newMediaKeys()).createSession();
    await expectRejectName(session.generateRequest('keyids', new TextEncoder().encode('{}')), 'TypeError');
    await expectRejectName(session.update(license([[KID_A, KEY_A]])), 'InvalidStateError');
    await expectRejectName(session.close(), 'InvalidStateError');
    await expectRejectName(session.remove(), 'InvalidStateError');
  });
});

describe('close', () => {
  it('resolves, then closed resolves with closed-by-application and statuses empty (with keystatuseschange)', async () => {
    const { session } = await callableSession();
    await session.update(license([[KID_A, KEY_A]]));
    await settle();
    const events: number[] = [];
    session.onkeystatuseschange = () => events.push(session.keyStatuses.size);
    await session.close();
    await expect(session.closed).resolves.toBe('closed-by-application');
    expect(session.keyStatuses.size).toBe(0);
    await settle();
    expect(events).toEqual([0]);
    // Closing again resolves at once; the closed promise never rejects.
    await expect(session.close()).resolves.toBeUndefined();
  });

  it('sets closing synchronously: calls made before close() settles fail with InvalidStateError', async () => {
    const { session } = await callableSession();
    const closing = session.close();
    await expectRejectName(session.update(license([[KID_A, KEY_A]])), 'InvalidStateError');
    await expectRejectName(session.remove(), 'InvalidStateError');
    await closing;
  });

  it('InvalidStateError on a session never initialised', async () => {
    await expectRejectName((await newMediaKeys()).createSession().close(), 'InvalidStateError');
  });

  it('keys of one session are unaffected when another with the same key ID closes', async () => {
    const keys = await newMediaKeys();
    const a = keys.createSession();
    const b = keys.createSession();
    await a.generateRequest('keyids', keyIdsInitData(KID_A));
    await b.generateRequest('keyids', keyIdsInitData(KID_A));
    expect(a.sessionId).not.toBe(b.sessionId);
    await a.update(license([[KID_A, KEY_A]]));
    await b.update(license([[KID_A, KEY_A]]));
    await a.close();
    expect(b.keyStatuses.get(KID_A)).toBe('usable');
    const { mediaKeysInternals } = await import('../../src/eme/media-keys.js');
    expect(mediaKeysInternals(keys).cdm.keyFor(KID_A)).toBeDefined();
    await b.close();
    expect(mediaKeysInternals(keys).cdm.keyFor(KID_A)).toBeUndefined();
  });

  it('MediaKeys objects are isolated from one another', async () => {
    const one = await callableSession([KID_A]);
    const two = await newMediaKeys();
    await one.session.update(license([[KID_A, KEY_A]]));
    const { mediaKeysInternals } = await import('../../src/eme/media-keys.js');
    expect(mediaKeysInternals(one.keys).cdm.keyFor(KID_A)).toBeDefined();
    expect(mediaKeysInternals(two).cdm.keyFor(KID_A)).toBeUndefined();
  });
});

describe('remove (temporary session)', () => {
  it('marks every key released, sets expiration NaN and sends no message', async () => {
    const { session } = await callableSession([KID_A, KID_B]);
    await session.update(license([[KID_A, KEY_A], [KID_B, KEY_B]]));
    let messages = 0;
    session.onmessage = () => messages++;
    const change = nextEvent(session, 'keystatuseschange');
    await session.remove();
    await change;
    expect(Object.values(statusesOf(session))).toEqual(['released', 'released']);
    expect(session.expiration).toBeNaN();
    await settle();
    expect(messages).toBe(0);
  });

  it('a second remove() empties the statuses (nothing left to release)', async () => {
    const { session } = await callableSession([KID_A]);
    await session.update(license([[KID_A, KEY_A]]));
    await session.remove();
    expect(session.keyStatuses.get(KID_A)).toBe('released');
    await session.remove();
    expect(session.keyStatuses.size).toBe(0);
  });

  it('InvalidStateError before initialisation and after close', async () => {
    await expectRejectName((await newMediaKeys()).createSession().remove(), 'InvalidStateError');
    const { session } = await callableSession();
    await session.close();
    await expectRejectName(session.remove(), 'InvalidStateError');
  });
});

describe('event handler attributes (HTML semantics)', () => {
  it('one handler, replaced in place, ordered where first set; null removes it; re-set goes last', async () => {
    const session = (await newMediaKeys()).createSession();
    const calls: string[] = [];
    session.addEventListener('message', () => calls.push('A'));
    session.onmessage = () => calls.push('h1');
    session.addEventListener('message', () => calls.push('B'));
    session.onmessage = () => calls.push('h2');
    const init = { messageType: 'license-request' as const, message: new ArrayBuffer(1) };
    session.dispatchEvent(new MediaKeyMessageEvent('message', init));
    expect(calls).toEqual(['A', 'h2', 'B']);
    calls.length = 0;
    session.onmessage = null;
    expect(session.onmessage).toBeNull();
    session.dispatchEvent(new MediaKeyMessageEvent('message', init));
    expect(calls).toEqual(['A', 'B']);
    calls.length = 0;
    session.onmessage = () => calls.push('h3');
    session.dispatchEvent(new MediaKeyMessageEvent('message', init));
    expect(calls).toEqual(['A', 'B', 'h3']);
  });

  it('primitives become null; the handler is called with this = the session', async () => {
    const session = (await newMediaKeys()).createSession();
    session.onkeystatuseschange = 5 as never;
    expect(session.onkeystatuseschange).toBeNull();
    let self: unknown;
    session.onkeystatuseschange = function (this: unknown) {
      self = this;
    };
    session.dispatchEvent(new Event('keystatuseschange'));
    expect(self).toBe(session);
  });
});

describe('events', () => {
  it('MediaKeyMessageEvent: required members, enum and ArrayBuffer checks', () => {
    const Ctor = MediaKeyMessageEvent as unknown as new (...a: unknown[]) => MediaKeyMessageEvent;
    expect(() => new Ctor('message')).toThrow(TypeError);
    expect(() => new Ctor('message', { messageType: 'license-request' })).toThrow(TypeError);
    expect(() => new Ctor('message', { message: new ArrayBuffer(1) })).toThrow(TypeError);
    expect(() => new Ctor('message', { messageType: 'nope', message: new ArrayBuffer(1) })).toThrow(TypeError);
    expect(() => new Ctor('message', { messageType: 'license-request', message: new Uint8Array(1) })).toThrow(TypeError);
    const e = new Ctor('message', { messageType: 'license-release', message: new ArrayBuffer(3), bubbles: true });
    expect(e.type).toBe('message');
    expect(e.messageType).toBe('license-release');
    expect(e.message.byteLength).toBe(3);
    expect(e.bubbles).toBe(true);
    expect(e).toBeInstanceOf(Event);
  });
});
