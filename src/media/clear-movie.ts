// The clear moov: sample entries restored from frma, sinf/senc/saiz/saio/seig groups/pssh removed, chunk offsets moved.
import { PIFF_SENC_UUID } from './aux.js';
import { boxHeader, children } from './box.js';
import type { Box, BoxContext } from './box.js';
import type { Movie } from './movie.js';
import { isSeigBox } from './protection.js';

const CONTAINERS = new Set(['trak', 'mdia', 'minf', 'stbl']);

function raw(ctx: BoxContext, b: Box): Buffer {
  return ctx.buf.subarray(b.start, b.end);
}

function container(type: string, parts: Buffer[], extra?: Buffer): Buffer {
  const all = extra ? [extra, ...parts] : parts;
  const size = all.reduce((s, p) => s + p.length, 0);
  return Buffer.concat([boxHeader(type, size), ...all]);
}

function chunkOffsets(ctx: BoxContext, b: Box, map: (offset: number) => number): Buffer {
  const out = Buffer.from(raw(ctx, b));
  const wide = b.type === 'co64';
  const start = b.headerSize + 8;
  const n = Math.min(out.readUInt32BE(b.headerSize + 4), Math.floor((out.length - start) / (wide ? 8 : 4)));
  for (let i = 0; i < n; i++) {
    if (wide) {
      const p = start + 8 * i;
      const v = map(out.readUInt32BE(p) * 0x100000000 + out.readUInt32BE(p + 4));
      out.writeUInt32BE(Math.floor(v / 0x100000000), p);
      out.writeUInt32BE(v >>> 0, p + 4);
    } else {
      const p = start + 4 * i;
      out.writeUInt32BE(map(out.readUInt32BE(p)) >>> 0, p);
    }
  }
  return out;
}

export function clearMovie(movie: Movie, mapOffset: (offset: number) => number): Buffer {
  const { ctx } = movie;
  const entryInfo = new Map(movie.tracks.flatMap((t) => t.entries.map((e) => [e.box.start, e] as const)));

  const stsd = (b: Box): Buffer => {
    const entries = children(ctx, b, 8).map((e) => {
      const info = entryInfo.get(e.start);
      if (!info?.protected || info.childSkip === undefined) return raw(ctx, e);
      const fixed = ctx.buf.subarray(e.start + e.headerSize, e.start + e.headerSize + info.childSkip);
      const kids = children(ctx, e, info.childSkip).filter((k) => k.type !== 'sinf').map((k) => raw(ctx, k));
      return container(info.originalFormat, kids, fixed);
    });
    return container('stsd', entries, ctx.buf.subarray(b.start + b.headerSize, b.start + b.headerSize + 8));
  };

  const rebuild = (b: Box): Buffer | undefined => {
    if (b.type === 'senc' || b.type === 'saiz' || b.type === 'saio' || (b.type === 'uuid' && b.uuid === PIFF_SENC_UUID)) return undefined;
    if (isSeigBox(ctx, b)) return undefined;
    if (b.type === 'stsd') return stsd(b);
    if (b.type === 'stco' || b.type === 'co64') return chunkOffsets(ctx, b, mapOffset);
    if (CONTAINERS.has(b.type)) return container(b.type, children(ctx, b).flatMap((k) => rebuild(k) ?? []));
    return raw(ctx, b);
  };

  const parts = children(ctx, movie.moov).flatMap((b) => (b.type === 'pssh' ? [] : b.type === 'trak' ? (rebuild(b) ?? []) : [raw(ctx, b)]));
  return container('moov', parts);
}
