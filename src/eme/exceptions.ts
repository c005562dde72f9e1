// Maps failures from the CDM and init data layers to the exceptions the spec names.

import { CdmError } from '../cdm/cdm.js';
import { InvalidInitDataError } from '../initdata/errors.js';

export function toSpecException(error: unknown): Error {
  if (error instanceof CdmError) {
    return error.errorName === 'TypeError' ? new TypeError(error.message) : new DOMException(error.message, error.errorName);
  }
  if (error instanceof InvalidInitDataError) return new TypeError(error.message);
  if (error instanceof TypeError || error instanceof DOMException) return error;
  // Anything else is the CDM or its storage failing for its own reasons (disk full, I/O): an OperationError that
  // names the cause without leaking data.
  const message = error instanceof Error ? error.message : String(error);
  return new DOMException(`the CDM failed: ${message}`, 'OperationError');
}
