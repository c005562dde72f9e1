// Fragmented MP4 as an encryptor writes it: ftyp, an init segment (moov with empty sample tables and mvex), and
// per fragment a moof (tfhd default-base-is-moof, tfdt always: Chromium's MSE needs it, trun, senc/saiz/saio,
// seig groups when keys rotate) followed by its mdat.
import { boxHeader, children } from '../boxes/box.js';
import type { Box } from '../boxes/box.js';
import type { Movie, TrackInfo } from '../boxes/movie.js';
import { box, fullBox, u32, u64 } from './box-writer.js';
import { auxBoxes, keyParamsBytes, type AuxEntryList, type TrackProtection } from './protection.js';

export function ftypBox(): Buffer {
  const brands = ['iso6', 'mp41', 'dash', 'cmfc'];
  return box('ftyp', Buffer.from('iso6', 'latin1'), u32(0), ...brands.map((b) => Buffer.from(b, 'latin1')));
}

export interface InitTrack {
  track: TrackInfo;
  /** The stsd to write (protected or not). */
  stsd: Buffer;
}

const EMPTY_TABLES = (): Buffer[] => [
  fullBox('stts', 0, 0, u32(0)),
  fullBox('stsc', 0, 0, u32(0)),
  fullBox('stsz', 0, 0, u32(0), u32(0)),
  fullBox('stco', 0, 0, u32(0)),
];

/** The moov of an init segment holding `tracks` (in that order), then `pssh`. */
export function initMoov(movie: Movie, tracks: readonly InitTrack[], pssh: readonly Buffer[]): Buffer {
  const { ctx } = movie;
  const raw = (b: Box) => ctx.buf.subarray(b.start, b.end);
  const trak = (t: InitTrack): Buffer => {
    const rebuild = (b: Box): Buffer => {
      if (b.type === 'stbl') return box('stbl', t.stsd, ...EMPTY_TABLES());
      if (b.type === 'mdia' || b.type === 'minf') return box(b.type, ...children(ctx, b).map(rebuild));
      return raw(b);
    };
    return box('trak', ...children(ctx, t.track.trak).map(rebuild));
  };
  const parts: Buffer[] = [];
  for (const b of children(ctx, movie.moov)) {
    if (b.type === 'mvhd') parts.push(raw(b), ...tracks.map(trak));
    else if (b.type !== 'trak' && b.type !== 'mvex' && b.type !== 'pssh') parts.push(raw(b));
  }
  const trex = tracks.map((t) => fullBox('trex', 0, 0, u32(t.track.id), u32(1), u32(0), u32(0), u32(0)));
  parts.push(box('mvex', ...trex), ...pssh);
  return box('moov', ...parts);
}

export interface FragmentSample {
  size: number;
  duration: number;
  cto: number;
  sync: boolean;
}

export interface TrafSpec {
  trackId: number;
  baseDecodeTime: number;
  samples: readonly FragmentSample[];
  /** senc entries, one per sample, when the track is protected. */
  aux: readonly Buffer[] | AuxEntryList | undefined;
  subsampled: boolean;
  /** Key rotation: the traf's samples all use these parameters, signalled by a seig group in the traf. */
  seig?: TrackProtection;
  /** Bytes of this track's sample data that precede it in the mdat. */
  dataOffset: number;
}

/** ISO/IEC 14496-12 sample_flags: depends on nothing (sync) / depends on others and non-sync. */
const SYNC_FLAGS = 0x02000000;
const NON_SYNC_FLAGS = 0x01010000;

function trun(s: readonly FragmentSample[]): Buffer {
  const withCto = s.some((x) => x.cto !== 0);
  const signed = s.some((x) => x.cto < 0);
  // The per-sample fields written into one buffer (a buffer per field cost more than the rest of the moof).
  const per = Buffer.allocUnsafe(s.length * (withCto ? 16 : 12));
  let p = 0;
  for (const x of s) {
    p = per.writeUInt32BE(x.duration >>> 0, p);
    p = per.writeUInt32BE(x.size >>> 0, p);
    p = per.writeUInt32BE(x.sync ? SYNC_FLAGS : NON_SYNC_FLAGS, p);
    if (withCto) p = signed ? per.writeInt32BE(x.cto | 0, p) : per.writeUInt32BE(x.cto >>> 0, p);
  }
  const flags = 0x001 | 0x100 | 0x200 | 0x400 | (withCto ? 0x800 : 0);
  return fullBox('trun', signed ? 1 : 0, flags, u32(s.length), u32(0), per);
}

function seigGroup(p: TrackProtection, count: number): Buffer[] {
  const entry = keyParamsBytes(p);
  return [
    fullBox('sbgp', 0, 0, Buffer.from('seig', 'latin1'), u32(1), u32(count), u32(0x10001)),
    fullBox('sgpd', 1, 0, Buffer.from('seig', 'latin1'), u32(entry.length), u32(1), entry),
  ];
}

/** One moof; `moofPssh` go after mfhd. The mdat (header, then each traf's data in order) must follow it. */
export function moofBox(sequence: number, trafs: readonly TrafSpec[], moofPssh: readonly Buffer[] = []): Buffer {
  const built = trafs.map((t) => {
    const head = [
      fullBox('tfhd', 0, 0x20000, u32(t.trackId)),
      fullBox('tfdt', 1, 0, u64(t.baseDecodeTime)),
      trun(t.samples),
    ];
    const aux = t.aux && auxBoxes(t.aux, t.subsampled);
    const groups = t.seig ? seigGroup(t.seig, t.samples.length) : [];
    return { head, aux, groups, size: 8 + head.reduce((s, b) => s + b.length, 0) + (aux?.boxes.length ?? 0) + groups.reduce((s, b) => s + b.length, 0) };
  });
  const mfhd = fullBox('mfhd', 0, 0, u32(sequence));
  const psshSize = moofPssh.reduce((s, b) => s + b.length, 0);
  const moofSize = 8 + mfhd.length + psshSize + built.reduce((s, t) => s + t.size, 0);
  const dataSize = trafs.reduce((s, t) => s + t.samples.reduce((a, x) => a + x.size, 0), 0);
  const mdatHeader = boxHeader('mdat', dataSize).length;
  let at = 8 + mfhd.length + psshSize;
  const parts = built.map((t, i) => {
    const trunBox = t.head[2]!;
    trunBox.writeUInt32BE(moofSize + mdatHeader + trafs[i]!.dataOffset, 16);
    const headSize = 8 + t.head.reduce((s, b) => s + b.length, 0);
    if (t.aux) t.aux.boxes.writeUInt32BE(at + headSize + t.aux.firstEntry, t.aux.saioField);
    at += t.size;
    return box('traf', ...t.head, ...(t.aux ? [t.aux.boxes] : []), ...t.groups);
  });
  return box('moof', mfhd, ...moofPssh, ...parts);
}

export const mdatHeader = (dataSize: number): Buffer => boxHeader('mdat', dataSize);
