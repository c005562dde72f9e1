// The EME trace: every call with its arguments, every promise's outcome, every event with its payload, in the order
// the page saw them, keys never in it; and the usual mistakes of hand-written license servers named as warnings.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEME, type MediaKeys } from '../../src/index.js';
import type { TraceEntry } from '../../src/eme/trace.js';
import { testKeySystem } from '../../src/testing/index.js';
import { encodeBase64Url } from '../../src/util/base64url.js';
import { expectRejectName, KEY_A, KID_A, KID_B, keyIdsInitData, license, settle, VIDEO_CONFIG } from '../support/eme.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KID_A_HEX = Buffer.from(KID_A).toString('hex');
const encoder = new TextEncoder();

async function tracedKeys(entries: TraceEntry[], keySystems = {}): Promise<MediaKeys> {
  const eme = createEME({ trace: (entry) => entries.push(entry), ...keySystems });
  const access = await eme.requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG]);
  return access.createMediaKeys();
}

/** One line per entry: target kind method/type, the shape a reader of the trace follows. */
function outline(entries: readonly TraceEntry[]): string[] {
  return entries.map((e) => `${e.target}${e.sessionId ? `[${e.sessionId}]` : ''} ${e.kind} ${e.method ?? e.type ?? e.message}`);
}

function licenseBody(keys: Array<{ kid: string; k: string }>): Uint8Array {
  return encoder.encode(JSON.stringify({ keys: keys.map((key) => ({ kty: 'oct', ...key })) }));
}

