// MediaKeyStatusMap: a read-only, atomically replaced map of key IDs to statuses (EME §MediaKeyStatusMap).

import { viewOfBufferSource } from '../webidl/buffer-source.js';
import { requireArguments } from '../webidl/conversions.js';
import { WebIDLInterface } from '../webidl/interface.js';
import { PlatformObject } from '../webidl/platform-object.js';
import type { Realm } from '../webidl/realm.js';
import { compareKeyIds, toHex } from '../util/bytes.js';
import type { BufferSourceInput } from './buffer-types.js';
import type { MediaKeyStatusValue } from './enums.js';

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
let valuePairs: (map: MediaKeyStatusMap) => [ArrayBuffer, MediaKeyStatusValue][];

type MapIterator<T> = IteratorObject<T, BuiltinIteratorReturn, unknown>;

/** The members iterable<BufferSource, MediaKeyStatus> adds (built by the WebIDL layer). */
export interface MediaKeyStatusMap {
  [Symbol.iterator](): MapIterator<[ArrayBuffer, MediaKeyStatusValue]>;
  entries(): MapIterator<[ArrayBuffer, MediaKeyStatusValue]>;
  keys(): MapIterator<ArrayBuffer>;
  values(): MapIterator<MediaKeyStatusValue>;
  forEach(callbackfn: (value: MediaKeyStatusValue, key: ArrayBuffer, parent: MediaKeyStatusMap) => void, thisArg?: unknown): void;
}
export class MediaKeyStatusMap extends PlatformObject {
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
    // Fresh ArrayBuffers each time, so callers can neither see nor cause partial updates.
    valuePairs = (map) => map.#entries.map((e) => [e.keyId.slice().buffer as ArrayBuffer, e.status]);
  }

  constructor(realm: Realm) {
    super(realm.create(MediaKeyStatusMapInterface));
  }

  get size(): number {
    return this.#entries.length;
  }

  has(keyId: BufferSourceInput): boolean {
    requireArguments(arguments.length, 1, "Failed to execute 'has' on 'MediaKeyStatusMap'");
    return this.#byHex.has(toHex(viewOfBufferSource(keyId, "Failed to execute 'has' on 'MediaKeyStatusMap': keyId")));
  }

  get(keyId: BufferSourceInput): MediaKeyStatusValue | undefined {
    requireArguments(arguments.length, 1, "Failed to execute 'get' on 'MediaKeyStatusMap'");
    return this.#byHex.get(toHex(viewOfBufferSource(keyId, "Failed to execute 'get' on 'MediaKeyStatusMap': keyId")));
  }
}

export const MediaKeyStatusMapInterface: WebIDLInterface<MediaKeyStatusMap> = WebIDLInterface.define({
  name: 'MediaKeyStatusMap',
  implementation: MediaKeyStatusMap,
  attributes: [{ name: 'size' }],
  operations: [
    { name: 'has', length: 1 },
    { name: 'get', length: 1 },
  ],
  iterable: { pairs: (map) => valuePairs(map) },
});
