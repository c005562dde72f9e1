// Public entry of the media layer: decrypt, inspect and init-data extraction for Common Encryption MP4.
export { decryptMedia } from './decrypt.js';
export type { DecryptOptions, DecryptReport, EncounteredInitData, TrackReport } from './decrypt.js';
export { MediaError } from './errors.js';
export type { MediaErrorCode } from './errors.js';
export type { KeyLookup, MissingKeyAction, MissingKeyHandler, MissingKeyInfo } from './keys.js';
export type { MediaInput, MediaOutput } from './io.js';
export type { Scheme } from './protection.js';
export { listSamples, trackSamples } from './samples.js';
export type { SampleRef } from './samples.js';
export { extractInitData, inspectMedia, readProtection } from './inspect.js';
export type { InitData, InspectOptions, MediaInfo, PsshSummary, TrackProtection } from './inspect.js';
export { enableArrayBufferTransfer } from './crypto-output.js';