describe('EME trace', () => {
  it('records a Clear Key flow: calls, outcomes and events in order, with session IDs; the key never appears', async () => {
    const entries: TraceEntry[] = [];
    const keys = await tracedKeys(entries);
    const session = keys.createSession();
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    const id = session.sessionId;
    await session.update(license([[KID_A, KEY_A]]));
    await session.close();
    await settle();
    expect(outline(entries)).toEqual([
      'navigator call requestMediaKeySystemAccess',
      'navigator resolve requestMediaKeySystemAccess',
      'access 1 call createMediaKeys',
      'access 1 resolve createMediaKeys',
      'keys 1 call createSession',
      'session 1 resolve createSession',
      'session 1 call generateRequest',
      // The page calls update() as generateRequest() resolves, before the message task has run; close() likewise
      // before keystatuseschange; Session Closed runs in close()'s task, before the promise's reaction.
      `session 1[${id}] resolve generateRequest`,
      `session 1[${id}] call update`,
      `session 1[${id}] event message`,
      `session 1[${id}] resolve update`,
      `session 1[${id}] call close`,
      `session 1[${id}] event keystatuseschange`,
      `session 1[${id}] event closed`,
      `session 1[${id}] resolve close`,
      `session 1[${id}] event keystatuseschange`,
    ]);
    const byKind = (kind: string, name: string) => entries.find((e) => e.kind === kind && (e.method ?? e.type) === name)!;
    expect(byKind('call', 'requestMediaKeySystemAccess').args).toEqual({ keySystem: 'org.w3.clearkey', supportedConfigurations: [VIDEO_CONFIG] });
    expect(byKind('resolve', 'createMediaKeys').value).toEqual({ mediaKeys: 'keys 1' });
    expect(byKind('call', 'generateRequest').args).toEqual({ initDataType: 'keyids', initData: { json: { kids: [encodeBase64Url(KID_A)] } } });
    expect(byKind('event', 'message').detail).toEqual({ messageType: 'license-request', message: { json: { kids: [encodeBase64Url(KID_A)], type: 'temporary' } } });
    expect(byKind('call', 'update').args).toEqual({ response: { json: { keys: [{ kty: 'oct', kid: encodeBase64Url(KID_A), k: '[redacted]' }] } } });
    expect(byKind('event', 'keystatuseschange').detail).toEqual({ keyStatuses: { [KID_A_HEX]: 'usable' } });
    expect(byKind('event', 'closed').detail).toEqual({ reason: 'closed-by-application' });
    const text = JSON.stringify(entries);
    expect(text).not.toContain(encodeBase64Url(KEY_A));
    expect(text).not.toContain(Buffer.from(KEY_A).toString('hex'));
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
    expect(entries.every((e, i) => i === 0 || e.time >= entries[i - 1]!.time)).toBe(true);
  });

  it('records rejections with the spec error, and a non-JSON response only by its length', async () => {
    const entries: TraceEntry[] = [];
    const keys = await tracedKeys(entries);
    const session = keys.createSession();
    await expectRejectName(session.update(new Uint8Array([1])), 'InvalidStateError');
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await expectRejectName(session.update(KEY_A), 'TypeError');
    await expectRejectName(keys.getStatusForPolicy({}), 'TypeError');
    const rejects = entries.filter((e) => e.kind === 'reject');
    expect(rejects.map((e) => `${e.method}:${e.error?.name}`)).toEqual(['update:InvalidStateError', 'update:TypeError', 'getStatusForPolicy:TypeError']);
    expect(entries.find((e) => e.kind === 'call' && e.method === 'update' && e.sessionId)!.args).toEqual({ response: { bytes: 16 } });
  });

  it('names the usual license server mistakes as warnings, beside the spec error where there is one', async () => {
    const entries: TraceEntry[] = [];
    const keys = await tracedKeys(entries);
    const attempt = async (body: Uint8Array) => {
      const session = keys.createSession();
      await session.generateRequest('keyids', keyIdsInitData(KID_A));
      entries.length = 0;
      const outcome = await session.update(body).then(() => 'resolved', (e: Error) => `${e.name}: ${e.message}`);
      return { outcome, warnings: entries.filter((e) => e.kind === 'warning').map((e) => e.message) };
    };
    const kidB64 = encodeBase64Url(KID_A);
    const kB64 = encodeBase64Url(KEY_A);
    // "=" padding: the spec's TypeError (invalid license), its message naming the mistake, and the warning.
    const padded = await attempt(licenseBody([{ kid: Buffer.from(KID_A).toString('base64'), k: kB64 }]));
    expect(padded.outcome).toBe('TypeError: invalid Clear Key license: keys[0].kid is not a base64url key ID of 1..512 bytes (it has "=" padding, which base64url leaves out)');
    expect(padded.warnings).toEqual(['keys[0].kid has "=" padding, which base64url leaves out']);
    // Hex where base64url belongs: a 32-character hex kid is valid base64url (of 24 bytes), so the license is
    // accepted and the requested key never arrives.
    const hex = await attempt(licenseBody([{ kid: KID_A_HEX, k: kB64 }]));
    expect(hex.outcome).toBe('resolved');
    expect(hex.warnings).toEqual([
      'keys[0].kid looks like hex: Clear Key wants the 16 bytes in base64url',
      `the license holds none of the requested key IDs (${KID_A_HEX}): the requested keys will not arrive`,
    ]);
    // k and kid swapped.
    const swapped = await attempt(licenseBody([{ kid: kB64, k: kidB64 }]));
    expect(swapped.outcome).toBe('resolved');
    expect(swapped.warnings).toEqual([
      `the license holds none of the requested key IDs (${KID_A_HEX}): the requested keys will not arrive`,
      'a requested key ID is in "k": "k" and "kid" look swapped',
    ]);
    // GUID byte order (PlayReady's): first three fields byte-swapped.
    const b = [...KID_A];
    const guid = Uint8Array.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.slice(8)]);
    const guidOrder = await attempt(licenseBody([{ kid: encodeBase64Url(guid), k: kB64 }]));
    expect(guidOrder.warnings.at(-1)).toBe(
      `key ID ${Buffer.from(guid).toString('hex')} is requested key ID ${KID_A_HEX} in GUID byte order (first three fields byte-swapped, as PlayReady writes them)`,
    );
    // Standard base64 in k (a "/"): the spec's TypeError, named.
    const standard = await attempt(licenseBody([{ kid: kidB64, k: 'ab/' + kB64.slice(3) }]));
    expect(standard.outcome).toContain('(it is standard base64 ("+" or "/"), not base64url ("-" and "_"))');
    // A correct license: no warning.
    expect((await attempt(license([[KID_A, KEY_A]]))).warnings).toEqual([]);
    expect(JSON.stringify(entries)).not.toContain(kB64);
  });

  it('records what a CDM does on its own (the test key system) and writes JSON lines to a file, also from EMEKIT_TRACE', async () => {
    const file = join(dir, 'trace.jsonl');
    const ks = testKeySystem();
    const eme = createEME({ keySystems: [ks], trace: file });
    const keys = await (await eme.requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG])).createMediaKeys();
    const session = keys.createSession();
    await session.generateRequest('keyids', keyIdsInitData(KID_A, KID_B));
    await session.update(license([[KID_A, KEY_A]]));
    ks.sessions[0]!.renew();
    await settle();
    ks.sessions[0]!.setExpiration(Date.UTC(2030, 0, 1));
    await ks.crash('hardware-context-reset');
    await session.closed;
    await settle();
    await eme.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TraceEntry);
    const events = lines.filter((e) => e.kind === 'event').map((e) => `${e.type}:${JSON.stringify(e.detail)}`);
    expect(events).toEqual([
      `message:{"messageType":"license-request","message":{"json":{"kids":["${encodeBase64Url(KID_A)}","${encodeBase64Url(KID_B)}"],"type":"temporary"}}}`,
      `keystatuseschange:{"keyStatuses":{"${KID_A_HEX}":"usable"}}`,
      `message:{"messageType":"license-renewal","message":{"json":{"kids":["${encodeBase64Url(KID_A)}"],"type":"temporary"}}}`,
      `expiration:{"expiration":${Date.UTC(2030, 0, 1)}}`,
      'expiration:{"expiration":null}',
      'closed:{"reason":"hardware-context-reset"}',
      'keystatuseschange:{"keyStatuses":{}}',
    ]);

    const envFile = join(dir, 'env.jsonl');
    process.env['EMEKIT_TRACE'] = envFile;
    try {
      await createEME().requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG]);
    } finally {
      delete process.env['EMEKIT_TRACE'];
    }
    await settle();
    expect(readFileSync(envFile, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as TraceEntry).kind)).toEqual(['call', 'resolve']);
  });

  it('a sink that throws never changes what the page sees', async () => {
    const keys = await (await createEME({ trace: () => { throw new Error('disk full'); } }).requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG])).createMediaKeys();
    const session = keys.createSession();
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await session.update(license([[KID_A, KEY_A]]));
    expect(session.keyStatuses.get(KID_A)).toBe('usable');
  });
});
