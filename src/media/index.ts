// Public entry of the media layer: decrypt, encrypt, inspect and init-data extraction for Common Encryption MP4.
// Folders by job, imports pointing down only: boxes/ (ISO-BMFF reading: boxes, movie, fragments, sample tables,
// protection and auxiliary info) ← cenc/ (ciphers per scheme, key lookup, the NAL check), io/ (sources, sinks,
// slabs, samples in file order), write/ (rewritten boxes) ← protect/ (encryption: timeline, track protector, writers)
// ← package/ (presentations and their manifests). The decrypt, inspect and samples pipelines sit here.
export { decryptMedia } from './decrypt.js';
export { encryptMedia } from './protect/encrypt.js';
export type { EncryptOptions, EncryptReport, EncryptTrackReport, KeyRotation } from './protect/encrypt.js';
export { packageMedia, packagePresentation } from './package/package.js';
export type { PackageOptions, PackageReport } from './package/package.js';
export type { Presentation, Representation, SegmentInfo } from './package/manifest/presentation.js';
export { protectInPlace } from './protect/protect-in-place.js';
export type { InPlaceOptions } from './protect/protect-in-place.js';
export type { ContentKey, IvOptions, ProtectOptions } from './protect/encrypt-options.js';
export { COMMON_SYSTEM_ID, psshBox } from './write/protection.js';
export type { DecryptOptions, DecryptReport, EncounteredInitData, TrackReport } from './decrypt.js';
export { MediaError } from './errors.js';
export type { MediaErrorCode } from './errors.js';
export type { KeyLookup, MissingKeyAction, MissingKeyHandler, MissingKeyInfo } from './cenc/keys.js';
export type { MediaInput, MediaOutput } from './io/io.js';
export type { Scheme } from './boxes/protection.js';
export { listSamples, trackSamples } from './samples.js';
export type { SampleRef } from './samples.js';
export { extractInitData, inspectMedia, readProtection } from './inspect.js';
export type { InitData, InspectOptions, MediaInfo, PsshSummary, TrackProtection } from './inspect.js';
export { enableArrayBufferTransfer } from './cenc/crypto-output.js';
