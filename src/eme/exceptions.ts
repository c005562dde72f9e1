// Maps failures from the CDM and init data layers to the exceptions the spec names, made by the realm of the object
// whose promise they reject (webidl/errors.ts).

import { CdmError } from '../cdm/cdm.js';
import { InvalidInitDataError } from '../initdata/errors.js';
import { domException, inRealmError, typeError } from '../webidl/errors.js';
import type { Realm } from '../webidl/realm.js';

export function toSpecException(realm: Realm, error: unknown): unknown {
  if (error instanceof CdmError) {
    return error.errorName === 'TypeError' ? typeError(realm, error.message) : domException(realm, error.errorName, error.message);
  }
  if (error instanceof InvalidInitDataError) return typeError(realm, error.message);
  if (error instanceof TypeError || error instanceof DOMException) return inRealmError(realm, error);
  // Anything else is the CDM or its storage failing for its own reasons (disk full, I/O): an OperationError that
  // names the cause without leaking data.
  const message = error instanceof Error ? error.message : String(error);
  return domException(realm, 'OperationError', `the CDM failed: ${message}`);
}
