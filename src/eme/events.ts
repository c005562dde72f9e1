// MediaKeyMessageEvent and MediaEncryptedEvent on Node's own Event (EME §MediaKeyMessageEvent, §MediaEncryptedEvent).

import { dictionarySource, readMember, requireArguments, toDOMString, toEnum } from '../webidl/conversions.js';
import { illegalInvocation } from '../webidl/errors.js';
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

export class MediaKeyMessageEvent extends Event {
  readonly #messageType: MediaKeyMessageTypeValue;
  readonly #message: ArrayBuffer;

  constructor(type: string, eventInitDict: MediaKeyMessageEventInit) {
    const context = "Failed to construct 'MediaKeyMessageEvent'";
    requireArguments(arguments.length, 2, context);
    const eventType = toDOMString(type, context);
    const source = dictionarySource(eventInitDict, context);
    const init = eventInitOf(source);
    // Members in lexicographic order, each read once (WebIDL dictionary conversion).
    const message = readMember(source, 'message');
    if (message === undefined) throw new TypeError(`${context}: required member message is undefined`);
    const convertedMessage = toArrayBufferMember(message, `${context}: message`);
    const messageType = readMember(source, 'messageType');
    if (messageType === undefined) throw new TypeError(`${context}: required member messageType is undefined`);
    const convertedType = toEnum(messageType, MEDIA_KEY_MESSAGE_TYPES, `${context}: messageType`);
    super(eventType, init);
    this.#messageType = convertedType;
    this.#message = convertedMessage;
  }

  get messageType(): MediaKeyMessageTypeValue {
    return MediaKeyMessageEvent.#brand(this, 'messageType').#messageType;
  }

  get message(): ArrayBuffer {
    return MediaKeyMessageEvent.#brand(this, 'message').#message;
  }

  get [Symbol.toStringTag](): string {
    return 'MediaKeyMessageEvent';
  }

  static #brand(value: unknown, member: string): MediaKeyMessageEvent {
    if (typeof value !== 'object' || value === null || !(#message in value)) throw illegalInvocation('MediaKeyMessageEvent', member);
    return value as MediaKeyMessageEvent;
  }
}

export class MediaEncryptedEvent extends Event {
  readonly #initDataType: string;
  readonly #initData: ArrayBuffer | null;

  constructor(type: string, eventInitDict?: MediaEncryptedEventInit) {
    const context = "Failed to construct 'MediaEncryptedEvent'";
    requireArguments(arguments.length, 1, context);
    const eventType = toDOMString(type, context);
    const source = dictionarySource(eventInitDict, context);
    const init = eventInitOf(source);
    const initData = readMember(source, 'initData');
    const convertedData = initData === undefined || initData === null ? null : toArrayBufferMember(initData, `${context}: initData`);
    const initDataType = readMember(source, 'initDataType');
    const convertedType = initDataType === undefined ? '' : toDOMString(initDataType, `${context}: initDataType`);
    super(eventType, init);
    this.#initDataType = convertedType;
    this.#initData = convertedData;
  }

  get initDataType(): string {
    return MediaEncryptedEvent.#brand(this, 'initDataType').#initDataType;
  }

  get initData(): ArrayBuffer | null {
    return MediaEncryptedEvent.#brand(this, 'initData').#initData;
  }

  get [Symbol.toStringTag](): string {
    return 'MediaEncryptedEvent';
  }

  static #brand(value: unknown, member: string): MediaEncryptedEvent {
    if (typeof value !== 'object' || value === null || !(#initData in value)) throw illegalInvocation('MediaEncryptedEvent', member);
    return value as MediaEncryptedEvent;
  }
}
