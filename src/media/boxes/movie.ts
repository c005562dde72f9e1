// The parts of `moov` that protection touches: tracks, their sample entries, sample tables, seig groups, pssh, trex.
import { child, children, fullBox, payload } from './box.js';
import type { Box, BoxContext } from './box.js';
import { PIFF_SENC_UUID } from './aux.js';
import { MediaError } from '../errors.js';
import { parsePssh, parseSampleEntry, parseSeigGroup, parseSeigMapping } from './protection.js';
import type { KeyParams, PsshInfo, SampleEntryInfo, SampleGroupRun } from './protection.js';

export interface TrexDefaults {
  descIndex: number;
  duration: number;
  size: number;
  flags: number;
}

export interface TrackInfo {
  id: number;
  handler: string;
  timescale: number;
  trak: Box;
  stbl: Box | undefined;
  entries: SampleEntryInfo[];
  /** Sample-table boxes found in stbl (senc also accepted directly under trak, as GPAC writes it). */
  tables: Partial<Record<'stsz' | 'stz2' | 'stco' | 'co64' | 'stsc' | 'senc' | 'saiz' | 'saio', Box>>;
  seig: KeyParams[] | undefined;
  seigRuns: SampleGroupRun[] | undefined;
  trex: TrexDefaults | undefined;
}

export interface Movie {
  ctx: BoxContext;
  moov: Box;
  tracks: TrackInfo[];
  pssh: PsshInfo[];
  /** moov has mvex: samples live in movie fragments. */
  fragmented: boolean;
}

function trackId(ctx: BoxContext, tkhd: Box): number {
  const c = payload(ctx, tkhd);
  const { version } = fullBox(c);
  c.skip(version === 1 ? 16 : 8);
  return c.u32();
}

function parseTrak(ctx: BoxContext, trak: Box): TrackInfo {
  const tkhd = child(ctx, trak, 'tkhd');
  if (!tkhd) throw new MediaError('malformed', 'trak without tkhd', { box: trak.path, offset: ctx.base + trak.start });
  const t: TrackInfo = {
    id: trackId(ctx, tkhd),
    handler: '',
    timescale: 0,
    trak,
    stbl: undefined,
    entries: [],
    tables: {},
    seig: undefined,
    seigRuns: undefined,
    trex: undefined,
  };
  for (const b of children(ctx, trak)) {
    if (b.type === 'senc' || (b.type === 'uuid' && b.uuid === PIFF_SENC_UUID)) t.tables.senc = b;
  }
  const mdia = child(ctx, trak, 'mdia');
  if (!mdia) return t;
  for (const b of children(ctx, mdia)) {
    if (b.type === 'hdlr') {
      const c = payload(ctx, b);
      fullBox(c);
      c.skip(4);
      t.handler = c.fourcc();
    } else if (b.type === 'mdhd') {
      const c = payload(ctx, b);
      const { version } = fullBox(c);
      c.skip(version === 1 ? 16 : 8);
      t.timescale = c.u32();
    }
  }
  const minf = child(ctx, mdia, 'minf');
  const stbl = minf && child(ctx, minf, 'stbl');
  if (!stbl) return t;
  t.stbl = stbl;
  for (const b of children(ctx, stbl)) {
    switch (b.type) {
      case 'stsd': {
        const c = payload(ctx, b);
        fullBox(c);
        const n = c.u32();
        const entries = children(ctx, b, 8);
        if (entries.length !== n) {
          throw new MediaError('malformed', `entry_count ${n} but ${entries.length} entries`, { box: b.path, offset: ctx.base + b.start, field: 'entry_count' });
        }
        t.entries = entries.map((e, i) => parseSampleEntry(ctx, e, i + 1, t.handler));
        break;
      }
      case 'stsz':
      case 'stz2':
      case 'stco':
      case 'co64':
      case 'stsc':
      case 'senc':
      case 'saiz':
      case 'saio':
        t.tables[b.type] = b;
        break;
      case 'uuid':
        if (b.uuid === PIFF_SENC_UUID) t.tables.senc = b;
        break;
      case 'sgpd':
        t.seig = parseSeigGroup(ctx, b) ?? t.seig;
        break;
      case 'sbgp':
        t.seigRuns = parseSeigMapping(ctx, b) ?? t.seigRuns;
        break;
    }
  }
  return t;
}

export function parseMovie(buf: Buffer, base: number): Movie {
  const ctx: BoxContext = { buf, base };
  const moov = { type: 'moov', start: 0, headerSize: 0, end: buf.length, path: 'moov' };
  // Re-read the real header so sizes are checked against the buffer.
  const top = children(ctx, { ...moov, path: '' })[0];
  if (!top || top.type !== 'moov') throw new MediaError('malformed', 'expected moov', { box: 'moov', offset: base });
  const movie: Movie = { ctx, moov: top, tracks: [], pssh: [], fragmented: false };
  const trex = new Map<number, TrexDefaults>();
  for (const b of children(ctx, top)) {
    if (b.type === 'trak') movie.tracks.push(parseTrak(ctx, b));
    else if (b.type === 'pssh') movie.pssh.push(parsePssh(ctx, b));
    else if (b.type === 'mvex') {
      movie.fragmented = true;
      for (const m of children(ctx, b)) {
        if (m.type !== 'trex') continue;
        const c = payload(ctx, m);
        fullBox(c);
        const id = c.u32();
        trex.set(id, { descIndex: c.u32(), duration: c.u32(), size: c.u32(), flags: c.u32() });
      }
    }
  }
  const seen = new Set<number>();
  for (const t of movie.tracks) {
    if (seen.has(t.id)) throw new MediaError('malformed', `duplicate track ID ${t.id}`, { box: t.trak.path, offset: base + t.trak.start });
    seen.add(t.id);
    t.trex = trex.get(t.id);
  }
  return movie;
}

/** seig group entry for a 1-based sgpd index from sbgp (traf-local when above 0x10000). */
export function groupEntry(index: number, moovGroups: KeyParams[] | undefined, trafGroups: KeyParams[] | undefined, where: string): KeyParams | undefined {
  if (index === 0) return undefined;
  const local = index > 0x10000;
  const list = local ? trafGroups : moovGroups;
  const e = list?.[(local ? index - 0x10000 : index) - 1];
  if (!e) throw new MediaError('malformed', `sample group description index ${index} has no seig entry`, { box: where });
  return e;
}

/** Per-sample sgpd index from sbgp runs (0 for samples outside every run). */
export class GroupLookup {
  private readonly ends: Float64Array;

  constructor(private readonly runs: SampleGroupRun[] | undefined) {
    const n = runs?.length ?? 0;
    this.ends = new Float64Array(n);
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += runs![i]!.count;
      this.ends[i] = acc;
    }
  }

  indexOf(sample: number): number {
    const runs = this.runs;
    if (!runs || runs.length === 0) return 0;
    let lo = 0;
    let hi = this.ends.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ends[mid]! > sample) hi = mid;
      else lo = mid + 1;
    }
    return lo < runs.length ? runs[lo]!.index : 0;
  }
}
