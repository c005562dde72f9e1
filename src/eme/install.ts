// install(globalThis): gives a runtime without EME the navigator method and interface objects, leaving any it
// already has alone.

import { MediaEncryptedEvent, MediaKeyMessageEvent } from './events.js';
import { MediaKeySession } from './media-key-session.js';
import { MediaKeyStatusMap } from './media-key-status-map.js';
import { MediaKeySystemAccess } from './media-key-system-access.js';
import { MediaKeys } from './media-keys.js';
import type { EmePlatform } from './platform.js';

const INTERFACES = {
  MediaKeySystemAccess,
  MediaKeys,
  MediaKeySession,
  MediaKeyStatusMap,
  MediaKeyMessageEvent,
  MediaEncryptedEvent,
} as const;

export interface InstallResult {
  /** Names that were added (the rest were already present). */
  readonly installed: string[];
}

export function installOn(target: object, platform: EmePlatform): InstallResult {
  const installed: string[] = [];
  const global = target as Record<string, unknown>;
  for (const [name, value] of Object.entries(INTERFACES)) {
    if (global[name] === undefined) {
      Object.defineProperty(target, name, { value, writable: true, configurable: true, enumerable: false });
      installed.push(name);
    }
  }
  let navigator = global['navigator'] as Record<string, unknown> | undefined;
  if (navigator === undefined) {
    navigator = {};
    Object.defineProperty(target, 'navigator', { value: navigator, writable: true, configurable: true, enumerable: true });
    installed.push('navigator');
  }
  if (typeof navigator['requestMediaKeySystemAccess'] !== 'function') {
    // Declared with two parameters so its length is 2, like the browser's; the real argument count is forwarded
    // so that missing arguments still reject with TypeError.
    const method = function requestMediaKeySystemAccess(_keySystem: string, _supportedConfigurations: Iterable<unknown>) {
      return (platform.requestMediaKeySystemAccess as (...args: unknown[]) => unknown)(...arguments);
    };
    Object.defineProperty(navigator, 'requestMediaKeySystemAccess', { value: method, writable: true, configurable: true });
    installed.push('navigator.requestMediaKeySystemAccess');
  }
  return { installed };
}
