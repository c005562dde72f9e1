// The user agent's "validated and sanitized version of init data" step of generateRequest(), for the registered
// init data types. Key-system independent: which SystemIDs a CDM understands is the CDM's business.

import { InvalidInitDataError } from './errors.js';
import { MAX_INIT_DATA_BYTES } from './limits.js';
import { parsePsshBoxes } from './cenc.js';
import { buildKeyIdsInitData, parseKeyIdsInitData } from './keyids.js';
import { parseWebmInitData } from './webm.js';
import { concatBytes } from '../util/bytes.js';

export const REGISTERED_INIT_DATA_TYPES = ['cenc', 'keyids', 'webm'] as const;

/**
 * Returns the sanitized init data: well-formed, unknown fields stripped, entries in their original order.
 * An empty result means nothing usable was left (NotSupportedError); malformed input throws InvalidInitDataError.
 */
export function sanitizeInitData(initDataType: string, initData: Uint8Array): Uint8Array {
  if (initData.length > MAX_INIT_DATA_BYTES) {
    throw new InvalidInitDataError(`init data is larger than ${MAX_INIT_DATA_BYTES} bytes`);
  }
  switch (initDataType) {
    case 'cenc':
      return concatBytes(parsePsshBoxes(initData).map((box) => box.box));
    case 'keyids':
      // An empty "kids" list is still valid init data: Chromium sends a request for no keys, and so do we.
      return buildKeyIdsInitData(parseKeyIdsInitData(initData));
    case 'webm':
      return parseWebmInitData(initData);
    default:
      throw new InvalidInitDataError(`unknown init data type '${initDataType}'`);
  }
}
