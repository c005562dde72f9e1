// The CDM boundary's other direction: what a CDM does on its own (EME §6.6 Monitor for CDM State Changes) reaches
// the page through the spec's algorithms in queued tasks. A toy key system written here hands its session clients
// to the test, which plays the CDM.
import { describe, expect, it } from 'vitest';
import {
  CdmError,
  createEME,
  type CdmSession,
  type CdmSessionClient,
  type CdmSessionResult,
  type KeySystem,
  type MediaKeys,
  type MediaKeySession,
} from '../../src/index.js';
import { expectRejectName, settle } from '../support/eme.js';

const KID_1 = new Uint8Array([1, 1, 1, 1]);
const KID_2 = new Uint8Array([2, 2, 2, 2]);

interface Played {
  clients: CdmSessionClient[];
  /** Resolves the update() in progress, when the test holds one. */
  releaseUpdate?: () => void;
  holdUpdates: boolean;
  refuseSessions: boolean;
}

function playedKeySystem(played: Played): KeySystem {
  return {
    keySystem: 'org.example.played',
    capabilities: () => ({
      distinctiveIdentifier: 'not-supported',
      persistentState: 'not-supported',
      supportsInitDataType: (type) => type === 'keyids',
      supportsSessionType: (type) => type === 'temporary',
      supportsMediaCapability: () => true,
    }),
    createCdm: () => ({
      createSession(_type, client): CdmSession {
        if (played.refuseSessions) throw new CdmError('InvalidStateError', 'the CDM is gone');
        played.clients.push(client);
        const session = {
          sessionId: '',
          async generateRequest(): Promise<CdmSessionResult> {
            session.sessionId = `played${played.clients.length}`;
            return { message: { type: 'license-request', data: new Uint8Array([1]) } };
          },
          load: async () => undefined,
          async update(): Promise<CdmSessionResult> {
            if (played.holdUpdates) await new Promise<void>((resolve) => (played.releaseUpdate = resolve));
            return { keyStatuses: [{ keyId: KID_1, status: 'usable' }] };
          },
          close: async () => {},
          remove: async (): Promise<CdmSessionResult> => ({ keyStatuses: [] }),
        };
        return session;
      },
      getStatusForPolicy: async () => 'usable',
      keyFor: () => undefined,
    }),
  };
}

/** Every event of a session as "type[:detail]", with the key statuses and expiration seen when it fired. */
function record(session: MediaKeySession, log: string[]): void {
  session.addEventListener('message', (e) => log.push(`message:${(e as MessageEvent & { messageType: string }).messageType}`));
  session.addEventListener('keystatuseschange', () => {
    const statuses = [...session.keyStatuses].map(([kid, status]) => `${new Uint8Array(kid as ArrayBuffer)[0]}=${status}`);
    log.push(`keystatuseschange:${statuses.join(',')}:expiration=${session.expiration}`);
  });
  void session.closed.then((reason) => log.push(`closed:${reason}`));
}

const newPlayed = (): Played => ({ clients: [], holdUpdates: false, refuseSessions: false });

async function playedKeys(played: Played): Promise<MediaKeys> {
  const eme = createEME({ keySystems: [playedKeySystem(played)] });
  const access = await eme.requestMediaKeySystemAccess('org.example.played', [{ initDataTypes: ['keyids'], videoCapabilities: [{ contentType: 'video/mp4; codecs="avc1.64001f"' }] }]);
  return access.createMediaKeys();
}

async function licensedSession(played: Played, log: string[]): Promise<MediaKeySession> {
  const session = (await playedKeys(played)).createSession();
  record(session, log);
  await session.generateRequest('keyids', new TextEncoder().encode('{"kids":["AQEBAQ"]}'));
  await session.update(new Uint8Array([1]));
  await settle();
  log.length = 0;
  return session;
}

async function playedSession() {
  const played = newPlayed();
  const log: string[] = [];
  const session = await licensedSession(played, log);
  return { played, log, session, client: played.clients[0]! };
}

