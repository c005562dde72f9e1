// Players size their video to the screen: shaka-player drops every variant larger than window.screen, and jsdom's
// screen is 0×0. Where the host reports no size, the window gets a 1920×1080 one (on its screen object, so the
// host's Screen interface stays as it is); happy-dom's 1024×768 is left alone.

import type { HostWindow } from './host-window.js';

const SIZE: Record<string, number> = { width: 1920, height: 1080, availWidth: 1920, availHeight: 1080, colorDepth: 24, pixelDepth: 24 };

export function giveScreenASize(window: HostWindow): void {
  const screen = window['screen'] as Record<string, unknown> | undefined;
  if (!screen || (Number(screen['width']) > 0 && Number(screen['height']) > 0)) return;
  for (const [name, value] of Object.entries(SIZE)) {
    if (!(Number(screen[name]) > 0)) Object.defineProperty(screen, name, { value, configurable: true, enumerable: true });
  }
}
