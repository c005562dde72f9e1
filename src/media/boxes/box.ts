// ISO-BMFF box headers and child iteration over an in-memory buffer (moov, moof), with size checks.
//
// The parser contract, which every reader of input in src/media/boxes (and the pipelines over it) keeps:
// 1. Every length and count is validated against what contains it before it is used: a box's size against its
//    parent (readBox), a field against its box (Cursor: every read is bounds-checked), a count of entries against
//    the bytes of the box that stores them, and a count of samples that no stored entries back (a trun without
//    per-sample fields, an stsz with one size, a saiz without a size table) against the input's bytes
//    (SampleBudget in budget.ts, one per input). Nothing is allocated or looped over before that check.
// 2. Work and memory are bounded by a constant times the input's size; for a stream, by what has been read plus
//    one fragment (the moof and a fixed allowance of samples for its mdat: STREAM_SAMPLE_ALLOWANCE).
// 3. Nesting is limited to MAX_BOX_DEPTH levels, so that no reader recursing over boxes can exhaust the stack.
// 4. Every rejection is a MediaError (code 'malformed', 'truncated' or 'unsupported-layout') naming the box path
//    (e.g. "moof/traf/trun") and, where one field is at fault, the field as ISO/IEC 14496-12 names it
//    ('sample_count', 'size', ...). A RangeError escaping a read is a bug, reported as code 'internal'
//    (asParserBug in ../errors.ts), never passed off as a malformed input.
// The init data parsers (src/initdata: pssh, keyids, webm) and the Clear Key license and release parsers
// (src/cdm/clearkey/license.ts) keep the same contract with their own error types: init data larger than
// MAX_INIT_DATA_BYTES and responses larger than MAX_RESPONSE_BYTES are refused before parsing, counts (pssh
// KID_count, "kids", "keys") are checked against the bytes and MAX_KEY_IDS before anything is built, JSON nesting
// past MAX_JSON_DEPTH (src/util/json.ts, as Chromium) is refused before JSON.parse, and every
// rejection is an InvalidInitDataError (TypeError to the page) or a CdmError TypeError naming the field.
// `npm run fuzz` checks the contract; test/regressions/ holds the inputs that once broke it.
import { Cursor, fourcc } from './bytes.js';
import { MediaError } from '../errors.js';

/** Deepest nesting accepted: real files nest ~10 levels (moov/trak/mdia/minf/stbl/stsd/encv/sinf/schi/tenc). */
export const MAX_BOX_DEPTH = 24;

function depthOf(path: string): number {
  let n = 1;
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) n++;
  return n;
}

export interface Box {
  type: string;
  /** Position of the box header in `buf`. */
  start: number;
  /** Header length: 8, 16 (largesize) plus 16 for `uuid`. */
  headerSize: number;
  end: number;
  /** Slash-separated path for messages, e.g. "moov/trak/mdia". */
  path: string;
  /** Extended type for `uuid` boxes (hex). */
  uuid?: string;
}

export interface BoxContext {
  buf: Buffer;
  /** Absolute input offset of buf[0]. */
  base: number;
}

