// emekit/testing: each scripted behaviour observed through the public EME API, checked against the spec's
// algorithms (events, their order, keyStatuses, expiration, closed).
import { describe, expect, it } from 'vitest';
import { manualClock, parseScript } from '../../src/testing/index.js';
import { encodeBase64Url } from '../../src/util/base64url.js';
import { expectRejectName, json, KEY_A, KEY_B, KID_A, KID_B, keyIdsInitData, license, settle } from '../support/eme.js';
import { eventLog, keysOf, licensed, licenseWith } from './support.js';

const A = Buffer.from(KID_A).toString('hex').slice(0, 4);
const B = Buffer.from(KID_B).toString('hex').slice(0, 4);
const KIDS_A = encodeBase64Url(KID_A);

describe('test key system: messages', () => {
  it('renew() sends a license-renewal (a Clear Key request for the session keys) that update() answers', async () => {
    const { ks, keys } = await keysOf({ keySystem: 'com.example.test' });
    const { session, log } = await licensed(keys, [[KID_A, KEY_A]]);
    expect(ks.keySystem).toBe('com.example.test');
    expect(ks.sessions).toHaveLength(1);
    expect(ks.session(session.sessionId)).toBe(ks.sessions[0]);
    ks.sessions[0]!.renew();
    await settle();
    expect(log).toEqual([`message:license-renewal:${KIDS_A}`]);
    await session.update(license([[KID_A, KEY_A]]));
    await settle();
    expect(log.slice(1)).toEqual([`keystatuseschange:${A}=usable:expiration=NaN`]);
  });

  it('renews every N seconds of the clock, from the options or the license policy; closing stops them', async () => {
    const clock = manualClock();
    const { keys } = await keysOf({ clock, renewalIntervalSeconds: 30 });
    const { session, log } = await licensed(keys, [[KID_A, KEY_A]]);
    clock.advance(29_999);
    await settle();
    expect(log).toEqual([]);
    clock.advance(1);
    clock.advance(30_000);
    await settle();
    expect(log).toEqual([`message:license-renewal:${KIDS_A}`, `message:license-renewal:${KIDS_A}`]);
    // The renewal's answer sets its own interval.
    await session.update(licenseWith([[KID_A, KEY_A]], { policy: { renewalIntervalSeconds: 5 } }));
    log.length = 0;
    clock.advance(10_000);
    await settle();
    expect(log.filter((e) => e.startsWith('message'))).toHaveLength(2);
    await session.close();
    await settle();
    log.length = 0;
    clock.advance(60_000);
    await settle();
    expect(log).toEqual([]);
  });

  it('individualization-request before the first license request; its answer brings the license request', async () => {
    const { keys } = await keysOf({ individualization: true });
    const session = keys.createSession();
    const log = eventLog(session);
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await settle();
    expect(log).toEqual(['message:individualization-request']);
    await expectRejectName(session.update(new Uint8Array([1, 2])), 'TypeError');
    await session.update(new TextEncoder().encode('{"individualization":"response"}'));
    await settle();
    expect(log).toEqual(['message:individualization-request', `message:license-request:${KIDS_A}`]);
    await session.update(license([[KID_A, KEY_A]]));
    // Individualized once: the next session goes straight to its license request.
    const next = keys.createSession();
    const nextLog = eventLog(next);
    await next.generateRequest('keyids', keyIdsInitData(KID_B));
    await settle();
    expect(nextLog).toEqual([`message:license-request:${encodeBase64Url(KID_B)}`]);
  });

  it('a required server certificate: setServerCertificate resolves true, requests fail until one is set', async () => {
    const { keys } = await keysOf({ serverCertificate: 'required' });
    await expectRejectName(keys.createSession().generateRequest('keyids', keyIdsInitData(KID_A)), 'InvalidStateError');
    await expect(keys.setServerCertificate(new Uint8Array([1, 2, 3]))).resolves.toBe(true);
    await expect(keys.createSession().generateRequest('keyids', keyIdsInitData(KID_A))).resolves.toBeUndefined();
    const { keys: plain } = await keysOf();
    await expect(plain.setServerCertificate(new Uint8Array([1]))).resolves.toBe(false);
  });
});

