// The WebIDL layer: interface objects and prototypes as WebIDL's ECMAScript binding defines them, for Node's global
// and for a happy-dom window (its own realm: own Function, Event, EventTarget), and the shape check that stops an
// interface from being defined wrong.
import { inspect } from 'node:util';
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import {
  createEME,
  emeInterfaces,
  install,
  MediaEncryptedEvent,
  MediaKeyMessageEvent,
  MediaKeys,
  MediaKeySession,
  MediaKeyStatusMap,
  MediaKeySystemAccess,
  QuotaExceededError,
  requestMediaKeySystemAccess,
} from '../../src/index.js';
import { IndexedList } from '../../src/webidl/indexed.js';
import { WebIDLInterface } from '../../src/webidl/interface.js';
import { defaultRealm } from '../../src/webidl/realm.js';
import { PlatformObject } from '../../src/webidl/platform-object.js';
import { KEY_A, KID_A, keyIdsInitData, license, VIDEO_CONFIG } from '../support/eme.js';

type AnyFunction = (...args: unknown[]) => unknown;

function descriptor(object: object, key: PropertyKey): PropertyDescriptor {
  const found = Object.getOwnPropertyDescriptor(object, key);
  if (!found) throw new Error(`no own property ${String(key)}`);
  return found;
}

// [name, interface object, constructor length, operations with lengths, attributes (writable ones marked)]
const SHAPES: [string, Function, number, Record<string, number>, string[]][] = [
  ['MediaKeySystemAccess', MediaKeySystemAccess, 0, { getConfiguration: 0, createMediaKeys: 0 }, ['keySystem']],
  ['MediaKeys', MediaKeys, 0, { createSession: 0, getStatusForPolicy: 0, setServerCertificate: 1 }, []],
  [
    'MediaKeySession',
    MediaKeySession,
    0,
    { generateRequest: 2, load: 1, update: 1, close: 0, remove: 0 },
    ['sessionId', 'expiration', 'closed', 'keyStatuses', 'onkeystatuseschange=', 'onmessage='],
  ],
  ['MediaKeyStatusMap', MediaKeyStatusMap, 0, { has: 1, get: 1, entries: 0, keys: 0, values: 0, forEach: 1 }, ['size']],
  ['MediaKeyMessageEvent', MediaKeyMessageEvent, 2, {}, ['messageType', 'message']],
  ['MediaEncryptedEvent', MediaEncryptedEvent, 1, {}, ['initDataType', 'initData']],
  ['QuotaExceededError', QuotaExceededError, 0, {}, ['quota', 'requested']],
];

