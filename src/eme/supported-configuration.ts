// The Get Supported Configuration algorithms of requestMediaKeySystemAccess() (EME §3.1.1.1–3.1.1.3).
// emekit asks for no consent and keeps no restrictions, so "Get Supported Configuration and Consent" runs once.

import type { KeySystemCapabilities } from '../cdm/cdm.js';
import type { ConvertedCapability, ConvertedConfiguration } from './configuration.js';
import type { MediaKeysRequirementValue } from './enums.js';
import { codecsOf, parseMimeType } from './mime.js';

type AudioVideoType = 'audio' | 'video';

interface Accumulated {
  label: string;
  initDataTypes: string[];
  audioCapabilities: ConvertedCapability[];
  videoCapabilities: ConvertedCapability[];
  distinctiveIdentifier: MediaKeysRequirementValue;
  persistentState: MediaKeysRequirementValue;
  sessionTypes: string[] | undefined;
}

/** Returns the accumulated configuration, or undefined for NotSupported. */
export function getSupportedConfiguration(
  implementation: KeySystemCapabilities,
  candidate: ConvertedConfiguration,
): ConvertedConfiguration | undefined {
  // 1. Let accumulated configuration be a new MediaKeySystemConfiguration dictionary.
  const accumulated: Accumulated = {
    label: candidate.label, // 2.
    initDataTypes: [],
    audioCapabilities: [],
    videoCapabilities: [],
    distinctiveIdentifier: 'optional',
    persistentState: 'optional',
    sessionTypes: undefined,
  };

  // 3. initDataTypes: keep the supported ones; none supported is NotSupported.
  if (candidate.initDataTypes.length > 0) {
    const supportedTypes = candidate.initDataTypes.filter((t) => t !== '' && implementation.supportsInitDataType(t));
    if (supportedTypes.length === 0) return undefined;
    accumulated.initDataTypes = supportedTypes;
  }

  // 4–7. Distinctive identifier requirement.
  const distinctive = candidate.distinctiveIdentifier;
  if (distinctive === 'required' && implementation.distinctiveIdentifier === 'not-supported') return undefined;
  if (distinctive === 'not-allowed' && implementation.distinctiveIdentifier === 'required') return undefined;
  accumulated.distinctiveIdentifier = distinctive;

  // 8–11. Persistent state requirement.
  const persistent = candidate.persistentState;
  if (persistent === 'required' && implementation.persistentState === 'not-supported') return undefined;
  if (persistent === 'not-allowed' && implementation.persistentState === 'required') return undefined;
  accumulated.persistentState = persistent;

  // 12–14. Session types; absent means ["temporary"].
  const sessionTypes = candidate.sessionTypes ?? ['temporary'];
  for (const sessionType of sessionTypes) {
    const persistentType = sessionType === 'persistent-license';
    if (accumulated.persistentState === 'not-allowed' && persistentType) return undefined;
    if (!implementation.supportsSessionType(sessionType, accumulated.persistentState !== 'not-allowed')) return undefined;
    if (accumulated.persistentState === 'optional' && persistentType) accumulated.persistentState = 'required';
  }
  accumulated.sessionTypes = [...sessionTypes];

  // 15. Both capability lists empty: NotSupported.
  if (candidate.videoCapabilities.length === 0 && candidate.audioCapabilities.length === 0) return undefined;

  // 16. Video capabilities.
  if (candidate.videoCapabilities.length > 0) {
    const video = getSupportedCapabilities(implementation, 'video', candidate.videoCapabilities);
    if (!video) return undefined;
    accumulated.videoCapabilities = video;
  }

  // 17. Audio capabilities.
  if (candidate.audioCapabilities.length > 0) {
    const audio = getSupportedCapabilities(implementation, 'audio', candidate.audioCapabilities);
    if (!audio) return undefined;
    accumulated.audioCapabilities = audio;
  }

  // 18. A still-optional distinctive identifier resolves to what the implementation requires.
  if (accumulated.distinctiveIdentifier === 'optional') {
    accumulated.distinctiveIdentifier = implementation.distinctiveIdentifier === 'required' ? 'required' : 'not-allowed';
  }

  // 19. Likewise persistent state.
  if (accumulated.persistentState === 'optional') {
    accumulated.persistentState = implementation.persistentState === 'required' ? 'required' : 'not-allowed';
  }

  // 20–23. The implementation supports the accumulated combination and needs no consent (no identifiers): Allowed.
  return accumulated;
}

/** Get Supported Capabilities for Audio/Video Type: the supported capabilities, exactly as given, or undefined. */
function getSupportedCapabilities(
  implementation: KeySystemCapabilities,
  audioVideoType: AudioVideoType,
  requested: readonly ConvertedCapability[],
): ConvertedCapability[] | undefined {
  const supported: ConvertedCapability[] = [];
  for (const capability of requested) {
    const { contentType, encryptionScheme, robustness } = capability;
    // 3.4. An empty content type fails the whole list.
    if (contentType === '') return undefined;
    // 3.5–3.6. Unparsable MIME types are skipped.
    const mime = parseMimeType(contentType);
    if (!mime) continue;
    // 3.8–3.10. Only "codecs" is recognised; without codecs, no container here implies a codec set.
    const unrecognised = [...mime.parameters.keys()].some((name) => name !== 'codecs');
    if (unrecognised) continue;
    const codecs = codecsOf(mime);
    if (!codecs || codecs.length === 0 || codecs.some((c) => c === '')) continue;
    // 3.11. Strictly an audio (or video) type.
    if (mime.type !== audioVideoType) continue;
    // 3.12–3.14. The key system decides on container, codecs, scheme and robustness together.
    if (
      !implementation.supportsMediaCapability({
        kind: audioVideoType,
        container: mime.essence,
        codecs,
        encryptionScheme,
        robustness,
      })
    ) {
      continue;
    }
    supported.push(capability);
  }
  // 4. Nothing supported: null.
  return supported.length > 0 ? supported : undefined;
}
