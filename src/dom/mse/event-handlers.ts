// onX event handler attributes (HTML §8.1.8.1) on an interface's prototype, through the one webidl implementation.

import { getEventHandler, setEventHandler } from '../../webidl/event-handler.js';

export function defineEventHandlers(prototype: object, types: readonly string[], brand: (self: unknown, member: string) => unknown): void {
  for (const type of types) {
    const name = `on${type}`;
    Object.defineProperty(prototype, name, {
      configurable: true,
      enumerable: true,
      get(this: unknown) {
        brand(this, name);
        return getEventHandler(this as EventTarget, type);
      },
      set(this: unknown, value: unknown) {
        brand(this, name);
        setEventHandler(this as EventTarget, type, value);
      },
    });
  }
}