describe('interface objects (Node global)', () => {
  it.each(SHAPES)('%s: interface object, prototype and members as WebIDL defines them', (name, object, length, operations, attributes) => {
    expect(descriptor(object, 'name')).toEqual({ value: name, writable: false, enumerable: false, configurable: true });
    expect(descriptor(object, 'length')).toEqual({ value: length, writable: false, enumerable: false, configurable: true });
    const proto = descriptor(object, 'prototype');
    expect(proto).toMatchObject({ writable: false, enumerable: false, configurable: false });
    expect(descriptor(proto.value, 'constructor')).toEqual({ value: object, writable: true, enumerable: false, configurable: true });
    expect(descriptor(proto.value, Symbol.toStringTag)).toEqual({ value: name, writable: false, enumerable: false, configurable: true });
    for (const [operation, operationLength] of Object.entries(operations)) {
      const method = descriptor(proto.value, operation);
      expect(method).toMatchObject({ writable: true, enumerable: true, configurable: true });
      expect(method.value.name).toBe(operation);
      expect(method.value.length).toBe(operationLength);
      expect('prototype' in method.value).toBe(false);
    }
    for (const attribute of attributes) {
      const member = attribute.replace('=', '');
      const accessor = descriptor(proto.value, member);
      expect(accessor).toMatchObject({ enumerable: true, configurable: true });
      expect(accessor.get!.name).toBe(`get ${member}`);
      expect(accessor.set === undefined).toBe(!attribute.endsWith('='));
    }
  });

  it('interfaces without a constructor throw TypeError when called or constructed', () => {
    for (const object of [MediaKeySystemAccess, MediaKeys, MediaKeySession, MediaKeyStatusMap]) {
      expect(() => new (object as unknown as new () => unknown)()).toThrow(TypeError);
      expect(() => (object as unknown as AnyFunction)()).toThrow(TypeError);
    }
    expect(() => (MediaEncryptedEvent as unknown as AnyFunction)('encrypted')).toThrow(TypeError);
  });

  it('inherit from the global EventTarget, Event and DOMException, and their interface objects too', () => {
    expect(Object.getPrototypeOf(MediaKeySession.prototype)).toBe(EventTarget.prototype);
    expect(Object.getPrototypeOf(MediaKeySession)).toBe(EventTarget);
    expect(Object.getPrototypeOf(MediaKeyMessageEvent.prototype)).toBe(Event.prototype);
    expect(Object.getPrototypeOf(QuotaExceededError)).toBe(DOMException);
    expect(Object.getPrototypeOf(MediaKeys.prototype)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(MediaKeys)).toBe(Function.prototype);
  });

  it('a wrong receiver is a TypeError, or a rejected promise for promise types', async () => {
    const sessionProto = MediaKeySession.prototype as unknown as Record<string, AnyFunction>;
    expect(() => descriptor(MediaKeySession.prototype, 'sessionId').get!.call({})).toThrow(TypeError);
    await expect(descriptor(MediaKeySession.prototype, 'closed').get!.call({})).rejects.toThrow(TypeError);
    await expect(sessionProto['update']!.call({}, new Uint8Array(1))).rejects.toThrow(TypeError);
    expect(() => (MediaKeys.prototype as unknown as Record<string, AnyFunction>)['createSession']!.call({})).toThrow(TypeError);
    // A MediaKeys is not a MediaKeySession: the brand is per interface.
    const keys = await (await requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG])).createMediaKeys();
    await expect(sessionProto['close']!.call(keys)).rejects.toThrow(TypeError);
  });

  it('MediaKeyStatusMap: @@iterator is entries; its iterators see the map as it is when next() runs', async () => {
    expect(MediaKeyStatusMap.prototype[Symbol.iterator]).toBe(MediaKeyStatusMap.prototype.entries);
    const session = (await (await requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG])).createMediaKeys()).createSession();
    const iterator = session.keyStatuses.keys();
    expect(Object.prototype.toString.call(iterator)).toBe('[object MediaKeyStatusMap Iterator]');
    const iteratorProto = Object.getPrototypeOf(iterator) as object;
    expect(Object.getPrototypeOf(iteratorProto)).toBe(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
    expect(descriptor(iteratorProto, 'next')).toMatchObject({ writable: true, enumerable: true, configurable: true });
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await session.update(license([[KID_A, KEY_A]]));
    // Made while the map was empty, the iterator now yields the key the license added.
    const first = iterator.next();
    expect(first.done).toBe(false);
    expect(Buffer.from(first.value as ArrayBuffer).equals(Buffer.from(KID_A))).toBe(true);
    expect(iterator.next()).toEqual({ value: undefined, done: true });
    const seen: unknown[] = [];
    session.keyStatuses.forEach(function (this: unknown, value, key, map) {
      seen.push(value, Buffer.from(key).toString('hex'), map === session.keyStatuses, this);
    }, 'thisArg');
    expect(seen).toEqual(['usable', Buffer.from(KID_A).toString('hex'), true, 'thisArg']);
  });

  it('util.inspect shows a session as browser consoles do: its attributes and key statuses, never key material', async () => {
    const session = (await (await requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG])).createMediaKeys()).createSession();
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    await session.update(license([[KID_A, KEY_A]]));
    const shown = inspect(session, { depth: 4 });
    expect(shown).toMatch(new RegExp(`^MediaKeySession \\{\\n  sessionId: '${session.sessionId}',\\n  expiration: NaN,\\n  closed: Promise \\{ <pending> \\},`));
    expect(shown).toContain(`<${Buffer.from(KID_A).toString('hex').replace(/(..)(?!$)/g, '$1 ')}>`);
    expect(shown).toContain("=> 'usable'");
    expect(shown.replace(/[^0-9a-f]/g, '')).not.toContain(Buffer.from(KEY_A).toString('hex'));
  });

  it('BufferSource arguments refuse SharedArrayBuffer and views of one (none is [AllowShared])', async () => {
    const keys = await (await requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG])).createMediaKeys();
    const shared = new SharedArrayBuffer(16);
    for (const buffer of [shared, new Uint8Array(shared)]) {
      await expect(keys.setServerCertificate(buffer as unknown as ArrayBuffer)).rejects.toThrow(TypeError);
      expect(() => keys.createSession().keyStatuses.has(buffer as unknown as ArrayBuffer)).toThrow(TypeError);
    }
  });

  it('QuotaExceededError: a DOMException named QuotaExceededError (code 22) with quota and requested', () => {
    const plain = new QuotaExceededError('full');
    expect(plain).toBeInstanceOf(DOMException);
    expect([plain.name, plain.code, plain.message, plain.quota, plain.requested]).toEqual(['QuotaExceededError', 22, 'full', null, null]);
    const sized = new QuotaExceededError('', { quota: 10, requested: 12 });
    expect([sized.quota, sized.requested]).toEqual([10, 12]);
    expect(() => new QuotaExceededError('', { quota: -1 })).toThrow(RangeError);
    expect(() => new QuotaExceededError('', { quota: 10, requested: 5 })).toThrow(RangeError);
    expect(() => new QuotaExceededError('', { requested: Infinity })).toThrow(TypeError);
  });
});

