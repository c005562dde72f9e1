// One Clear Key session: the keys a license delivered, and for persistent-license sessions their stored record.
// Knows nothing of promises handed to the page, events or DOM types: it returns results for the API layer.

import { CdmError, type CdmSession, type CdmSessionResult, type CdmStorage, type KeyStatusEntry, type SessionType } from '../cdm.js';
import { InvalidInitDataError } from '../../initdata/errors.js';
import { compareKeyIds, toHex } from '../../util/bytes.js';
import { keyIdsFromInitData } from './init-data.js';
import { licenseWarnings } from './license-lint.js';
import { parseLicense, parseResponseObject, type LicenseKey } from './license.js';
import { licenseRelease, licenseRequest } from './messages.js';
import { decodeStoredSession, encodeStoredSession, type StoredPolicy } from './record.js';
import { openPersistentSessions } from './open-sessions.js';
import { nextTemporarySessionId, randomSessionId } from './session-ids.js';

export interface SessionOwner {
  readonly storage: CdmStorage | undefined;
  sessionHasKeys(session: ClearKeySession, hasKeys: boolean): void;
}

export class ClearKeySession implements CdmSession {
  sessionId = '';
  readonly #owner: SessionOwner;
  readonly #type: SessionType;
  /** Usable keys by hex key ID. */
  #keys = new Map<string, LicenseKey>();
  /** Key IDs removed by remove(); for persistent-license sessions, the record of license destruction. */
  #released: Uint8Array[] | undefined;
  #closed = false;
  /** The key IDs of the last license request, to name a license that holds none of them. */
  #requested: readonly Uint8Array[] = [];
  #restoredPolicy: StoredPolicy | undefined;

  constructor(owner: SessionOwner, type: SessionType) {
    this.#owner = owner;
    this.#type = type;
  }

  /** What load() found kept with the record by a key system built on this session (see update()'s `policy`). */
  get restoredPolicy(): StoredPolicy | undefined {
    return this.#restoredPolicy;
  }

  keyFor(keyIdHex: string): Uint8Array | undefined {
    return this.#keys.get(keyIdHex)?.key;
  }

