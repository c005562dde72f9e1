// "cenc" init data: one or more concatenated 'pssh' boxes (ISO/IEC 23001-7 §8.1; W3C EME init data registry).

import { InvalidInitDataError } from './errors.js';
import { MAX_KEY_IDS } from './limits.js';
import { bytesEqual, toHex } from '../util/bytes.js';

/** The Common SystemID 1077efec-c0b2-4d02-ace3-3c1e52e2fb4b (W3C "cenc" init data format). */
export const COMMON_SYSTEM_ID = Uint8Array.from([
  0x10, 0x77, 0xef, 0xec, 0xc0, 0xb2, 0x4d, 0x02, 0xac, 0xe3, 0x3c, 0x1e, 0x52, 0xe2, 0xfb, 0x4b,
]);

export interface PsshBox {
  readonly version: 0 | 1;
  readonly systemId: Uint8Array;
  /** Version 1 boxes list key IDs (16 bytes each); version 0 boxes have none. */
  readonly keyIds: readonly Uint8Array[];
  readonly data: Uint8Array;
  /** The whole box, exactly as it appeared. */
  readonly box: Uint8Array;
}

const HEADER = 8;
const FULL_HEADER = 12;
const SYSTEM_ID_BYTES = 16;
const KEY_ID_BYTES = 16;
const PSSH = 0x70737368; // 'pssh'

/** Parses concatenated pssh boxes; throws InvalidInitDataError unless the bytes are exactly a sequence of them. */
export function parsePsshBoxes(bytes: Uint8Array): PsshBox[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: PsshBox[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER) throw new InvalidInitDataError(`truncated box header at offset ${offset}`);
    const size = view.getUint32(offset);
    const type = view.getUint32(offset + 4);
    if (type !== PSSH) throw new InvalidInitDataError(`box at offset ${offset} is not 'pssh'`);
    // size 0 ("to end of file") and 1 (64-bit size) are legal in files but never needed for init data.
    if (size < FULL_HEADER + SYSTEM_ID_BYTES + 4 || size > bytes.length - offset) {
      throw new InvalidInitDataError(`'pssh' box at offset ${offset} has an invalid size ${size}`);
    }
    const end = offset + size;
    const version = bytes[offset + 8]!;
    if (version > 1) throw new InvalidInitDataError(`'pssh' box at offset ${offset} has unsupported version ${version}`);
    let cursor = offset + FULL_HEADER;
    const systemId = bytes.slice(cursor, cursor + SYSTEM_ID_BYTES);
    cursor += SYSTEM_ID_BYTES;
    const keyIds: Uint8Array[] = [];
    if (version === 1) {
      const count = view.getUint32(cursor);
      cursor += 4;
      if (count > MAX_KEY_IDS || count * KEY_ID_BYTES > end - cursor - 4) {
        throw new InvalidInitDataError(`'pssh' box at offset ${offset} declares ${count} key IDs that do not fit`);
      }
      for (let i = 0; i < count; i++) {
        keyIds.push(bytes.slice(cursor, cursor + KEY_ID_BYTES));
        cursor += KEY_ID_BYTES;
      }
    }
    if (end - cursor < 4) throw new InvalidInitDataError(`'pssh' box at offset ${offset} has no data size`);
    const dataSize = view.getUint32(cursor);
    cursor += 4;
    if (dataSize !== end - cursor) {
      throw new InvalidInitDataError(`'pssh' box at offset ${offset} has a data size that does not match the box`);
    }
    boxes.push({
      version: version as 0 | 1,
      systemId,
      keyIds,
      data: bytes.slice(cursor, end),
      box: bytes.slice(offset, end),
    });
    offset = end;
  }
  if (boxes.length === 0) throw new InvalidInitDataError('no pssh boxes');
  return boxes;
}

export function isCommonSystemId(systemId: Uint8Array): boolean {
  return bytesEqual(systemId, COMMON_SYSTEM_ID);
}

/** Formats a SystemID as the usual UUID string. */
export function systemIdToUuid(systemId: Uint8Array): string {
  const h = toHex(systemId);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Builds a version 1 pssh box (the Common SystemID format when systemId is COMMON_SYSTEM_ID). */
export function buildPsshBox(systemId: Uint8Array, keyIds: readonly Uint8Array[], data = new Uint8Array(0)): Uint8Array {
  const size = FULL_HEADER + SYSTEM_ID_BYTES + 4 + keyIds.length * KEY_ID_BYTES + 4 + data.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, size);
  view.setUint32(4, PSSH);
  out[8] = 1;
  out.set(systemId, FULL_HEADER);
  let cursor = FULL_HEADER + SYSTEM_ID_BYTES;
  view.setUint32(cursor, keyIds.length);
  cursor += 4;
  for (const kid of keyIds) {
    if (kid.length !== KEY_ID_BYTES) throw new RangeError('pssh key IDs are 16 bytes');
    out.set(kid, cursor);
    cursor += KEY_ID_BYTES;
  }
  view.setUint32(cursor, data.length);
  out.set(data, cursor + 4);
  return out;
}