describe('what a CDM does on its own reaches the page through the spec algorithms', () => {
  it('a message, key statuses and expiration arrive in queued tasks, in the order the CDM reported them', async () => {
    const { played, log, session, client } = await playedSession();
    client.expirationChanged(1_800_000_000_000);
    client.keyStatusesChanged([
      { keyId: KID_2, status: 'output-restricted' },
      { keyId: KID_1, status: 'usable' },
    ]);
    client.message('license-renewal', new Uint8Array([9]));
    // Nothing is run synchronously inside the CDM's call (Monitor for CDM State Changes queues tasks).
    expect(session.expiration).toBeNaN();
    expect(session.keyStatuses.size).toBe(1);
    const message = new Promise<ArrayBuffer>((resolve) =>
      session.addEventListener('message', (e) => resolve((e as MessageEvent & { message: ArrayBuffer }).message), { once: true }),
    );
    expect([...new Uint8Array(await message)]).toEqual([9]);
    await settle();
    // Update Key Statuses replaced the map (sorted by key ID) before keystatuseschange fired; Update Expiration had run
    // in the task before.
    expect(log).toEqual(['keystatuseschange:1=usable,2=output-restricted:expiration=1800000000000', 'message:license-renewal']);
    expect(session.expiration).toBe(1_800_000_000_000);
  });

  it('NaN expiration clears it; the CDM closing the session resolves closed with its reason, keys and expiration cleared', async () => {
    const { played, log, session, client } = await playedSession();
    client.expirationChanged(1_800_000_000_000);
    await settle();
    expect(session.expiration).toBe(1_800_000_000_000);
    client.closed('hardware-context-reset');
    await expect(session.closed).resolves.toBe('hardware-context-reset');
    expect(session.keyStatuses.size).toBe(0);
    expect(session.expiration).toBeNaN();
    // After Session Closed nothing more reaches the page, and every method fails.
    client.message('license-renewal', new Uint8Array([1]));
    client.keyStatusesChanged([{ keyId: KID_1, status: 'usable' }]);
    client.expirationChanged(5);
    client.closed('internal-error');
    await settle();
    // Session Closed resolves closed in its task; the keystatuseschange of its Update Key Statuses is a later task.
    expect(log).toEqual(['closed:hardware-context-reset', 'keystatuseschange::expiration=NaN']);
    expect(session.keyStatuses.size).toBe(0);
    expect(session.expiration).toBeNaN();
    await expectRejectName(session.update(new Uint8Array([1])), 'InvalidStateError');
    await expectRejectName(session.remove(), 'InvalidStateError');
    await expect(session.close()).resolves.toBeUndefined();
    await expect(session.closed).resolves.toBe('hardware-context-reset');
  });

  it('waits for an operation in progress: the update() resolves and its statuses apply before the CDM\'s own change', async () => {
    const { played, log, session } = await playedSession();
    played.holdUpdates = true;
    const updated = session.update(new Uint8Array([1])).then(() => log.push(`update resolved:1=${session.keyStatuses.get(KID_1)}`));
    await settle();
    played.clients[0]!.keyStatusesChanged([{ keyId: KID_1, status: 'expired' }]);
    await settle();
    expect(log).toEqual([]);
    played.releaseUpdate!();
    await updated;
    await settle();
    // update()'s task ran first (its statuses in place when it resolved); the CDM's Update Key Statuses task then
    // replaced the map before either keystatuseschange task fired.
    expect(log).toEqual([
      'update resolved:1=usable',
      'keystatuseschange:1=expired:expiration=NaN',
      'keystatuseschange:1=expired:expiration=NaN',
    ]);
    expect(session.keyStatuses.get(KID_1)).toBe('expired');
  });

  it('a CDM that refuses new sessions makes createSession() throw its InvalidStateError', async () => {
    const played: Played = { ...newPlayed(), refuseSessions: true };
    const keys = await playedKeys(played);
    expect(() => keys.createSession()).toThrow(expect.objectContaining({ name: 'InvalidStateError' }));
    played.refuseSessions = false;
    expect(keys.createSession().sessionId).toBe('');
  });
});
