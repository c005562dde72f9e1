// MediaKeyMessageEvent and MediaEncryptedEvent (EME §MediaKeyMessageEvent, §MediaEncryptedEvent): each realm's own
// subclass of its global's Event, so that a window's dispatchEvent takes them and `instanceof window.Event` holds.

import { dictionarySource, readMember, requireArguments, toDOMString, toEnum } from '../webidl/conversions.js';
import { WebIDLInterface, type ConstructorShape } from '../webidl/interface.js';
import { PlatformObject } from '../webidl/platform-object.js';
import type { Realm } from '../webidl/realm.js';
import { MEDIA_KEY_MESSAGE_TYPES, type MediaKeyMessageTypeValue } from './enums.js';

/** The DOM's EventInit (not among Node's global types). */
export interface EventInitLike {
  bubbles?: boolean;
  cancelable?: boolean;
  composed?: boolean;
}

export interface MediaKeyMessageEventInit extends EventInitLike {
  messageType: MediaKeyMessageTypeValue;
  message: ArrayBuffer;
}

export interface MediaEncryptedEventInit extends EventInitLike {
  initDataType?: string;
  initData?: ArrayBuffer | null;
}

function toArrayBufferMember(value: unknown, context: string): ArrayBuffer {
  if (!(value instanceof ArrayBuffer) && Object.prototype.toString.call(value) !== '[object ArrayBuffer]') {
    throw new TypeError(`${context}: value is not an ArrayBuffer`);
  }
  return value as ArrayBuffer;
}

function eventInitOf(source: Record<string, unknown> | undefined): EventInitLike {
  return {
    bubbles: Boolean(readMember(source, 'bubbles')),
    cancelable: Boolean(readMember(source, 'cancelable')),
    composed: Boolean(readMember(source, 'composed')),
  };
}

/**
 * An event interface's constructor: (DOMString type, its EventInit dictionary), the dictionary's EventInit members
 * going to the realm's Event and the interface's own converted by `members` (each read once, in order).
 */
function eventConstructor<Impl extends object, Members>(
  name: string,
  length: number,
  iface: () => WebIDLInterface<Impl>,
  members: (source: Record<string, unknown> | undefined, context: string) => Members,
  make: (object: object, members: Members) => Impl,
): ConstructorShape {
  return {
    length,
    construct(realm, args, newTarget) {
      const context = `Failed to construct '${name}'`;
      requireArguments(args.length, length, context);
      const eventType = toDOMString(args[0], context);
      const source = dictionarySource(args[1], context);
      const init = eventInitOf(source);
      const converted = members(source, context);
      return make(realm.constructInherited(iface(), [eventType, init], newTarget), converted);
    },
  };
}

export interface MediaKeyMessageEvent extends Event {}
export class MediaKeyMessageEvent extends PlatformObject {
  readonly #messageType: MediaKeyMessageTypeValue;
  readonly #message: ArrayBuffer;

  constructor(object: object, messageType: MediaKeyMessageTypeValue, message: ArrayBuffer) {
    super(object);
    this.#messageType = messageType;
    this.#message = message;
  }

  get messageType(): MediaKeyMessageTypeValue {
    return this.#messageType;
  }

  get message(): ArrayBuffer {
    return this.#message;
  }
}

export const MediaKeyMessageEventInterface: WebIDLInterface<MediaKeyMessageEvent> = WebIDLInterface.define({
  name: 'MediaKeyMessageEvent',
  inherits: 'Event',
  implementation: MediaKeyMessageEvent,
  attributes: [{ name: 'messageType' }, { name: 'message' }],
  construct: eventConstructor(
    'MediaKeyMessageEvent',
    2,
    () => MediaKeyMessageEventInterface,
    (source, context) => {
      // Members in lexicographic order, each read once (WebIDL dictionary conversion).
      const message = readMember(source, 'message');
      if (message === undefined) throw new TypeError(`${context}: required member message is undefined`);
      const convertedMessage = toArrayBufferMember(message, `${context}: message`);
      const messageType = readMember(source, 'messageType');
      if (messageType === undefined) throw new TypeError(`${context}: required member messageType is undefined`);
      return { message: convertedMessage, messageType: toEnum(messageType, MEDIA_KEY_MESSAGE_TYPES, `${context}: messageType`) };
    },
    (object, { messageType, message }) => new MediaKeyMessageEvent(object, messageType, message),
  ),
});

export interface MediaEncryptedEvent extends Event {}
export class MediaEncryptedEvent extends PlatformObject {
  readonly #initDataType: string;
  readonly #initData: ArrayBuffer | null;

  constructor(object: object, initDataType: string, initData: ArrayBuffer | null) {
    super(object);
    this.#initDataType = initDataType;
    this.#initData = initData;
  }

  get initDataType(): string {
    return this.#initDataType;
  }

  get initData(): ArrayBuffer | null {
    return this.#initData;
  }
}

export const MediaEncryptedEventInterface: WebIDLInterface<MediaEncryptedEvent> = WebIDLInterface.define({
  name: 'MediaEncryptedEvent',
  inherits: 'Event',
  implementation: MediaEncryptedEvent,
  attributes: [{ name: 'initDataType' }, { name: 'initData' }],
  construct: eventConstructor(
    'MediaEncryptedEvent',
    1,
    () => MediaEncryptedEventInterface,
    (source, context) => {
      const initData = readMember(source, 'initData');
      const data = initData === undefined || initData === null ? null : toArrayBufferMember(initData, `${context}: initData`);
      const initDataType = readMember(source, 'initDataType');
      return { data, type: initDataType === undefined ? '' : toDOMString(initDataType, `${context}: initDataType`) };
    },
    (object, { type, data }) => new MediaEncryptedEvent(object, type, data),
  ),
});

/** The "message" event a session fires (Queue a "message" Event), made in the session's realm. */
export function messageEvent(realm: Realm, messageType: MediaKeyMessageTypeValue, message: ArrayBuffer): MediaKeyMessageEvent {
  const object = realm.constructInherited(MediaKeyMessageEventInterface, ['message', {}], realm.interfaceObject(MediaKeyMessageEventInterface));
  return new MediaKeyMessageEvent(object, messageType, message);
}

/** The "encrypted" event a media element fires (Initialization Data Encountered), made in the element's realm. */
export function encryptedEvent(realm: Realm, initDataType: string, initData: ArrayBuffer | null): MediaEncryptedEvent {
  const object = realm.constructInherited(MediaEncryptedEventInterface, ['encrypted', {}], realm.interfaceObject(MediaEncryptedEventInterface));
  return new MediaEncryptedEvent(object, initDataType, initData);
}

/** A plain event (keystatuseschange, waitingforkey) of the realm's own Event interface. */
export function simpleEvent(realm: Realm, type: string): Event {
  return new (realm.host('Event') as typeof Event)(type);
}
