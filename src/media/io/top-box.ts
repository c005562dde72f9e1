// The header of the next top-level box of a source, read without reading past it: a box may be as short as its
// 8-byte header (a 'free' box), so only what the header says it holds is read.
import { assertBoxType, readBox } from '../boxes/box.js';
import { MediaError } from '../errors.js';
import type { Source } from './io.js';

export interface TopBox {
  type: string;
  /** Input offset of the header. */
  start: number;
  /** Size with the header; Infinity for a size-0 box ("to the end") on a stream. */
  size: number;
  header: Buffer;
}

/** The next top-level box's header, the source left at its payload; undefined at the end of the input. */
export function readTopBox(src: Source): Promise<TopBox | undefined> {
  return topBoxAt(src.position, (_at, n) => src.read(n), src.size);
}

/** The header of the top-level box at `start` of a seekable source (e.g. to find a moov after the mdat). */
export function readTopBoxAt(src: Source, start: number): Promise<TopBox | undefined> {
  return topBoxAt(start, (at, n) => src.readAt(at, n), src.size);
}

/** The header at `start`, read through `read` (the next n bytes, which start at `at`), of an input of `total` bytes. */
async function topBoxAt(start: number, read: (at: number, n: number) => Promise<Buffer>, total: number | undefined): Promise<TopBox | undefined> {
  const first = await read(start, 8);
  if (first.length === 0) return undefined;
  if (first.length < 8) throw new MediaError('truncated', `file ends inside a box header (${first.length} bytes)`, { box: 'file', offset: start });
  const size32 = first.readUInt32BE(0);
  const type = first.toString('latin1', 4, 8);
  assertBoxType(type, start);
  let header = first;
  const extra = (size32 === 1 ? 8 : 0) + (type === 'uuid' ? 16 : 0);
  if (extra > 0) {
    const more = await read(start + 8, extra);
    if (more.length < extra) throw new MediaError('truncated', 'file ends inside a box header', { box: type, offset: start });
    header = Buffer.concat([first, more]);
  }
  const b = readBox({ buf: header, base: start }, 0, size32 === 0 ? header.length : Number.MAX_SAFE_INTEGER, '');
  if (size32 === 0) return { type, start, size: total !== undefined ? total - start : Infinity, header };
  const size = b.end - b.start;
  if (total !== undefined && start + size > total) {
    throw new MediaError('truncated', `box of ${size} bytes runs past the end of the file (${total - start} bytes left)`, { box: type, offset: start, field: 'size' });
  }
  return { type, start, size, header };
}

/** The largest box read into memory whole (moov, moof). */
export const MAX_BOX_IN_MEMORY = 512 * 1024 * 1024;

/** The whole box (header included) whose header readTopBox returned. */
export async function readWholeBox(src: Source, box: TopBox): Promise<Buffer> {
  if (box.size > MAX_BOX_IN_MEMORY) throw new MediaError('unsupported-layout', `${box.size}-byte box is too large to hold in memory`, { box: box.type, offset: box.start, field: 'size' });
  const rest = await src.read(box.size - box.header.length);
  if (rest.length < box.size - box.header.length) throw new MediaError('truncated', 'file ends inside the box', { box: box.type, offset: box.start });
  return Buffer.concat([box.header, rest]);
}