describe('interface objects of a window (happy-dom: its own realm)', () => {
  async function sessionIn(window: Window) {
    const navigator = window.navigator as unknown as { requestMediaKeySystemAccess: typeof requestMediaKeySystemAccess };
    const access = await navigator.requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG]);
    return (await access.createMediaKeys()).createSession();
  }

  it('install(window) exposes them non-enumerable, and requestMediaKeySystemAccess on Navigator.prototype', () => {
    const window = new Window();
    const { installed } = install(window, createEME());
    expect(installed).toContain('Navigator.prototype.requestMediaKeySystemAccess');
    const global = window as unknown as Record<string, Function>;
    expect(descriptor(window, 'MediaKeySession')).toMatchObject({ writable: true, enumerable: false, configurable: true });
    expect(global['MediaKeySession']).not.toBe(MediaKeySession);
    expect(Object.getPrototypeOf(global['MediaKeys'])).toBe(global['Function']!.prototype);
    expect(Object.getPrototypeOf(global['MediaKeySession']!.prototype)).toBe(window.EventTarget.prototype);
    const method = descriptor(window.Navigator.prototype, 'requestMediaKeySystemAccess');
    expect(method).toMatchObject({ writable: true, enumerable: true, configurable: true });
    expect([method.value.name, method.value.length]).toEqual(['requestMediaKeySystemAccess', 2]);
    expect(Object.hasOwn(window.navigator, 'requestMediaKeySystemAccess')).toBe(false);
    // Installing again changes nothing; overwrite replaces.
    expect(install(window, createEME()).installed).toEqual([]);
    expect(install(window, createEME(), { overwrite: true }).installed).toContain('MediaKeys');
    window.close();
  });

  it('events are the window\'s own: a window element dispatches MediaEncryptedEvent, instanceof window.Event', () => {
    const window = new Window();
    const { MediaEncryptedEvent: WindowEncryptedEvent } = emeInterfaces(window);
    const event = new WindowEncryptedEvent('encrypted', { initDataType: 'cenc', initData: new ArrayBuffer(4) });
    expect(event).toBeInstanceOf(window.Event);
    expect(event).not.toBeInstanceOf(Event);
    const video = window.document.createElement('video');
    const received: unknown[] = [];
    video.addEventListener('encrypted', (e) => received.push(e, (e as unknown as typeof event).initDataType));
    video.dispatchEvent(event as unknown as InstanceType<typeof window.Event>);
    expect(received).toEqual([event, 'cenc']);
    expect(event.target).toBe(video);
    window.close();
  });

  it('objects made through a window\'s navigator are that window\'s, and so are the events they fire', async () => {
    const window = new Window();
    install(window, createEME());
    const global = window as unknown as Record<string, Function>;
    const session = await sessionIn(window);
    expect(session).toBeInstanceOf(global['MediaKeySession']);
    expect(session).toBeInstanceOf(window.EventTarget);
    expect(session).not.toBeInstanceOf(MediaKeySession);
    const message = new Promise<Event>((resolve) => session.addEventListener('message', resolve));
    await session.generateRequest('keyids', keyIdsInitData(KID_A));
    const event = await message;
    expect(event).toBeInstanceOf(global['MediaKeyMessageEvent']);
    expect(event).toBeInstanceOf(window.Event);
    expect(session.keyStatuses).toBeInstanceOf(global['MediaKeyStatusMap']);
    window.close();
  });
});

