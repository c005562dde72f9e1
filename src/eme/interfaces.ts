// Structural views of the EME interfaces, used where a type names "this session" or "this event" (event handler
// attributes). Classes with private state are nominal in TypeScript; these interfaces keep handler types open to
// lib.dom's own objects, so emekit's objects stay assignable to the DOM's types.

import type { BufferSourceInput, BufferSourceOutput } from './buffer-types.js';
import type { MediaKeyMessageTypeValue, MediaKeySessionClosedReasonValue, MediaKeyStatusValue } from './enums.js';

export interface MediaKeyStatusMapLike {
  readonly size: number;
  has(keyId: BufferSourceInput): boolean;
  get(keyId: BufferSourceInput): MediaKeyStatusValue | undefined;
  forEach(callbackfn: (value: MediaKeyStatusValue, key: BufferSourceOutput, parent: MediaKeyStatusMapLike) => void, thisArg?: any): void;
  entries(): IteratorObject<[BufferSourceOutput, MediaKeyStatusValue], BuiltinIteratorReturn, unknown>;
  keys(): IteratorObject<BufferSourceOutput, BuiltinIteratorReturn, unknown>;
  values(): IteratorObject<MediaKeyStatusValue, BuiltinIteratorReturn, unknown>;
  [Symbol.iterator](): IteratorObject<[BufferSourceOutput, MediaKeyStatusValue], BuiltinIteratorReturn, unknown>;
}

export interface MediaKeyMessageEventLike extends Event {
  readonly messageType: MediaKeyMessageTypeValue;
  readonly message: ArrayBuffer;
}

export interface MediaKeySessionLike extends EventTarget {
  readonly sessionId: string;
  readonly expiration: number;
  readonly closed: Promise<MediaKeySessionClosedReasonValue>;
  readonly keyStatuses: MediaKeyStatusMapLike;
  onkeystatuseschange: ((this: MediaKeySessionLike, ev: Event) => any) | null;
  onmessage: ((this: MediaKeySessionLike, ev: MediaKeyMessageEventLike) => any) | null;
  generateRequest(initDataType: string, initData: BufferSourceInput): Promise<void>;
  load(sessionId: string): Promise<boolean>;
  update(response: BufferSourceInput): Promise<void>;
  close(): Promise<void>;
  remove(): Promise<void>;
}
