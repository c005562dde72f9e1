// org.w3.clearkey: the key system every EME implementation must offer (EME §Clear Key).

import type { KeySystem } from '../cdm.js';
import { clearKeyCapabilities } from './capabilities.js';
import { ClearKeyCdm } from './cdm.js';

export const CLEAR_KEY = 'org.w3.clearkey';

export const clearKey: KeySystem = {
  keySystem: CLEAR_KEY,
  capabilities: clearKeyCapabilities,
  createCdm: (configuration, storage) => new ClearKeyCdm(configuration, storage),
};