describe('test key system: keys and time', () => {
  it('any status for any key at any time; keystatuseschange holds the whole map, sorted', async () => {
    const { ks, keys } = await keysOf();
    const { session, log } = await licensed(keys, [[KID_A, KEY_A]]);
    const control = ks.sessions[0]!;
    for (const status of ['output-restricted', 'output-downscaled', 'usable-in-future', 'status-pending', 'internal-error', 'released', 'expired'] as const) {
      control.setStatus(KID_A, status);
    }
    control.setStatus(KID_B, 'status-pending');
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
    await settle(8);
    expect(log).toHaveLength(8);
    expect(log.at(-1)).toBe(`keystatuseschange:${A}=expired,${B}=status-pending:expiration=NaN`);
    expect(session.keyStatuses.get(KID_B)).toBe('status-pending');
    expect(control.keyStatuses()).toEqual(new Map([[Buffer.from(KID_A).toString('hex'), 'expired'], [Buffer.from(KID_B).toString('hex'), 'status-pending']]));
    // A new license for a key clears what the test set for it.
    await session.update(license([[KID_A, KEY_A]]));
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
  });

  it('expiration from the license policy; every key turns expired when the clock passes it', async () => {
    const clock = manualClock();
    const { keys } = await keysOf({ clock });
    const start = clock.now();
    const { session, log } = await licensed(keys, [[KID_A, KEY_A], [KID_B, KEY_B]], { policy: { durationSeconds: 60 } });
    expect(session.expiration).toBe(start + 60_000);
    clock.advance(60_000);
    await settle();
    expect(log).toEqual([]);
    clock.advance(1);
    await settle();
    expect(log).toEqual([`keystatuseschange:${A}=expired,${B}=expired:expiration=${start + 60_000}`]);
    // A renewal's license extends it and makes the keys usable again.
    await session.update(licenseWith([[KID_A, KEY_A], [KID_B, KEY_B]], { policy: { expiration: start + 120_000 } }));
    expect(session.expiration).toBe(start + 120_000);
    expect([...session.keyStatuses.values()]).toEqual(['usable', 'usable']);
  });

  it('setExpiration: the attribute changes in a task; a time already past expires the keys at once', async () => {
    const clock = manualClock();
    const { ks, keys } = await keysOf({ clock });
    const { session, log } = await licensed(keys, [[KID_A, KEY_A]]);
    ks.sessions[0]!.setExpiration(clock.now() + 1_000);
    expect(session.expiration).toBeNaN();
    await settle();
    expect(session.expiration).toBe(clock.now() + 1_000);
    ks.setExpiration(clock.now() - 1);
    await settle();
    expect(session.expiration).toBe(clock.now() - 1);
    expect(log).toEqual([`keystatuseschange:${A}=expired:expiration=${clock.now() - 1}`]);
    ks.sessions[0]!.setExpiration(NaN);
    await settle();
    expect(session.expiration).toBeNaN();
  });

  it('output protection: getStatusForPolicy answers from the display HDCP; keys asking more are output-restricted', async () => {
    const { ks, keys } = await keysOf({ hdcp: '1.4' });
    await expect(keys.getStatusForPolicy({ minHdcpVersion: '1.4' })).resolves.toBe('usable');
    await expect(keys.getStatusForPolicy({ minHdcpVersion: '2.2' })).resolves.toBe('output-restricted');
    const withHdcp = licenseWith([[KID_A, KEY_A], [KID_B, KEY_B]], {});
    const body = json(withHdcp);
    body.keys[0].minHdcpVersion = '2.2';
    const session = keys.createSession();
    const log = eventLog(session);
    await session.generateRequest('keyids', keyIdsInitData(KID_A, KID_B));
    await session.update(new TextEncoder().encode(JSON.stringify(body)));
    expect(session.keyStatuses.get(KID_A)).toBe('output-restricted');
    expect(session.keyStatuses.get(KID_B)).toBe('usable');
    ks.setHdcp('2.3');
    await settle();
    expect(log.at(-1)).toBe(`keystatuseschange:${A}=usable,${B}=usable:expiration=NaN`);
    await expect(keys.getStatusForPolicy({ minHdcpVersion: '2.2' })).resolves.toBe('usable');
    ks.setHdcp('none');
    await expect(keys.getStatusForPolicy({ minHdcpVersion: '1.0' })).resolves.toBe('output-restricted');
    await expect(keys.getStatusForPolicy({ minHdcpVersion: '' })).resolves.toBe('usable');
    // A bad policy is the license's TypeError, and leaves the session as it was.
    await expectRejectName(session.update(licenseWith([[KID_A, KEY_A]], { policy: { minHdcpVersion: '9' } })), 'TypeError');
  });
});