  async generateRequest(initDataType: string, sanitizedInitData: Uint8Array): Promise<CdmSessionResult> {
    let keyIds: Uint8Array[];
    try {
      keyIds = keyIdsFromInitData(initDataType, sanitizedInitData);
    } catch (error) {
      if (error instanceof InvalidInitDataError) throw new CdmError('TypeError', error.message);
      throw error;
    }
    if (this.#type === 'persistent-license') {
      const storage = this.#requireStorage();
      this.sessionId = await uniquePersistentSessionId(storage);
      openPersistentSessions.add(storage.store, storage.origin, this.sessionId);
    } else {
      this.sessionId = nextTemporarySessionId();
    }
    this.#requested = keyIds;
    // The CDM does not store anything yet: data is kept only once update() delivers a license.
    return { message: { type: 'license-request', data: licenseRequest(keyIds, this.#type) } };
  }

  async load(sessionId: string): Promise<CdmSessionResult | undefined> {
    const storage = this.#requireStorage();
    const bytes = await storage.store.get(storage.origin, sessionId);
    if (!bytes) return undefined;
    const record = decodeStoredSession(bytes);
    if (!record) throw new CdmError('InvalidStateError', `stored data for session ${sessionId} is unreadable`);
    if (openPersistentSessions.has(storage.store, storage.origin, sessionId)) {
      throw new CdmError('QuotaExceededError', `session ${sessionId} is already open in another MediaKeySession`);
    }
    openPersistentSessions.add(storage.store, storage.origin, sessionId);
    this.sessionId = sessionId;
    if (record.state === 'released') {
      this.#released = [...record.keyIds];
      // The destruction record is still unacknowledged: send it again.
      return {
        keyStatuses: this.#statuses(),
        message: { type: 'license-release', data: licenseRelease(this.#released) },
      };
    }
    this.#restoredPolicy = record.policy;
    this.#setKeys(new Map(record.keys.map((k) => [toHex(k.keyId), k])));
    return { keyStatuses: this.#statuses() };
  }

  /** `policy`: kept with a persistent record, for a key system built on this session (Clear Key itself has none). */
  async update(sanitizedResponse: Uint8Array, policy?: StoredPolicy): Promise<CdmSessionResult> {
    const response = parseResponseObject(sanitizedResponse);
    if (this.#type === 'persistent-license' && this.#released) {
      // A record of license destruction acknowledgement: any JSON object (EME §Clear Key behavior).
      const storage = this.#requireStorage();
      await storage.store.delete(storage.origin, this.sessionId);
      this.#released = undefined;
      await this.close();
      return { closed: 'release-acknowledged' };
    }
    const warnings = licenseWarnings(response, this.#requested);
    let license: ReturnType<typeof parseLicense>;
    try {
      license = parseLicense(response);
    } catch (error) {
      if (error instanceof CdmError && warnings.length > 0) throw new CdmError(error.errorName, error.message, warnings);
      throw error;
    }
    // No "type": the session's own (Firefox's Clear Key and WPT's licenses; EME's default "temporary" would refuse them).
    if (license.type !== undefined && license.type !== this.#type) {
      throw new CdmError('TypeError', `a ${license.type} license cannot be used in a ${this.#type} session`);
    }
    const keys = new Map(this.#keys);
    for (const key of license.keys) keys.set(toHex(key.keyId), key);
    if (this.#type === 'persistent-license') {
      // Stored before the keys take effect, so a failed write leaves the session as it was.
      const storage = this.#requireStorage();
      await storage.store.put(storage.origin, this.sessionId, encodeStoredSession({ state: 'active', keys: [...keys.values()], ...(policy && { policy }) }));
    }
    if (this.#released) {
      const added = new Set(license.keys.map((k) => toHex(k.keyId)));
      this.#released = this.#released.filter((kid) => !added.has(toHex(kid)));
    }
    this.#setKeys(keys);
    return { keyStatuses: this.#statuses(), ...(warnings.length > 0 && { warnings }) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#setKeys(new Map());
    const storage = this.#owner.storage;
    if (this.#type === 'persistent-license' && storage && this.sessionId !== '') {
      openPersistentSessions.delete(storage.store, storage.origin, this.sessionId);
    }
  }

  async remove(): Promise<CdmSessionResult> {
    const keyIds = [...(this.#released ?? []), ...[...this.#keys.values()].map((k) => k.keyId)];
    if (this.#type === 'persistent-license') {
      const storage = this.#requireStorage();
      await storage.store.put(storage.origin, this.sessionId, encodeStoredSession({ state: 'released', keyIds }));
      this.#released = keyIds;
      this.#setKeys(new Map());
      return {
        keyStatuses: this.#statuses(),
        expiration: NaN,
        message: { type: 'license-release', data: licenseRelease(keyIds) },
      };
    }
    // Temporary sessions keep nothing: only the keys removed now are reported released, so a second remove()
    // empties the list (EME §Clear Key: keyStatuses become empty on remove; Chromium does the same).
    this.#released = [...this.#keys.values()].map((k) => k.keyId);
    this.#setKeys(new Map());
    return { keyStatuses: this.#statuses(), expiration: NaN };
  }

  #setKeys(keys: Map<string, LicenseKey>): void {
    this.#keys = keys;
    this.#owner.sessionHasKeys(this, keys.size > 0);
  }

  #statuses(): KeyStatusEntry[] {
    const entries: KeyStatusEntry[] = [];
    for (const key of this.#keys.values()) entries.push({ keyId: key.keyId, status: 'usable' });
    for (const keyId of this.#released ?? []) entries.push({ keyId, status: 'released' });
    return entries.sort((a, b) => compareKeyIds(a.keyId, b.keyId));
  }

  #requireStorage(): CdmStorage {
    const storage = this.#owner.storage;
    if (!storage) throw new CdmError('NotSupportedError', 'this Clear Key instance has no persistent storage');
    return storage;
  }
}

async function uniquePersistentSessionId(storage: CdmStorage): Promise<string> {
  for (;;) {
    const id = randomSessionId();
    if (openPersistentSessions.has(storage.store, storage.origin, id)) continue;
    if ((await storage.store.get(storage.origin, id)) !== undefined) continue;
    return id;
  }
}
