// emekit: the W3C Encrypted Media Extensions API with a Clear Key CDM, for JavaScript runtimes without EME.

import { createEME, type EmePlatform } from './eme/platform.js';
import { installOn, type InstallOptions, type InstallResult } from './eme/install.js';
import { emeInterfaces } from './eme/interface-objects.js';
import type { MediaKeySystemConfiguration } from './eme/configuration.js';
import type { MediaKeySystemAccess as MediaKeySystemAccessObject } from './eme/media-key-system-access.js';

export { createEME, DEFAULT_ORIGIN, type EmeOptions, type EmePlatform } from './eme/platform.js';
export type { MediaKeysPolicy } from './eme/media-keys.js';
export type { MediaKeyMessageEventInit, MediaEncryptedEventInit } from './eme/events.js';
export { emeInterfaces, type EmeInterfaceObjects } from './eme/interface-objects.js';
export type { InstallOptions, InstallResult } from './eme/install.js';

// The interface objects of Node's own global: what `instanceof` checks against outside a window.
export const {
  MediaKeySystemAccess,
  MediaKeys,
  MediaKeySession,
  MediaKeyStatusMap,
  MediaKeyMessageEvent,
  MediaEncryptedEvent,
  QuotaExceededError,
} = emeInterfaces(globalThis);
export type MediaKeySystemAccess = MediaKeySystemAccessObject;
export type MediaKeys = import('./eme/media-keys.js').MediaKeys;
export type MediaKeySession = import('./eme/media-key-session.js').MediaKeySession;
export type MediaKeyStatusMap = import('./eme/media-key-status-map.js').MediaKeyStatusMap;
export type MediaKeyMessageEvent = import('./eme/events.js').MediaKeyMessageEvent;
export type MediaEncryptedEvent = import('./eme/events.js').MediaEncryptedEvent;
export type QuotaExceededError = import('./webidl/quota-exceeded-error.js').QuotaExceededError;
export type { MediaKeySystemConfiguration, MediaKeySystemMediaCapability } from './eme/configuration.js';
export type { MediaKeySessionLike, MediaKeyMessageEventLike, MediaKeyStatusMapLike } from './eme/interfaces.js';
export type {
  MediaKeysRequirementValue as MediaKeysRequirement,
  MediaKeySessionTypeValue as MediaKeySessionType,
  MediaKeyStatusValue as MediaKeyStatus,
  MediaKeyMessageTypeValue as MediaKeyMessageType,
  MediaKeySessionClosedReasonValue as MediaKeySessionClosedReason,
} from './eme/enums.js';

// The CDM boundary, for plugging in other key systems, and the stores.
export type * from './cdm/cdm.js';
export { CdmError } from './cdm/cdm.js';
export { clearKey, CLEAR_KEY } from './cdm/clearkey/index.js';
export type { SessionStore } from './storage/session-store.js';
export { MemorySessionStore } from './storage/memory-store.js';
export { SqliteSessionStore } from './storage/sqlite-store.js';

// Init data helpers (the registry formats).
export { parsePsshBoxes, buildPsshBox, COMMON_SYSTEM_ID, type PsshBox } from './initdata/cenc.js';
export { buildKeyIdsInitData, parseKeyIdsInitData } from './initdata/keyids.js';

let defaultPlatform: EmePlatform | undefined;

/** The platform behind the bare requestMediaKeySystemAccess: Clear Key, temporary sessions, nothing stored. */
export function getDefaultPlatform(): EmePlatform {
  defaultPlatform ??= createEME();
  return defaultPlatform;
}

/** Navigator.requestMediaKeySystemAccess() on the default platform. */
export function requestMediaKeySystemAccess(
  keySystem: string,
  supportedConfigurations: Iterable<MediaKeySystemConfiguration>,
): Promise<MediaKeySystemAccessObject> {
  return (getDefaultPlatform().requestMediaKeySystemAccess as (...args: unknown[]) => Promise<MediaKeySystemAccessObject>)(
    ...arguments,
  );
}

/**
 * Exposes EME on a global (Node's globalThis, or a jsdom or happy-dom window): the interface objects and
 * QuotaExceededError where missing, and requestMediaKeySystemAccess on Navigator.prototype (or navigator), whose
 * objects then belong to that global.
 */
export function install(target: object = globalThis, platform: EmePlatform = getDefaultPlatform(), options: InstallOptions = {}): InstallResult {
  return installOn(target, platform, options);
}

// Media: decrypt Common Encryption MP4 with a MediaKeys (or raw keys), and read its protection information.
export { decryptMedia, type DecryptMediaOptions, type MediaKeysDecryptOptions } from './element/decrypt-media.js';
export { EncryptedMediaElement } from './element/media-element.js';
export {
  extractInitData,
  inspectMedia,
  MediaError,
  type DecryptReport,
  type EncounteredInitData,
  type InitData,
  type KeyLookup,
  type MediaErrorCode,
  type MediaInfo,
  type MediaInput,
  type MediaOutput,
} from './media/index.js';
