// SourceBufferList (MSE §4): a live, indexed list of SourceBuffers (sourceBuffers, activeSourceBuffers) that fires
// addsourcebuffer and removesourcebuffer.

import type { HostEventTarget } from '../host-window.js';
import { defineEventHandlers } from './event-handlers.js';
import type { WindowContext } from './window-context.js';

const token = Symbol('SourceBufferList');

/** The list's contents, kept beside the interface object so that only MSE code changes them. */
export interface SourceBufferListControl {
  readonly list: HostEventTarget;
  readonly items: readonly object[];
  add(item: object): void;
  remove(item: object): void;
  clear(): void;
}

export interface SourceBufferListInterface {
  readonly SourceBufferList: abstract new (...args: never[]) => HostEventTarget;
  create(): SourceBufferListControl;
}

export function defineSourceBufferList(context: WindowContext): SourceBufferListInterface {
  const itemsOf = new WeakMap<object, object[]>();
  const brand = (self: unknown, member: string): object[] => {
    const items = typeof self === 'object' && self !== null ? itemsOf.get(self) : undefined;
    if (!items) throw new TypeError(`Illegal invocation: SourceBufferList.${member} called on an object that is not a SourceBufferList`);
    return items;
  };

  class SourceBufferList extends (context.window.EventTarget as new () => HostEventTarget) {
    constructor(key?: unknown) {
      if (key !== token) throw new TypeError('Illegal constructor');
      super();
      itemsOf.set(this, []);
    }

    get length(): number {
      return brand(this, 'length').length;
    }

    *[Symbol.iterator](): IterableIterator<object> {
      yield* brand(this, '@@iterator');
    }

    get [Symbol.toStringTag](): string {
      return 'SourceBufferList';
    }
  }
  defineEventHandlers(SourceBufferList.prototype, ['addsourcebuffer', 'removesourcebuffer'], brand);

  /** The indexed getter: own index properties, redefined whenever the list changes. */
  const reindex = (list: SourceBufferList, items: object[], oldLength: number): void => {
    for (let i = items.length; i < oldLength; i++) delete (list as unknown as Record<number, unknown>)[i];
    items.forEach((item, i) => Object.defineProperty(list, i, { value: item, configurable: true, enumerable: true, writable: false }));
  };

  return {
    SourceBufferList,
    create(): SourceBufferListControl {
      const list = new SourceBufferList(token);
      const items = itemsOf.get(list)!;
      return {
        list,
        items,
        add(item) {
          if (items.includes(item)) return;
          items.push(item);
          reindex(list, items, items.length - 1);
          context.fire(list, 'addsourcebuffer');
        },
        remove(item) {
          const i = items.indexOf(item);
          if (i < 0) return;
          items.splice(i, 1);
          reindex(list, items, items.length + 1);
          context.fire(list, 'removesourcebuffer');
        },
        clear() {
          while (items.length > 0) this.remove(items.at(-1)!);
        },
      };
    },
  };
}
