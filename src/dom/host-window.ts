// The parts of a host DOM's window (jsdom's, happy-dom's) that emekit/dom uses. The project compiles without the
// DOM library, so these are declared here, as loosely as the hosts differ.

export interface HostEventConstructor {
  new (type: string, init?: { bubbles?: boolean; cancelable?: boolean; composed?: boolean }): HostEvent;
  readonly prototype: HostEvent;
}

export interface HostEvent {
  readonly type: string;
  readonly target: unknown;
}

export interface HostEventTarget {
  addEventListener(type: string, listener: unknown, options?: unknown): void;
  removeEventListener(type: string, listener: unknown, options?: unknown): void;
  dispatchEvent(event: HostEvent): boolean;
}

export interface HostElement extends HostEventTarget {
  readonly ownerDocument: HostDocument;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
}

export interface HostDocument extends HostEventTarget {
  readonly baseURI: string;
  querySelectorAll(selectors: string): Iterable<HostElement>;
  createElement(name: string): HostElement;
}

/** A window: its globals are looked up by name (each host has the interfaces under their usual names). */
export interface HostWindow extends HostEventTarget {
  readonly document: HostDocument;
  readonly Event: HostEventConstructor;
  readonly EventTarget: new () => HostEventTarget;
  readonly navigator: object;
  readonly [name: string]: unknown;
}
