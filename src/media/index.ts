// Public entry of the media layer: decrypt, inspect and init-data extraction for Common Encryption MP4.
// Folders by job, imports pointing down only: boxes/ (ISO-BMFF reading: boxes, movie, fragments, sample tables,
// protection and auxiliary info) ← cenc/ (ciphers per scheme, key lookup, the NAL check), io/ (sources, sinks,
// slabs, samples in file order), write/ (rewritten boxes). The pipelines (decrypt, inspect, samples) sit here.
export { decryptMedia } from './decrypt.js';
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
