// The CDM boundary: another key system plugs into createEME() without touching the API layer. A toy key system
// written here (not Clear Key) must get the same WebIDL checks, state machine and task ordering.
import { describe, expect, it } from 'vitest';
import { CdmError, createEME, type Cdm, type CdmSession, type CdmSessionResult, type KeySystem } from '../../src/index.js';
import { expectRejectName, json, nextEvent, settle } from '../support/eme.js';

/** "org.example.echo": answers every request with its init data, and takes any response as one usable key. */
function echoKeySystem(calls: string[]): KeySystem {
  return {
    keySystem: 'org.example.echo',
    capabilities: () => ({
      distinctiveIdentifier: 'not-supported',
      persistentState: 'not-supported',
      supportsInitDataType: (type) => type === 'webm',
      supportsSessionType: (type) => type === 'temporary',
      supportsMediaCapability: (q) => q.container === 'video/webm' && q.robustness === '',
    }),
    createCdm(): Cdm {
      let next = 100;
      return {
        createSession(): CdmSession {
          const session = {
            sessionId: '',
            async generateRequest(type: string, data: Uint8Array): Promise<CdmSessionResult> {
              calls.push(`generateRequest:${type}`);
              session.sessionId = `echo${next++}`;
              return { message: { type: 'license-request', data: new TextEncoder().encode(JSON.stringify({ echo: [...data] })) } };
            },
            async load(): Promise<CdmSessionResult | undefined> {
              return undefined;
            },
            async update(response: Uint8Array): Promise<CdmSessionResult> {
              calls.push('update');
              if (response[0] === 0) throw new CdmError('TypeError', 'zero is not a license');
              return { keyStatuses: [{ keyId: response.slice(0, 4), status: 'usable' }], expiration: 1_700_000_000_000 };
            },
            async close() {
              calls.push('close');
            },
            async remove(): Promise<CdmSessionResult> {
              return { keyStatuses: [] };
            },
          };
          return session;
        },
        async getStatusForPolicy() {
          return 'output-restricted';
        },
        keyFor: () => undefined,
      };
    },
  };
}

describe('a key system behind the CDM boundary', () => {
  it('runs through the same API layer: access, session, events, errors, expiration', async () => {
    const calls: string[] = [];
    const eme = createEME({ keySystems: [echoKeySystem(calls)] });
    await expectRejectName(eme.requestMediaKeySystemAccess('org.w3.clearkey', [{ videoCapabilities: [{ contentType: 'video/webm; codecs="vp9"' }] }]), 'NotSupportedError');
    const access = await eme.requestMediaKeySystemAccess('org.example.echo', [{ initDataTypes: ['cenc', 'webm'], videoCapabilities: [{ contentType: 'video/webm; codecs="vp9"' }] }]);
    expect(access.getConfiguration().initDataTypes).toEqual(['webm']);
    const keys = await access.createMediaKeys();
    await expect(keys.getStatusForPolicy({ minHdcpVersion: '2.2' })).resolves.toBe('output-restricted');
    await expect(keys.setServerCertificate(new Uint8Array([1]))).resolves.toBe(false);
    const session = keys.createSession();
    await expectRejectName(session.generateRequest('cenc', new Uint8Array([1])), 'NotSupportedError');
    const fresh = keys.createSession();
    const message = nextEvent<MessageEvent & { message: ArrayBuffer }>(fresh, 'message');
    await fresh.generateRequest('webm', new Uint8Array([7, 8]));
    expect(fresh.sessionId).toBe('echo100');
    expect(json((await message).message)).toEqual({ echo: [7, 8] });
    await expectRejectName(fresh.update(new Uint8Array([0, 1])), 'TypeError');
    await fresh.update(new Uint8Array([1, 2, 3, 4, 5]));
    expect(fresh.keyStatuses.get(new Uint8Array([1, 2, 3, 4]))).toBe('usable');
    expect(fresh.expiration).toBe(1_700_000_000_000);
    await fresh.close();
    await expect(fresh.closed).resolves.toBe('closed-by-application');
    await settle();
    expect(calls).toEqual(['generateRequest:webm', 'update', 'update', 'close']);
  });
});
