// The clear input as an encryptor or packager sees it: its moov, and every sample of every track with its
// position, size and timing, read from progressive sample tables or from each moof (without reading any mdat).
import { assertBoxType } from './boxes/box.js';
import { SampleBudget } from './boxes/budget.js';
import { parseFragment } from './boxes/fragment.js';
import { parseMovie } from './boxes/movie.js';
import type { Movie, TrackInfo } from './boxes/movie.js';
import { buildSampleTable } from './boxes/sample-table.js';
import { fragmentTimes, progressiveTimes } from './boxes/timing.js';
import { MediaError } from './errors.js';
import { openSource } from './io/io.js';
import type { Source } from './io/io.js';

export interface TimedSample {
  offset: number;
  size: number;
  decodeTime: number;
  duration: number;
  /** Composition time minus decode time. */
  cto: number;
  sync: boolean;
}

export interface TimedTrack {
  track: TrackInfo;
  samples: TimedSample[];
}

export interface Timeline {
  /** Random access to the sample data (a stream input is read into memory first). */
  source: Source;
  movie: Movie;
  tracks: TimedTrack[];
  fragmentedInput: boolean;
}

interface TopBox {
  type: string;
  start: number;
  end: number;
}

async function topLevelBoxes(src: Source, size: number): Promise<TopBox[]> {
  const out: TopBox[] = [];
  for (let pos = 0; pos < size; ) {
    const h = await src.readAt(pos, 16);
    if (h.length < 8) throw new MediaError('truncated', `${h.length} stray bytes where a box header was expected`, { box: 'file', offset: pos });
    const type = h.toString('latin1', 4, 8);
    assertBoxType(type, pos);
    let len = h.readUInt32BE(0);
    if (len === 1) {
      if (h.length < 16) throw new MediaError('truncated', 'largesize header cut short', { box: type, offset: pos });
      len = h.readUInt32BE(8) * 0x100000000 + h.readUInt32BE(12);
    } else if (len === 0) len = size - pos;
    if (len < 8) throw new MediaError('malformed', `box size ${len} is smaller than its header`, { box: type, offset: pos });
    if (pos + len > size) throw new MediaError('truncated', `box size ${len} runs past the end of the input`, { box: type, offset: pos });
    out.push({ type, start: pos, end: pos + len });
    pos += len;
  }
  return out;
}

async function seekable(src: Source): Promise<Source> {
  if (src.seekable) return src;
  const parts: Buffer[] = [];
  for (;;) {
    const b = await src.read(1 << 20);
    if (b.length === 0) break;
    parts.push(b);
  }
  await src.close();
  return openSource(Buffer.concat(parts));
}

const MAX_BOX_IN_MEMORY = 256 << 20;

async function readWhole(src: Source, b: TopBox): Promise<Buffer> {
  if (b.end - b.start > MAX_BOX_IN_MEMORY) throw new MediaError('unsupported-layout', `${b.type} of ${b.end - b.start} bytes`, { box: b.type, offset: b.start });
  return src.readAt(b.start, b.end - b.start);
}

export async function readTimeline(input: Source): Promise<Timeline> {
  const source = await seekable(input);
  const size = source.size!;
  const top = await topLevelBoxes(source, size);
  const moovBox = top.find((b) => b.type === 'moov');
  if (!moovBox) throw new MediaError('malformed', 'no moov box', { box: 'file', offset: 0 });
  const movie = parseMovie(await readWhole(source, moovBox), moovBox.start);
  const tracks: TimedTrack[] = movie.tracks.map((track) => ({ track, samples: [] }));
  const byId = new Map(tracks.map((t) => [t.track.id, t]));
  const budget = SampleBudget.ofSize(size);
  for (const t of tracks) {
    const table = buildSampleTable(movie.ctx, t.track, budget);
    const times = progressiveTimes(movie.ctx, t.track, table.count);
    let time = 0;
    for (let i = 0; i < table.count; i++) {
      t.samples.push({ offset: table.offset[i]!, size: table.size[i]!, decodeTime: time, duration: times.duration[i]!, cto: times.cto[i]!, sync: times.sync[i]! });
      time += times.duration[i]!;
    }
  }
  const counters = new Map<number, number>();
  for (const b of top) {
    if (b.type !== 'moof') continue;
    const buf = await readWhole(source, b);
    const jobs = parseFragment(movie, buf, b.start, counters, budget).jobs;
    let j = 0;
    for (const traf of fragmentTimes(movie, buf, b.start)) {
      const t = byId.get(traf.trackId)!;
      const last = t.samples.at(-1);
      let time = traf.baseDecodeTime ?? (last ? last.decodeTime + last.duration : 0);
      for (let i = 0; i < traf.duration.length; i++, j++) {
        const job = jobs[j]!;
        t.samples.push({ offset: job.offset, size: job.size, decodeTime: time, duration: traf.duration[i]!, cto: traf.cto[i]!, sync: traf.sync[i]! });
        time += traf.duration[i]!;
      }
    }
  }
  for (const t of tracks) {
    for (const s of t.samples) {
      if (s.offset + s.size > size) throw new MediaError('truncated', `track ${t.track.id}: sample data runs past the end of the input`, { trackId: t.track.id, offset: s.offset });
    }
  }
  return { source, movie, tracks, fragmentedInput: movie.fragmented };
}
