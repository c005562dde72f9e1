// Things made once per host window (its event classes, its track list classes), cached on the window object.

import type { HostWindow } from './host-window.js';

export function perWindow<T>(make: (window: HostWindow) => T): (window: HostWindow) => T {
  const made = new WeakMap<object, T>();
  return (window) => {
    let value = made.get(window);
    if (value === undefined) {
      value = make(window);
      made.set(window, value);
    }
    return value;
  };
}
