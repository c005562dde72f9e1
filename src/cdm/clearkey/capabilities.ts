// What org.w3.clearkey can decrypt for: ISO-BMFF (all Common Encryption schemes) and WebM (AES-CTR), with the
// codecs below. Codec strings are checked for RFC 6381 validity, not just their prefix, as browsers do.

import type { FeatureSupport, KeySystemCapabilities, MediaCapabilityQuery } from '../cdm.js';

const VIDEO_CODECS: Record<string, readonly RegExp[]> = {
  'video/mp4': [
    /^(avc1|avc3)\.[0-9A-Fa-f]{6}$/,
    /^(hev1|hvc1)\.[A-C]?\d{1,3}\.[0-9A-Fa-f]{1,8}\.[LH]\d{1,3}(\.[0-9A-Fa-f]{1,2}){0,6}$/,
    /^vp09\.\d{2}\.\d{2}\.\d{2}(\.\d{2}){0,5}$/,
    /^av01\.\d\.\d{2}[MH]\.\d{2}(\.\d\.\d{3}\.\d{2}\.\d{2}\.\d{2}\.\d)?$/,
  ],
  'video/webm': [/^vp8(\.0)?$/, /^vp9(\.0)?$/, /^vp09\.\d{2}\.\d{2}\.\d{2}(\.\d{2}){0,5}$/, /^av01\.\d\.\d{2}[MH]\.\d{2}$/],
};

const AUDIO_CODECS: Record<string, readonly RegExp[]> = {
  'audio/mp4': [/^mp4a\.40\.(1|2|5|29|\d{1,2})$/, /^mp4a\.(67|69|6B|6b)$/, /^opus$/, /^fLaC$/, /^flac$/, /^ec-3$/, /^ac-3$/],
  'audio/webm': [/^opus$/, /^vorbis$/],
};

// The schemes the application may name (EME §MediaKeySystemMediaCapability). Chromium accepts all three for WebM
// too, although WebM encryption is AES-CTR; the spec leaves this to the implementation, so we do the same.
const SCHEMES = new Set(['cenc', 'cbcs', 'cbcs-1-9']);

const INIT_DATA_TYPES = new Set(['cenc', 'keyids', 'webm']);

export function clearKeyCapabilities(storageAvailable: boolean): KeySystemCapabilities {
  const persistentState: FeatureSupport = storageAvailable ? 'optional' : 'not-supported';
  return {
    // Clear Key never uses identifiers (EME §Clear Key: "required" is not supported).
    distinctiveIdentifier: 'not-supported',
    persistentState,
    supportsInitDataType: (type) => INIT_DATA_TYPES.has(type),
    supportsSessionType: (type, persistentStateAllowed) =>
      type === 'temporary' || (type === 'persistent-license' && storageAvailable && persistentStateAllowed),
    supportsMediaCapability,
  };
}

function supportsMediaCapability(query: MediaCapabilityQuery): boolean {
  // Clear Key supports only the empty robustness (EME §Clear Key capabilities).
  if (query.robustness !== '') return false;
  const table = query.kind === 'video' ? VIDEO_CODECS : AUDIO_CODECS;
  const patterns = table[query.container];
  if (!patterns) return false;
  if (!query.codecs.every((codec) => patterns.some((pattern) => pattern.test(codec)))) return false;
  if (query.encryptionScheme === null) return true;
  return SCHEMES.has(query.encryptionScheme);
}