describe('test key system: closing, crashes and faults', () => {
  it('crash(): every session of every MediaKeys closes with the reason, keys and expiration cleared, methods fail', async () => {
    const { ks, keys } = await keysOf();
    const first = await licensed(keys, [[KID_A, KEY_A]], { policy: { durationSeconds: 600 } });
    const second = await licensed(keys, [[KID_B, KEY_B]]);
    await ks.crash('hardware-context-reset');
    await expect(first.session.closed).resolves.toBe('hardware-context-reset');
    await expect(second.session.closed).resolves.toBe('hardware-context-reset');
    await settle();
    expect(first.log).toEqual(['closed:hardware-context-reset', 'keystatuseschange::expiration=NaN']);
    expect(first.session.keyStatuses.size).toBe(0);
    expect(first.session.expiration).toBeNaN();
    await expectRejectName(first.session.update(license([[KID_A, KEY_A]])), 'InvalidStateError');
    expect(ks.sessions.every((s) => s.closed)).toBe(true);
    expect(() => ks.sessions[0]!.renew()).toThrow(/closed/);
    // After a hardware context reset the application may create new sessions on the same MediaKeys.
    await licensed(keys, [[KID_A, KEY_A]]);
    // After an internal error the instance is gone: no new sessions, no policy answers.
    await ks.crash();
    expect(() => keys.createSession()).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    await expectRejectName(keys.getStatusForPolicy({ minHdcpVersion: '1.0' }), 'InvalidStateError');
  });

  it('a session evicted by the CDM closes alone; the other keeps its keys', async () => {
    const { ks, keys } = await keysOf();
    const first = await licensed(keys, [[KID_A, KEY_A]]);
    const second = await licensed(keys, [[KID_B, KEY_B]]);
    await ks.sessions[0]!.close('resource-evicted');
    await expect(first.session.closed).resolves.toBe('resource-evicted');
    await settle();
    expect(second.session.keyStatuses.get(KID_B)).toBe('usable');
    expect(second.log).toEqual([]);
  });

  it('a method rejects with the chosen error on its Nth call; latency per method on the clock; a crash ends a slow call', async () => {
    const clock = manualClock();
    const { ks, keys } = await keysOf({ clock });
    ks.fail('generateRequest', 'NotSupportedError', 2);
    await keys.createSession().generateRequest('keyids', keyIdsInitData(KID_A));
    await expectRejectName(keys.createSession().generateRequest('keyids', keyIdsInitData(KID_A)), 'NotSupportedError');
    await keys.createSession().generateRequest('keyids', keyIdsInitData(KID_A));
    ks.fail('update', 'TypeError');
    const session = keys.createSession();
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await expectRejectName(session.update(license([[KID_A, KEY_A]])), 'TypeError');
    ks.setLatency('update', 2_000);
    let settled = false;
    const slow = session.update(license([[KID_A, KEY_A]])).finally(() => (settled = true));
    await settle();
    clock.advance(1_999);
    await settle();
    expect(settled).toBe(false);
    clock.advance(1);
    await slow;
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
    const stuck = session.update(license([[KID_A, KEY_A]]));
    await settle();
    await ks.crash('internal-error');
    await expectRejectName(stuck, 'InvalidStateError');
    await expect(session.closed).resolves.toBe('internal-error');
  });

  it('the persistent store failing: update() of a persistent-license session rejects with QuotaExceededError', async () => {
    const { ks, keys } = await keysOf();
    const session = keys.createSession('persistent-license');
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    ks.failStore('QuotaExceededError');
    await expectRejectName(session.update(license([[KID_A, KEY_A]], 'persistent-license')), 'QuotaExceededError');
    expect(session.keyStatuses.size).toBe(0);
    ks.failStore(undefined);
    await session.update(license([[KID_A, KEY_A]], 'persistent-license'));
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
  });
});

describe('test key system: scripts', () => {
  it('plays a JSON script of timed steps on the clock', async () => {
    const clock = manualClock();
    const { keys, ks } = await keysOf({ clock });
    const { session, log } = await licensed(keys, [[KID_A, KEY_A]]);
    const script = parseScript(
      JSON.parse(`[
        { "at": 1000, "do": "renew", "session": 0 },
        { "at": 2000, "do": "setStatus", "keyId": "${Buffer.from(KID_A).toString('hex')}", "status": "output-restricted" },
        { "at": 3000, "do": "setExpiration", "inSeconds": 10 },
        { "at": 4000, "do": "crash", "reason": "resource-evicted" }
      ]`),
    );
    ks.play(script);
    const start = clock.now();
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000);
      await settle();
    }
    expect(log).toEqual([
      `message:license-renewal:${KIDS_A}`,
      `keystatuseschange:${A}=output-restricted:expiration=NaN`,
      'closed:resource-evicted',
      'keystatuseschange::expiration=NaN',
    ]);
    await expect(session.closed).resolves.toBe('resource-evicted');
    expect(start).toBeLessThan(clock.now());
    expect(() => parseScript([{ at: 0, do: 'explode' }])).toThrow(/step 0: "do" must be one of/);
    expect(() => parseScript([{ at: 0, do: 'setStatus', keyId: 'zz', status: 'usable' }])).toThrow(/"keyId" must be hex/);
  });
});
