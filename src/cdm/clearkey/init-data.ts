// Key IDs from sanitized init data, the way Clear Key reads each registered type.

import { CdmError } from '../cdm.js';
import { isCommonSystemId, parsePsshBoxes } from '../../initdata/cenc.js';
import { parseKeyIdsInitData } from '../../initdata/keyids.js';
import { parseWebmInitData } from '../../initdata/webm.js';

export function keyIdsFromInitData(initDataType: string, sanitized: Uint8Array): Uint8Array[] {
  let keyIds: Uint8Array[];
  switch (initDataType) {
    case 'cenc': {
      // Clear Key MUST use the box with the Common SystemID (init data registry, "cenc": Use with Clear Key).
      const common = parsePsshBoxes(sanitized).find((box) => box.version === 1 && isCommonSystemId(box.systemId));
      if (!common) throw new CdmError('NotSupportedError', 'cenc init data has no version 1 pssh box with the Common SystemID');
      keyIds = [...common.keyIds];
      break;
    }
    case 'keyids':
      keyIds = parseKeyIdsInitData(sanitized);
      break;
    case 'webm':
      keyIds = [parseWebmInitData(sanitized)];
      break;
    default:
      throw new CdmError('NotSupportedError', `init data type '${initDataType}' is not supported by Clear Key`);
  }
  // keyids may list no key IDs (the request then asks for none, as in Chromium); other types must name one.
  if (keyIds.length === 0 && initDataType !== 'keyids') throw new CdmError('NotSupportedError', 'init data holds no key IDs');
  return keyIds;
}
