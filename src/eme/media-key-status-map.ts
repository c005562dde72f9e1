// MediaKeyStatusMap: a read-only, atomically replaced map of key IDs to statuses (EME §MediaKeyStatusMap).

import { viewOfBufferSource } from '../webidl/buffer-source.js';
import { requireArguments } from '../webidl/conversions.js';
import { illegalInvocation } from '../webidl/errors.js';
import { compareKeyIds, toHex } from '../util/bytes.js';
import type { BufferSourceInput } from './buffer-types.js';
import type { MediaKeyStatusValue } from './enums.js';
import { INTERNAL, illegalConstructor } from './internal.js';

export interface KeyStatusPair {
  readonly keyId: Uint8Array;
  readonly status: MediaKeyStatusValue;
}

interface Entry {
  readonly keyId: Uint8Array;
  readonly status: MediaKeyStatusValue;
}

/** Replaces the map's contents in one step (the Update Key Statuses algorithm); not part of the public API. */
export let replaceKeyStatuses: (map: MediaKeyStatusMap, pairs: readonly KeyStatusPair[]) => void;

export class MediaKeyStatusMap {
  /** Sorted by key ID, in the order the spec defines for iteration. */
  #entries: readonly Entry[] = [];
  #byHex: ReadonlyMap<string, MediaKeyStatusValue> = new Map();

  static {
    replaceKeyStatuses = (map, pairs) => {
      const entries = pairs
        .map((p) => ({ keyId: p.keyId.slice(), status: p.status }))
        .sort((a, b) => compareKeyIds(a.keyId, b.keyId));
      map.#entries = entries;
      map.#byHex = new Map(entries.map((e) => [toHex(e.keyId), e.status]));
    };
  }

  constructor(token?: typeof INTERNAL) {
    if (token !== INTERNAL) throw illegalConstructor('MediaKeyStatusMap');
  }

  get size(): number {
    return MediaKeyStatusMap.#brand(this, 'size').#entries.length;
  }

  has(keyId: BufferSourceInput): boolean {
    const map = MediaKeyStatusMap.#brand(this, 'has');
    requireArguments(arguments.length, 1, "Failed to execute 'has' on 'MediaKeyStatusMap'");
    return map.#byHex.has(toHex(viewOfBufferSource(keyId, 'MediaKeyStatusMap.has: keyId')));
  }

  get(keyId: BufferSourceInput): MediaKeyStatusValue | undefined {
    const map = MediaKeyStatusMap.#brand(this, 'get');
    requireArguments(arguments.length, 1, "Failed to execute 'get' on 'MediaKeyStatusMap'");
    return map.#byHex.get(toHex(viewOfBufferSource(keyId, 'MediaKeyStatusMap.get: keyId')));
  }

  forEach(callbackfn: (value: MediaKeyStatusValue, key: ArrayBuffer, parent: MediaKeyStatusMap) => void, thisArg?: unknown): void {
    const map = MediaKeyStatusMap.#brand(this, 'forEach');
    if (typeof callbackfn !== 'function') {
      throw new TypeError("Failed to execute 'forEach' on 'MediaKeyStatusMap': the callback provided is not a function");
    }
    for (const [key, value] of map.#snapshot()) callbackfn.call(thisArg, value, key, map);
  }

  entries(): ArrayIterator<[ArrayBuffer, MediaKeyStatusValue]> {
    return MediaKeyStatusMap.#brand(this, 'entries').#snapshot()[Symbol.iterator]();
  }

  keys(): ArrayIterator<ArrayBuffer> {
    return MediaKeyStatusMap.#brand(this, 'keys').#snapshot().map(([key]) => key)[Symbol.iterator]();
  }

  values(): ArrayIterator<MediaKeyStatusValue> {
    return MediaKeyStatusMap.#brand(this, 'values').#snapshot().map(([, value]) => value)[Symbol.iterator]();
  }

  [Symbol.iterator](): ArrayIterator<[ArrayBuffer, MediaKeyStatusValue]> {
    return MediaKeyStatusMap.#brand(this, '@@iterator').#snapshot()[Symbol.iterator]();
  }

  get [Symbol.toStringTag](): string {
    return 'MediaKeyStatusMap';
  }

  /** Iteration works on a snapshot with fresh ArrayBuffers, so callers can neither see nor cause partial updates. */
  #snapshot(): [ArrayBuffer, MediaKeyStatusValue][] {
    return this.#entries.map((e) => [e.keyId.slice().buffer as ArrayBuffer, e.status]);
  }

  static #brand(value: unknown, member: string): MediaKeyStatusMap {
    if (typeof value !== 'object' || value === null || !(#entries in value)) {
      throw illegalInvocation('MediaKeyStatusMap', member);
    }
    return value as MediaKeyStatusMap;
  }
}