describe('WebIDLInterface.define', () => {
  class Thing extends PlatformObject {
    get size(): number {
      return 0;
    }
    has(): boolean {
      return false;
    }
  }

  it('refuses a shape whose members the implementation lacks, or an implementation member missing from the shape', () => {
    expect(() => WebIDLInterface.define({ name: 'Thing', implementation: Thing, attributes: [{ name: 'size' }], operations: [{ name: 'has', length: 0 }, { name: 'get', length: 1 }] })).toThrow(/get/);
    expect(() => WebIDLInterface.define({ name: 'Thing', implementation: Thing, attributes: [{ name: 'size' }] })).toThrow(/has/);
    expect(() => WebIDLInterface.define({ name: 'Thing', implementation: Thing, attributes: [{ name: 'size', writable: true }], operations: [{ name: 'has', length: 0 }] })).toThrow(/setter/);
    expect(WebIDLInterface.define({ name: 'Thing', implementation: Thing, attributes: [{ name: 'size' }], operations: [{ name: 'has', length: 0 }] }).name).toBe('Thing');
    // Static members are the implementation's static methods and getters; a subclass inherits its base's members.
    const shape = { name: 'Thing', implementation: Thing, attributes: [{ name: 'size' }], operations: [{ name: 'has', length: 0 }] };
    expect(() => WebIDLInterface.define({ ...shape, staticOperations: [{ name: 'isSupported', length: 1 }] })).toThrow(/isSupported/);
    expect(() => WebIDLInterface.define({ ...shape, staticAttributes: [{ name: 'enabled' }] })).toThrow(/enabled/);
    class Special extends Thing {
      get special(): boolean {
        return true;
      }
    }
    expect(() => WebIDLInterface.define({ ...shape, name: 'Special', implementation: Special })).toThrow(/special/);
    expect(WebIDLInterface.define({ ...shape, name: 'Special', implementation: Special, attributes: [{ name: 'size' }, { name: 'special' }] }).name).toBe('Special');
  });

  it('an indexed interface is one whose implementation extends IndexedList, which brings length', () => {
    class Items extends IndexedList<string> {}
    expect(() => WebIDLInterface.define({ name: 'Items', implementation: Items, attributes: [{ name: 'length' }] })).toThrow(/IndexedList/);
    expect(() => WebIDLInterface.define({ name: 'Thing', implementation: Thing, attributes: [{ name: 'size' }], operations: [{ name: 'has', length: 0 }], indexed: true })).toThrow(/IndexedList/);
    expect(() => WebIDLInterface.define({ name: 'Items', implementation: Items, indexed: true })).toThrow(/length/);
    const items = WebIDLInterface.define({ name: 'Items', implementation: Items, attributes: [{ name: 'length' }], indexed: true });
    const list = new Items(defaultRealm().create(items));
    expect([IndexedList.append(list, 'a'), IndexedList.append(list, 'b'), IndexedList.append(list, 'a')]).toEqual([true, true, false]);
    expect([...(list as unknown as Iterable<string>)]).toEqual(['a', 'b']);
    expect([IndexedList.remove(list, 'a'), IndexedList.remove(list, 'a')]).toEqual([true, false]);
    expect([list.length, Object.keys(list)]).toEqual([1, ['0']]);
    expect(IndexedList.clear(list)).toEqual(['b']);
    expect([list.length, Object.keys(list)]).toEqual([0, []]);
  });
});
