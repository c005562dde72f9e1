// SourceBufferList (MSE §4): a live, indexed list of SourceBuffers (sourceBuffers, activeSourceBuffers) that fires
// addsourcebuffer and removesourcebuffer. Its interface object is webidl's, per window.

import type { HostEventTarget } from '../host-window.js';
import { setIndexedProperties } from '../../webidl/indexed.js';
import { WebIDLInterface } from '../../webidl/interface.js';
import { PlatformObject } from '../../webidl/platform-object.js';
import type { WindowContext } from './window-context.js';

/** The list's contents, kept beside the list object so that only MSE code changes them. */
export interface SourceBufferListControl {
  readonly list: HostEventTarget;
  readonly items: readonly object[];
  add(item: object): void;
  remove(item: object): void;
  clear(): void;
}

export interface SourceBufferList extends HostEventTarget {}
export class SourceBufferList extends PlatformObject {
  readonly #items: readonly object[];

  constructor(object: object, items: readonly object[]) {
    super(object);
    this.#items = items;
  }

  get length(): number {
    return this.#items.length;
  }
}

export const SourceBufferListInterface: WebIDLInterface<SourceBufferList> = WebIDLInterface.define({
  name: 'SourceBufferList',
  inherits: 'EventTarget',
  implementation: SourceBufferList,
  attributes: [{ name: 'length' }],
  eventHandlers: ['addsourcebuffer', 'removesourcebuffer'],
  indexed: true,
});

export function createSourceBufferList(context: WindowContext): SourceBufferListControl {
  const items: object[] = [];
  const list = new SourceBufferList(context.realm.create(SourceBufferListInterface), items);
  return {
    list,
    items,
    add(item) {
      if (items.includes(item)) return;
      items.push(item);
      setIndexedProperties(list, items, items.length - 1);
      context.fire(list, 'addsourcebuffer');
    },
    remove(item) {
      const i = items.indexOf(item);
      if (i < 0) return;
      items.splice(i, 1);
      setIndexedProperties(list, items, items.length + 1);
      context.fire(list, 'removesourcebuffer');
    },
    clear() {
      while (items.length > 0) this.remove(items.at(-1)!);
    },
  };
}
