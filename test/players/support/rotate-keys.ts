// Key rotation for a single-track fragmented file, until `emekit package --rotate` exists: fragments from `from` on
// are encrypted under a second key ID, named per fragment by a 'seig' sample group (sgpd + sbgp in the traf) and
// announced by a pssh in the moof, so a player first meets the new key ID in a later fragment.
import { child, children, readBox, type BoxContext } from '../../../src/media/boxes/box.js';
import { protectInPlace } from '../../../src/media/protect-in-place.js';
import { fullBox, u32, u8 } from '../../../src/media/write/box-writer.js';
import { COMMON_SYSTEM_ID, psshBox } from '../../../src/media/write/protection.js';
import { segment, type Segmented } from './split-tracks.js';

interface Key {
  keyId: Buffer;
  key: Buffer;
}

/** A seig sample group for all the traf's samples: protected, 8-byte IVs, under `keyId` (cenc). */
function seigBoxes(keyId: Buffer, sampleCount: number): Buffer {
  const entry = Buffer.concat([u8(0), u8(0), u8(1), u8(8), keyId]);
  const sgpd = fullBox('sgpd', 1, 0, Buffer.from('seig'), u32(entry.length), u32(1), entry);
  // 0x10001: the first description of this traf's sgpd (fragment-local index 1).
  const sbgp = fullBox('sbgp', 0, 0, Buffer.from('seig'), u32(1), u32(sampleCount), u32(0x10001));
  return Buffer.concat([sgpd, sbgp]);
}

/**
 * The segment with the seig group in its traf right after tfdt (where GPAC puts it); everything after moves by the
 * group's size: saio's offset to senc and trun's data offset (both from the moof's start) move with it.
 */
function withSeig(segmentBytes: Buffer, keyId: Buffer): Buffer {
  const ctx: BoxContext = { buf: segmentBytes, base: 0 };
  const moof = readBox(ctx, 0, segmentBytes.length, '');
  const traf = child(ctx, moof, 'traf')!;
  const kids = children(ctx, traf);
  const truns = kids.filter((b) => b.type === 'trun');
  const saio = kids.find((b) => b.type === 'saio');
  if (truns.length !== 1 || !saio || segmentBytes.readUInt32BE(saio.start + 12) !== 1) throw new Error('one trun and one saio offset per traf expected');
  const at = child(ctx, traf, 'tfdt')!.end;
  const extra = seigBoxes(keyId, segmentBytes.readUInt32BE(truns[0]!.start + 12));
  const out = Buffer.concat([segmentBytes.subarray(0, at), extra, segmentBytes.subarray(at)]);
  const moved = (pos: number) => (pos >= at ? pos + extra.length : pos);
  out.writeUInt32BE(moof.end - moof.start + extra.length, moof.start);
  out.writeUInt32BE(traf.end - traf.start + extra.length, traf.start);
  const saioOffset = moved(saio.start) + 16 + (out[moved(saio.start) + 8] === 1 ? 4 : 0);
  if (out[moved(saio.start) + 8] === 1) throw new Error('saio version 1 not handled');
  out.writeUInt32BE(out.readUInt32BE(saioOffset) + extra.length, saioOffset);
  const trun = moved(truns[0]!.start);
  if (out.readUInt32BE(trun + 8) & 1) out.writeInt32BE(out.readInt32BE(trun + 16) + extra.length, trun + 16);
  return out;
}

/** Encrypts `file` (cenc) under `first` for fragments before `from`, under `second` from there on. */
export function encryptWithRotation(file: Buffer, first: Key, second: Key, from: number): Segmented {
  const iv = { size: 8 as const, first: Buffer.from('0a610676cb88f302', 'hex') };
  const a = segment(protectInPlace(file, { scheme: 'cenc', keys: first, iv }));
  const b = segment(
    protectInPlace(file, { scheme: 'cenc', keys: second, iv, moofPssh: (n) => (n >= from ? { head: [psshBox(COMMON_SYSTEM_ID, [second.keyId])] } : {}) }),
  );
  const segments = a.segments.map((s, i) => (i < from ? s : { ...b.segments[i]!, bytes: withSeig(b.segments[i]!.bytes, second.keyId) }));
  return { ...a, segments };
}
