// XHR's `response` for responseType "arraybuffer" is an ArrayBuffer (XHR: "the response as an ArrayBuffer"), and
// players test for it: rx-player takes a DASH manifest only `instanceof ArrayBuffer` (or a string), else "DASH
// Manifest Parser: Unrecognized Manifest format". happy-dom 21 returns a Uint8Array over the body instead. The
// window's XMLHttpRequest `response` getter gives such a view's ArrayBuffer in its place (the same object on every
// read, as XHR's is). A host is only seen to be wrong once it answers, so the check is on each value: an ArrayBuffer,
// and every other response type, pass through as the host gave them (jsdom's are left as they are).

import type { HostWindow } from './host-window.js';
import { accessorOwner } from './xhr-handlers.js';

type Request = { readonly responseType: string };

const corrections = new WeakSet<() => unknown>();
const buffers = new WeakMap<ArrayBufferView, ArrayBuffer>();

export function giveArrayBufferResponses(window: HostWindow): void {
  const Xhr = window['XMLHttpRequest'] as (new () => Request) | undefined;
  const owner = typeof Xhr === 'function' ? accessorOwner(Xhr.prototype, 'response') : undefined;
  const hostGet = owner?.descriptor.get;
  if (!owner || !hostGet || corrections.has(hostGet)) return;
  const get = function (this: Request): unknown {
    const value = hostGet.call(this) as unknown;
    return this.responseType === 'arraybuffer' && ArrayBuffer.isView(value) ? bufferOf(value) : value;
  };
  corrections.add(get);
  Object.defineProperty(owner.prototype, 'response', { ...owner.descriptor, get });
}

/** The view's own buffer where it spans all of it (happy-dom's does), else a copy of its bytes; one per view. */
function bufferOf(view: ArrayBufferView): ArrayBuffer {
  let buffer = buffers.get(view);
  if (!buffer) {
    const whole = view.byteOffset === 0 && view.byteLength === view.buffer.byteLength && view.buffer instanceof ArrayBuffer;
    buffer = whole ? (view.buffer as ArrayBuffer) : new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice().buffer;
    buffers.set(view, buffer);
  }
  return buffer;
}
