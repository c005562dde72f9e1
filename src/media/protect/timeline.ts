// The clear input as an encryptor or packager sees it: its moov, and every sample of every track with its
// position, size and timing, read from progressive sample tables or from each moof (without reading any mdat).
import { SampleBudget } from '../boxes/budget.js';
import { parseFragment } from '../boxes/fragment.js';
import { parseMovie } from '../boxes/movie.js';
import type { Movie, TrackInfo } from '../boxes/movie.js';
import { buildSampleTable } from '../boxes/sample-table.js';
import { fragmentTimes, progressiveTimes } from '../boxes/timing.js';
import { MediaError } from '../errors.js';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSink, openSource } from '../io/io.js';
import type { IoOptions, Source } from '../io/io.js';
import { readTopBox, readWholeBox } from '../io/top-box.js';

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
  /** Random access to the sample data (a stream input is copied to a temporary file first). */
  source: Source;
  movie: Movie;
  tracks: TimedTrack[];
  fragmentedInput: boolean;
}

/**
 * The source itself when it has random access; a stream is copied to a temporary file first (in the system's
 * temporary folder, os.tmpdir()), which goes when the returned source is closed: memory stays bounded.
 */
async function seekable(src: Source, io: IoOptions): Promise<Source> {
  if (src.seekable) return src;
  const dir = await fsp.mkdtemp(join(tmpdir(), 'emekit-input-'));
  const remove = () => fsp.rm(dir, { recursive: true, force: true });
  try {
    const path = join(dir, 'input.mp4');
    const sink = await openSink(path, io);
    try {
      // One buffer, reused once written: a new one per read would pile up until V8 next collects.
      const chunk = Buffer.allocUnsafeSlow(1 << 20);
      for (let n = await src.readInto(chunk, chunk.length); n > 0; n = await src.readInto(chunk, chunk.length)) {
        await new Promise<void>((resolve, reject) => {
          sink.write(chunk.subarray(0, n), resolve).catch(reject);
          sink.flush();
        });
      }
      await sink.close();
    } catch (e) {
      await sink.abort();
      throw e;
    }
    const file = await openSource(path, io);
    const close = file.close.bind(file);
    file.close = async () => {
      await close();
      await remove();
    };
    return file;
  } catch (e) {
    await remove();
    throw e;
  } finally {
    await src.close();
  }
}

export async function readTimeline(input: Source, io: IoOptions = {}): Promise<Timeline> {
  const source = await seekable(input, io);
  try {
    return await timelineOf(source);
  } catch (e) {
    // Closed here, as the caller never gets it: the file (and a stream's temporary copy) let go.
    await source.close().catch(() => undefined);
    throw e;
  }
}

async function timelineOf(source: Source): Promise<Timeline> {
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
