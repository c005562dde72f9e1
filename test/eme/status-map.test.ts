// MediaKeyStatusMap (EME §6.5): lookups by any BufferSource, iteration order and snapshots.
import { describe, expect, it } from 'vitest';
import { MediaKeyStatusMap, requestMediaKeySystemAccess } from '../../src/index.js';
import { license, keyIdsInitData, VIDEO_CONFIG, KEY_A } from '../support/eme.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
// Chosen to exercise the spec's order: a prefix sorts before the longer ID, and bytes compare unsigned.
const IDS = [hex('ff00000000000000000000000000aa01'), hex('0102'), hex('01'), hex('80'), hex('0102030405060708090a0b0c0d0e0f10')];

async function sessionWithKeys() {
  const access = await requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG]);
  const session = (await access.createMediaKeys()).createSession();
  await session.generateRequest('keyids', keyIdsInitData(IDS[0]!));
  await session.update(license(IDS.map((id) => [id, KEY_A] as [Uint8Array, Uint8Array])));
  return session;
}

describe('MediaKeyStatusMap', () => {
  it('has no public constructor', () => {
    expect(() => new (MediaKeyStatusMap as unknown as new () => unknown)()).toThrow(TypeError);
  });

  it('iterates in the spec key ID order with fresh ArrayBuffer keys', async () => {
    const map = (await sessionWithKeys()).keyStatuses;
    expect(map.size).toBe(5);
    const keys = [...map.keys()].map((k) => Buffer.from(k as ArrayBuffer).toString('hex'));
    expect(keys).toEqual(['01', '0102', '0102030405060708090a0b0c0d0e0f10', '80', 'ff00000000000000000000000000aa01']);
    expect([...map.values()]).toEqual(['usable', 'usable', 'usable', 'usable', 'usable']);
    expect([...map.entries()].map(([k, v]) => [Buffer.from(k as ArrayBuffer).toString('hex'), v])).toEqual(keys.map((k) => [k, 'usable']));
    expect([...map].length).toBe(5);
    for (const key of map.keys()) expect(key).toBeInstanceOf(ArrayBuffer);
    // Mutating a returned key does not change the map.
    const first = [...map.keys()][0] as ArrayBuffer;
    new Uint8Array(first)[0] = 0x99;
    expect(map.has(hex('01'))).toBe(true);
    expect(map.has(hex('99'))).toBe(false);
  });

  it('has/get accept ArrayBuffer and every view type, honouring view offsets', async () => {
    const map = (await sessionWithKeys()).keyStatuses;
    const id = IDS[4]!; // 16 bytes
    const padded = new Uint8Array(32);
    padded.set(id, 8);
    const forms: unknown[] = [
      id.buffer.slice(id.byteOffset, id.byteOffset + 16),
      id,
      padded.subarray(8, 24),
      new DataView(padded.buffer, 8, 16),
      new Uint16Array(padded.buffer, 8, 8),
      new Int32Array(padded.buffer, 8, 4),
      new Float64Array(padded.buffer, 8, 2),
      new BigUint64Array(padded.buffer, 8, 2),
      new Uint8ClampedArray(padded.buffer, 8, 16),
      Buffer.from(id),
    ];
    for (const form of forms) {
      expect(map.has(form as never)).toBe(true);
      expect(map.get(form as never)).toBe('usable');
    }
    expect(map.has(padded.subarray(7, 23))).toBe(false);
    expect(map.get(new Uint8Array(16))).toBeUndefined();
  });

  it('TypeError for missing or non-BufferSource arguments, and for calls on other objects', async () => {
    const map = (await sessionWithKeys()).keyStatuses;
    expect(() => (map.has as () => boolean)()).toThrow(TypeError);
    expect(() => map.get('01' as never)).toThrow(TypeError);
    expect(() => map.has([1] as never)).toThrow(TypeError);
    expect(() => map.forEach(null as never)).toThrow(TypeError);
    expect(() => MediaKeyStatusMap.prototype.has.call({}, new Uint8Array(1))).toThrow(TypeError);
    expect(() => Object.getOwnPropertyDescriptor(MediaKeyStatusMap.prototype, 'size')!.get!.call({})).toThrow(TypeError);
  });

  it('forEach passes (value, key, map) with thisArg', async () => {
    const map = (await sessionWithKeys()).keyStatuses;
    const seen: string[] = [];
    const self = { tag: 'this' };
    map.forEach(function (this: unknown, value, key, parent) {
      expect(this).toBe(self);
      expect(parent).toBe(map);
      seen.push(`${Buffer.from(key as ArrayBuffer).toString('hex')}=${value}`);
    }, self);
    expect(seen[0]).toBe('01=usable');
    expect(seen).toHaveLength(5);
  });

  it('is the same object for the life of the session, replaced atomically', async () => {
    const session = await sessionWithKeys();
    const map = session.keyStatuses;
    await session.remove();
    expect(session.keyStatuses).toBe(map);
    expect([...map.values()]).toEqual(['released', 'released', 'released', 'released', 'released']);
    await session.close();
    expect(map.size).toBe(0);
  });
});
