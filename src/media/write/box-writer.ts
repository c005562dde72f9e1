// Writing boxes: a box from its payload parts, a full box with version and flags, big-endian fields.
import { boxHeader, totalLength } from '../boxes/box.js';

export const u8 = (v: number): Buffer => Buffer.from([v & 0xff]);

export function u16(v: number): Buffer {
  const b = Buffer.allocUnsafe(2);
  b.writeUInt16BE(v & 0xffff);
  return b;
}

export function u32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/** An unsigned 64-bit field from a number below 2^53. */
export function u64(v: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32BE(Math.floor(v / 0x100000000), 0);
  b.writeUInt32BE(v >>> 0, 4);
  return b;
}

export function box(type: string, ...parts: Buffer[]): Buffer {
  return Buffer.concat([boxHeader(type, totalLength(parts)), ...parts]);
}

export function fullBox(type: string, version: number, flags: number, ...parts: Buffer[]): Buffer {
  return box(type, u32(version * 0x1000000 + flags), ...parts);
}
