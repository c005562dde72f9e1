// The clear moov: sample entries restored from frma, sinf/senc/saiz/saio/seig groups/pssh removed, chunk offsets moved.
import { PIFF_SENC_UUID } from '../boxes/aux.js';
import { boxHeader, children } from '../boxes/box.js';
import type { Box, BoxContext } from '../boxes/box.js';
import type { Movie } from '../boxes/movie.js';
import { isSeigBox } from '../boxes/protection.js';
import { MediaError } from '../errors.js';

const CONTAINERS = new Set(['trak', 'mdia', 'minf', 'stbl']);

/**
 * A box of the clear moov, sized before it is written: the chunk offsets depend on how much the moov itself
 * shrinks, which is known only once every part is sized. One pass writes it all into one buffer.
 */
interface Part {
  size: number;
  write(out: Buffer, at: number, mapOffset: (offset: number) => number): void;
}

function bytes(b: Buffer): Part {
  return { size: b.length, write: (out, at) => void b.copy(out, at) };
}

function container(type: string, parts: Part[]): Part {
  const payload = parts.reduce((s, p) => s + p.size, 0);
  const header = boxHeader(type, payload);
  return {
    size: header.length + payload,
    write(out, at, mapOffset) {
      header.copy(out, at);
      let p = at + header.length;
      for (const part of parts) {
        part.write(out, p, mapOffset);
        p += part.size;
      }
    },
  };
}

function chunkOffsets(src: Buffer, b: Box, base: number): Part {
  const wide = b.type === 'co64';
  // A chunk-offset box the sample tables did not read (another one in the same stbl) is still rewritten here.
  if (src.length < b.headerSize + 8) {
    throw new MediaError('malformed', `${b.type} has no room for its entry_count`, { box: b.path, offset: base + b.start, field: 'entry_count' });
  }
  return {
    size: src.length,
    write(out, at, mapOffset) {
      src.copy(out, at);
      const start = at + b.headerSize + 8;
      const n = Math.min(out.readUInt32BE(at + b.headerSize + 4), Math.floor((at + src.length - start) / (wide ? 8 : 4)));
      for (let i = 0; i < n; i++) {
        if (wide) {
          const p = start + 8 * i;
          const v = mapOffset(out.readUInt32BE(p) * 0x100000000 + out.readUInt32BE(p + 4));
          out.writeUInt32BE(Math.floor(v / 0x100000000), p);
          out.writeUInt32BE(v >>> 0, p + 4);
        } else {
          const p = start + 4 * i;
          out.writeUInt32BE(mapOffset(out.readUInt32BE(p)) >>> 0, p);
        }
      }
    },
  };
}

/**
 * The clear moov. `mapOffset` moves a chunk offset, given how many bytes the moov grew (negative: shrank)
 * for data that lies after it.
 */
export function clearMovie(movie: Movie, mapOffset: (offset: number, moovSizeChange: number) => number): Buffer {
  const { ctx } = movie;
  const raw = (b: Box): Buffer => ctx.buf.subarray(b.start, b.end);
  const entryInfo = new Map(movie.tracks.flatMap((t) => t.entries.map((e) => [e.box.start, e] as const)));

  const stsd = (b: Box): Part => {
    const entries = children(ctx, b, 8).map((e) => {
      const info = entryInfo.get(e.start);
      if (!info?.protected || info.childSkip === undefined) return bytes(raw(e));
      const fixed = ctx.buf.subarray(e.start + e.headerSize, e.start + e.headerSize + info.childSkip);
      const kids = children(ctx, e, info.childSkip)
        .filter((k) => k.type !== 'sinf')
        .map((k) => bytes(raw(k)));
      return container(info.originalFormat, [bytes(fixed), ...kids]);
    });
    return container('stsd', [bytes(ctx.buf.subarray(b.start + b.headerSize, b.start + b.headerSize + 8)), ...entries]);
  };

  const rebuild = (b: Box): Part | undefined => {
    if (b.type === 'senc' || b.type === 'saiz' || b.type === 'saio' || (b.type === 'uuid' && b.uuid === PIFF_SENC_UUID)) return undefined;
    if (isSeigBox(ctx, b)) return undefined;
    if (b.type === 'stsd') return stsd(b);
    if (b.type === 'stco' || b.type === 'co64') return chunkOffsets(raw(b), b, ctx.base);
    if (CONTAINERS.has(b.type)) return container(b.type, children(ctx, b).flatMap((k) => rebuild(k) ?? []));
    return bytes(raw(b));
  };

  const parts = children(ctx, movie.moov).flatMap((b) => (b.type === 'pssh' ? [] : b.type === 'trak' ? (rebuild(b) ?? []) : [bytes(raw(b))]));
  const moov = container('moov', parts);
  const change = moov.size - (movie.moov.end - movie.moov.start);
  const out = Buffer.allocUnsafe(moov.size);
  moov.write(out, 0, (offset) => mapOffset(offset, change));
  return out;
}
