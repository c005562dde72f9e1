// HTML calls an event handler attribute (xhr.onload = function () { ... }) with the event's currentTarget as
// `this`, and players read their request through it (dash.js's XHR loader: `this.responseURL`, `this.status` in
// onload). happy-dom 21 calls them with no `this`, so dash.js fails on its first response. Where a test dispatch
// on a new request shows that, the window's XMLHttpRequest on* setters store the handler wrapped to run with its
// request as `this`; the getters still return the handler that was set. Hosts that do it right are left alone.

import type { HostEventTarget, HostWindow } from './host-window.js';

// XMLHttpRequestEventTarget's. (happy-dom has no onreadystatechange attribute: a script's is an expando it calls
// without `this`; hls.js binds its own, dash.js does not use it. Left as it is.)
const HANDLERS = ['onloadstart', 'onprogress', 'onabort', 'onerror', 'onload', 'ontimeout', 'onloadend'];

type Request = HostEventTarget & Record<string, unknown>;
type Handler = (this: unknown, event: unknown) => unknown;

export function callRequestHandlersWithTheirRequest(window: HostWindow): void {
  const Xhr = window['XMLHttpRequest'] as (new () => Request) | undefined;
  if (typeof Xhr !== 'function' || handlersSeeTheirRequest(window, Xhr)) return;
  const setHandlers = new WeakMap<Handler, Handler>();
  for (const name of HANDLERS) {
    const owner = accessorOwner(Xhr.prototype, name);
    if (!owner?.descriptor.set) continue;
    const { get, set } = owner.descriptor;
    Object.defineProperty(owner.prototype, name, {
      configurable: true,
      enumerable: owner.descriptor.enumerable ?? false,
      get(this: Request) {
        const value = get!.call(this) as unknown;
        return (typeof value === 'function' && setHandlers.get(value as Handler)) || value;
      },
      set(this: Request, value: unknown) {
        if (typeof value !== 'function') return void set!.call(this, value);
        const request = this;
        const handler = value as Handler;
        const withRequest: Handler = (event) => handler.call(request, event);
        setHandlers.set(withRequest, handler);
        set!.call(this, withRequest);
      },
    });
  }
}

/** True also where the check itself fails (a host whose requests cannot be made or dispatched to): left alone. */
function handlersSeeTheirRequest(window: HostWindow, Xhr: new () => Request): boolean {
  try {
    const request = new Xhr();
    let seen: unknown;
    request['ontimeout'] = function (this: unknown) {
      seen = this;
    };
    request.dispatchEvent(new window.Event('timeout'));
    request['ontimeout'] = null;
    return seen === request;
  } catch {
    return true;
  }
}

/** Where on the prototype chain `name` is a getter (happy-dom: XMLHttpRequestEventTarget's or XMLHttpRequest's prototype). */
export function accessorOwner(start: object, name: string): { prototype: object; descriptor: PropertyDescriptor } | undefined {
  for (let prototype: object | null = start; prototype; prototype = Object.getPrototypeOf(prototype) as object | null) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    if (descriptor) return descriptor.get ? { prototype, descriptor } : undefined;
  }
  return undefined;
}
