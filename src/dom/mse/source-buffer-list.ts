// SourceBufferList (MSE §4): a live, indexed list of SourceBuffers (sourceBuffers, activeSourceBuffers) that fires
// addsourcebuffer and removesourcebuffer. Its interface object is webidl's, per window.

import type { HostEventTarget } from '../host-window.js';
import { IndexedList } from '../../webidl/indexed.js';
import { WebIDLInterface } from '../../webidl/interface.js';
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
export class SourceBufferList extends IndexedList<object> {}

export const SourceBufferListInterface: WebIDLInterface<SourceBufferList> = WebIDLInterface.define({
  name: 'SourceBufferList',
  inherits: 'EventTarget',
  implementation: SourceBufferList,
  attributes: [{ name: 'length' }],
  eventHandlers: ['addsourcebuffer', 'removesourcebuffer'],
  indexed: true,
});

export function createSourceBufferList(context: WindowContext): SourceBufferListControl {
  const list = new SourceBufferList(context.realm.create(SourceBufferListInterface));
  return {
    list,
    get items() {
      return IndexedList.itemsOf(list);
    },
    add(item) {
      if (IndexedList.append(list, item)) context.fire(list, 'addsourcebuffer');
    },
    remove(item) {
      if (IndexedList.remove(list, item)) context.fire(list, 'removesourcebuffer');
    },
    clear() {
      while (list.length > 0) this.remove(IndexedList.itemsOf(list).at(-1)!);
    },
  };
}
