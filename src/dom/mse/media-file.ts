// A whole media file the element fetched (a plain URL, not a MediaSource), cut into the segments a SourceBuffer's
// segment parser loop takes, so that it plays through the same coded frame processing and track buffers as MSE.
// A fragmented MP4 is the ISO BMFF byte stream as it is. A progressive MP4 (samples in the moov's sample tables,
// the media data anywhere in the file) becomes its init segment and one media segment holding every sample, with
// the timing of stts/ctts/stss and the protection of senc/saiz/saio and seig groups as src/media reads them.

import { readBox, type Box } from '../../media/boxes/box.js';
import { SampleBudget } from '../../media/boxes/budget.js';
import type { SampleJob } from '../../media/boxes/job.js';
import { parseMovie, type Movie } from '../../media/boxes/movie.js';
import { progressiveTimes } from '../../media/boxes/timing.js';
import { openSource } from '../../media/io/io.js';
import { progressiveLane } from '../../media/io/lanes.js';
import { ByteStreamParser, codedFrame, describeMovie, malformed, type MediaSegment, type Segment, type TrackTiming } from './byte-stream.js';

/** The file's segments in order; rejects (MediaError) when a progressive file's tables cannot be read. */
export async function fileSegments(bytes: Buffer): Promise<Iterable<Segment>> {
  const moov = progressiveMoov(bytes);
  if (!moov) return byteStream(bytes);
  const movie = parseMovie(bytes.subarray(moov.start, moov.end), moov.start);
  if (movie.fragmented) return byteStream(bytes);
  const { segment, timings } = describeMovie(movie, moov.start);
  return [segment, await progressiveSamples(movie, timings, bytes)];
}

function* byteStream(bytes: Buffer): Generator<Segment> {
  const parser = new ByteStreamParser();
  parser.append(bytes);
  let init = false;
  for (let segment = parser.next(); segment; segment = parser.next()) {
    init ||= segment.kind === 'init';
    yield segment;
  }
  // A file cut before its moov, or not MP4 boxes that the parser could refuse: nothing to play.
  if (!init) throw malformed('the file has no initialization segment (moov)', 0);
}

/** The moov of a file without movie fragments; undefined for anything else (left to the byte stream parser). */
function progressiveMoov(bytes: Buffer): Box | undefined {
  let moov: Box | undefined;
  for (let p = 0; p < bytes.length; ) {
    let box: Box;
    try {
      box = readBox({ buf: bytes, base: 0 }, p, bytes.length, '');
    } catch {
      break; // a cut or damaged box: whatever lies beyond it is not read
    }
    if (box.type === 'moof') return undefined;
    if (box.type === 'moov') moov ??= box;
    p = box.end;
  }
  return moov;
}

async function progressiveSamples(movie: Movie, timings: Map<number, TrackTiming>, bytes: Buffer): Promise<MediaSegment> {
  const source = await openSource(bytes);
  const budget = SampleBudget.ofSize(bytes.length);
  const frames: MediaSegment['frames'] = [];
  try {
    for (const track of movie.tracks) {
      const timing = timings.get(track.id);
      if (!timing) continue; // not audio or video
      // The lane hands samples in file order, each with its protection; timing is by sample index.
      const lane = await progressiveLane(movie, track, source, budget);
      const jobs = new Array<SampleJob>(lane.remaining());
      while (lane.remaining() > 0) {
        const job = lane.take();
        if (job.offset + job.size > bytes.length) throw malformed(`sample ${job.sampleIndex} of track ${track.id} runs past the end of the file`, job.offset);
        jobs[job.sampleIndex] = job;
      }
      const times = progressiveTimes(movie.ctx, track, jobs.length);
      let decodeTime = 0;
      for (let i = 0; i < jobs.length; i++) {
        const job = jobs[i]!;
        // The file is this SourceBuffer's own: its frames are views of it, not copies.
        const data = bytes.subarray(job.offset, job.offset + job.size);
        frames.push({ trackId: track.id, frame: codedFrame(timing, decodeTime, times.cto[i]!, times.duration[i]!, times.sync[i]!, data, job.crypto) });
        decodeTime += times.duration[i]!;
      }
    }
  } finally {
    await source.close();
  }
  return { kind: 'media', frames, initData: [] };
}