/** Reads one box header at `pos`, requiring it to fit in [pos, limit). */
export function readBox(ctx: BoxContext, pos: number, limit: number, parentPath: string): Box {
  const { buf, base } = ctx;
  const where = parentPath === '' ? 'file' : parentPath;
  if (limit - pos < 8) {
    throw new MediaError('malformed', `${limit - pos} stray bytes where a box header was expected`, { box: where, offset: base + pos });
  }
  let size = buf.readUInt32BE(pos);
  const type = fourcc(buf, pos + 4);
  const path = parentPath === '' ? type : `${parentPath}/${type}`;
  if (parentPath !== '' && depthOf(parentPath) >= MAX_BOX_DEPTH) {
    throw new MediaError('malformed', `boxes nested more than ${MAX_BOX_DEPTH} deep`, { box: parentPath, offset: base + pos });
  }
  let headerSize = 8;
  if (size === 1) {
    if (limit - pos < 16) throw new MediaError('malformed', 'largesize header cut short', { box: path, offset: base + pos });
    const hi = buf.readUInt32BE(pos + 8);
    if (hi > 0x1fffff) throw new MediaError('malformed', 'box size beyond 2^53', { box: path, offset: base + pos, field: 'largesize' });
    size = hi * 0x100000000 + buf.readUInt32BE(pos + 12);
    headerSize = 16;
  } else if (size === 0) {
    size = limit - pos;
  }
  let uuid: string | undefined;
  if (type === 'uuid') {
    if (limit - pos < headerSize + 16) throw new MediaError('malformed', 'uuid header cut short', { box: path, offset: base + pos });
    uuid = buf.toString('hex', pos + headerSize, pos + headerSize + 16);
    headerSize += 16;
  }
  if (size < headerSize) {
    throw new MediaError('malformed', `box size ${size} is smaller than its header`, { box: path, offset: base + pos, field: 'size' });
  }
  if (pos + size > limit) {
    throw new MediaError('malformed', `box size ${size} runs past its parent (${limit - pos} bytes left)`, { box: path, offset: base + pos, field: 'size' });
  }
  const box: Box = { type, start: pos, headerSize, end: pos + size, path };
  if (uuid !== undefined) box.uuid = uuid;
  return box;
}

/** Children of a container whose payload starts `skip` bytes after its header (e.g. 8 for stsd). */
export function children(ctx: BoxContext, parent: Box, skip = 0): Box[] {
  const out: Box[] = [];
  let pos = parent.start + parent.headerSize + skip;
  if (pos > parent.end) throw new MediaError('malformed', 'container too short', { box: parent.path, offset: ctx.base + parent.start });
  while (pos < parent.end) {
    const b = readBox(ctx, pos, parent.end, parent.path);
    out.push(b);
    pos = b.end;
  }
  return out;
}

export function child(ctx: BoxContext, parent: Box, type: string): Box | undefined {
  return children(ctx, parent).find((b) => b.type === type);
}

/** Payload cursor; for full boxes read version/flags first with `fullBox`. */
export function payload(ctx: BoxContext, box: Box): Cursor {
  return new Cursor(ctx.buf, box.start + box.headerSize, box.end, box.path, ctx.base);
}

export function fullBox(c: Cursor): { version: number; flags: number } {
  const version = c.u8();
  const flags = c.u24();
  return { version, flags };
}

/** Writes a box header for a payload of `payloadSize` bytes (32-bit size when it fits). */
export function boxHeader(type: string, payloadSize: number): Buffer {
  if (payloadSize + 8 <= 0xffffffff) {
    const h = Buffer.allocUnsafe(8);
    h.writeUInt32BE(payloadSize + 8, 0);
    h.write(type, 4, 'latin1');
    return h;
  }
  const h = Buffer.allocUnsafe(16);
  h.writeUInt32BE(1, 0);
  h.write(type, 4, 'latin1');
  const total = payloadSize + 16;
  h.writeUInt32BE(Math.floor(total / 0x100000000), 8);
  h.writeUInt32BE(total >>> 0, 12);
  return h;
}

export function totalLength(parts: readonly Buffer[]): number {
  let n = 0;
  for (const p of parts) n += p.length;
  return n;
}

/** Top-level box types are printable fourccs; anything else means the input is not ISO-BMFF (or lost sync). */
export function assertBoxType(type: string, offset: number): void {
  for (let i = 0; i < type.length; i++) {
    const c = type.charCodeAt(i);
    if ((c < 0x20 || c > 0x7e) && c !== 0xa9) {
      throw new MediaError('malformed', `not an ISO-BMFF box type (${JSON.stringify(type)})`, { box: 'file', offset });
    }
  }
  if (offset === 0 && !/^(ftyp|styp|moov|moof|free|skip|mdat|sidx|pdin|wide|uuid|meta|emsg|prft|jumb)$/.test(type)) {
    throw new MediaError('malformed', `not an MP4 file: first box is '${type}'`, { box: 'file', offset });
  }
}
