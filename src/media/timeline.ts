// The clear input as an encryptor or packager sees it: its moov, and every sample of every track with its
// position, size and timing, read from progressive sample tables or from each moof (without reading any mdat).
import { SampleBudget } from './boxes/budget.js';
import { parseFragment } from './boxes/fragment.js';
import { parseMovie } from './boxes/movie.js';
import type { Movie, TrackInfo } from './boxes/movie.js';
import { buildSampleTable } from './boxes/sample-table.js';
import { fragmentTimes, progressiveTimes } from './boxes/timing.js';
import { MediaError } from './errors.js';
import { openSource } from './io/io.js';
import type { Source } from './io/io.js';
import { readTopBox, readWholeBox } from './io/top-box.js';

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

export async function readTimeline(input: Source): Promise<Timeline> {
  const source = await seekable(input);
  const size = source.size!;
  // One pass over the top-level boxes, holding the moov and the moofs (small) and skipping the media data.
  let movie: Movie | undefined;
  const moofs: { start: number; buf: Buffer }[] = [];
  for (let box = await readTopBox(source); box; box = await readTopBox(source)) {
    if (box.type === 'moov' && !movie) movie = parseMovie(await readWholeBox(source, box), box.start);
    else if (box.type === 'moof') moofs.push({ start: box.start, buf: await readWholeBox(source, box) });
    else await source.skip(box.size - box.header.length);
  }
  if (!movie) throw new MediaError('malformed', 'no moov box', { box: 'file', offset: 0 });
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
  for (const { start, buf } of moofs) {
    const jobs = parseFragment(movie, buf, start, counters, budget).jobs;
    let j = 0;
    for (const traf of fragmentTimes(movie, buf, start)) {
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
