// The moov of a protected progressive file: each protected track's sample entry protected (sinf), its
// senc/saiz/saio in stbl (saio pointing at the senc entries where the moov is written), the pssh boxes, and
// chunk offsets past the moov moved by as much as it grew. Shared by protectInPlace (in memory) and the
// progressive writer (streamed), which keep the input's layout around it.
import { children } from '../boxes/box.js';
import type { Box } from '../boxes/box.js';
import { parseMovie } from '../boxes/movie.js';
import type { Movie, TrackInfo } from '../boxes/movie.js';
import { moovPssh, type ProtectOptions } from './encrypt-options.js';
import type { TrackProtector } from './track-protector.js';
import { box } from '../write/box-writer.js';
import { auxBoxes, protectedStsd, sinfBox } from '../write/protection.js';
import type { AuxEntryList } from '../write/protection.js';

/**
 * `aux`: each protected track's senc entries, one per sample of its sample table. The moov is written at the
 * input moov's offset (what comes before it is kept as it is).
 */
export function protectedMoov(movie: Movie, protectors: ReadonlyMap<number, TrackProtector>, aux: ReadonlyMap<number, readonly Buffer[] | AuxEntryList>, o: ProtectOptions): Buffer {
  const patches: { at: number; firstEntry: number }[] = [];
  const mctx = movie.ctx;
  // Box positions are offsets into the moov's bytes; ctx.base is where the moov is in the file.
  const at = mctx.base;
  const rebuild = (b: Box, t: TrackInfo | undefined, pos: number): Buffer => {
    const raw = mctx.buf.subarray(b.start, b.end);
    const p: TrackProtector | undefined = t && protectors.get(t.id);
    if (b.type === 'stsd' && p) return protectedStsd(mctx, p.entry, p.video, sinfBox(p.entry.originalFormat, p.protection));
    if (!['trak', 'mdia', 'minf', 'stbl'].includes(b.type)) return raw;
    const track = t ?? movie.tracks.find((x) => x.trak.start === b.start);
    const parts: Buffer[] = [];
    let next = pos + 8;
    for (const k of children(mctx, b)) {
      const r = rebuild(k, track, next);
      parts.push(r);
      next += r.length;
    }
    const entries = track && aux.get(track.id);
    if (b.type === 'stbl' && entries) {
      const a = auxBoxes(entries, protectors.get(track.id)?.subsampled ?? false);
      if (a) {
        patches.push({ at: next + a.saioField, firstEntry: next + a.firstEntry });
        parts.push(a.boxes);
      }
    }
    return box(b.type, ...parts);
  };
  const parts: Buffer[] = [];
  let pos = 8;
  for (const k of children(mctx, movie.moov)) {
    if (k.type === 'pssh') continue;
    const r = rebuild(k, undefined, pos);
    parts.push(r);
    pos += r.length;
  }
  parts.push(...moovPssh(protectors, o));
  const moov = box('moov', ...parts);
  for (const p of patches) moov.writeUInt32BE(at + p.firstEntry, p.at);
  const delta = moov.length - (movie.moov.end - movie.moov.start);
  if (delta !== 0) moveChunkOffsets(moov, at, delta);
  return moov;
}

/** Chunk offsets past the moov (media data after it) move by its growth. */
function moveChunkOffsets(moov: Buffer, moovStart: number, delta: number): void {
  const fixed = parseMovie(moov, moovStart);
  const buf = fixed.ctx.buf;
  for (const t of fixed.tracks) {
    const co = t.tables.stco ?? t.tables.co64;
    if (!co) continue;
    const start = co.start;
    const n = buf.readUInt32BE(start + 12);
    for (let i = 0; i < n; i++) {
      if (co.type === 'co64') {
        const p = start + 16 + 8 * i;
        const v = buf.readUInt32BE(p) * 0x100000000 + buf.readUInt32BE(p + 4);
        if (v > moovStart) {
          buf.writeUInt32BE(Math.floor((v + delta) / 0x100000000), p);
          buf.writeUInt32BE((v + delta) >>> 0, p + 4);
        }
      } else {
        const p = start + 16 + 4 * i;
        const v = buf.readUInt32BE(p);
        if (v > moovStart) buf.writeUInt32BE(v + delta, p);
      }
    }
  }
}
