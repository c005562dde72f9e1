// An interface with an indexed property getter and an integer `length` (SourceBufferList, the track lists,
// TextTrackCueList): a legacy platform object whose supported property indices WebIDL §3.9 reports as own data
// properties { enumerable, configurable, not writable }. They are kept as such properties, redefined whenever the
// list changes, so the items live once, in IndexedList, and change only through its static functions: statics,
// because the implementation's prototype chain may hold nothing but IDL members (WebIDLInterface.define checks),
// and a private field, because any other field would be an own property script sees beside the indices.

import { PlatformObject } from './platform-object.js';

export abstract class IndexedList<T> extends PlatformObject {
  readonly #items: T[] = [];

  get length(): number {
    return this.#items.length;
  }

  /** The items as they are now: for the subclass's operations (getTrackById …) and for the list's owner. */
  static itemsOf<T>(list: IndexedList<T>): readonly T[] {
    return list.#items;
  }

  /** Appends item unless the list has it already; returns whether it did. */
  static append<T>(list: IndexedList<T>, item: T): boolean {
    if (list.#items.includes(item)) return false;
    list.#items.push(item);
    defineIndex(list, list.#items.length - 1, item);
    return true;
  }

  /** Puts item at index (the items from there move up one) unless the list has it already; returns whether it did. */
  static insert<T>(list: IndexedList<T>, index: number, item: T): boolean {
    if (list.#items.includes(item)) return false;
    list.#items.splice(index, 0, item);
    for (let j = index; j < list.#items.length; j++) defineIndex(list, j, list.#items[j]);
    return true;
  }

  /** Removes item if the list has it; returns whether it did. */
  static remove<T>(list: IndexedList<T>, item: T): boolean {
    const i = list.#items.indexOf(item);
    if (i < 0) return false;
    list.#items.splice(i, 1);
    // The items after it move down one index, and the last index is no longer supported.
    for (let j = i; j < list.#items.length; j++) defineIndex(list, j, list.#items[j]);
    delete (list as unknown as Record<number, unknown>)[list.#items.length];
    return true;
  }

  /** Empties the list; returns what it held, in order. */
  static clear<T>(list: IndexedList<T>): T[] {
    const removed = list.#items.splice(0);
    for (let i = 0; i < removed.length; i++) delete (list as unknown as Record<number, unknown>)[i];
    return removed;
  }
}

function defineIndex(list: object, index: number, value: unknown): void {
  Object.defineProperty(list, index, { value, writable: false, enumerable: true, configurable: true });
}
