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
export async function readTopBox(src: Source): Promise<TopBox | undefined> {
  const start = src.position;
  const first = await src.read(8);
  if (first.length === 0) return undefined;
  if (first.length < 8) throw new MediaError('truncated', `file ends inside a box header (${first.length} bytes)`, { box: 'file', offset: start });
  const size32 = first.readUInt32BE(0);
  const type = first.toString('latin1', 4, 8);
  assertBoxType(type, start);
  let header = first;
  const extra = (size32 === 1 ? 8 : 0) + (type === 'uuid' ? 16 : 0);
  if (extra > 0) {
    const more = await src.read(extra);
    if (more.length < extra) throw new MediaError('truncated', 'file ends inside a box header', { box: type, offset: start });
    header = Buffer.concat([first, more]);
  }
  const b = readBox({ buf: header, base: start }, 0, size32 === 0 ? header.length : Number.MAX_SAFE_INTEGER, '');
  if (size32 === 0) return { type, start, size: src.size !== undefined ? src.size - start : Infinity, header };
  const size = b.end - b.start;
  if (src.size !== undefined && start + size > src.size) {
    throw new MediaError('truncated', `box of ${size} bytes runs past the end of the file (${src.size - start} bytes left)`, { box: type, offset: start, field: 'size' });
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
