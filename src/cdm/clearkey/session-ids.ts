// Clear Key session IDs are numbers representable by a 32-bit integer (EME §Clear Key behavior).
// Temporary IDs count up; persistent IDs are random and checked against the store, since they must stay unique
// within the origin across processes.

import { randomInt } from 'node:crypto';

const UINT32_LIMIT = 2 ** 32;
let nextTemporaryId = 1;

export function nextTemporarySessionId(): string {
  const id = nextTemporaryId;
  nextTemporaryId = nextTemporaryId + 1 >= UINT32_LIMIT ? 1 : nextTemporaryId + 1;
  return String(id);
}

export function randomSessionId(): string {
  return String(randomInt(1, UINT32_LIMIT - 1));
}
