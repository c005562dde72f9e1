// emekit: the W3C Encrypted Media Extensions API with a Clear Key CDM, for JavaScript runtimes without EME.

import { createEME, type EmePlatform } from './eme/platform.js';
import { installOn, type InstallResult } from './eme/install.js';
import type { MediaKeySystemConfiguration } from './eme/configuration.js';
import type { MediaKeySystemAccess } from './eme/media-key-system-access.js';

export { createEME, DEFAULT_ORIGIN, type EmeOptions, type EmePlatform } from './eme/platform.js';
export { MediaKeySystemAccess } from './eme/media-key-system-access.js';
export { MediaKeys, type MediaKeysPolicy } from './eme/media-keys.js';
export { MediaKeySession } from './eme/media-key-session.js';
export { MediaKeyStatusMap } from './eme/media-key-status-map.js';
export {
  MediaKeyMessageEvent,
  MediaEncryptedEvent,
  type MediaKeyMessageEventInit,
  type MediaEncryptedEventInit,
} from './eme/events.js';
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
): Promise<MediaKeySystemAccess> {
  return (getDefaultPlatform().requestMediaKeySystemAccess as (...args: unknown[]) => Promise<MediaKeySystemAccess>)(
    ...arguments,
  );
}

/** Adds navigator.requestMediaKeySystemAccess and the EME interfaces to a global object where they are missing. */
export function install(target: object = globalThis, platform: EmePlatform = getDefaultPlatform()): InstallResult {
  return installOn(target, platform);
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
