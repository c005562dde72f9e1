// In-memory sample listing (progressive and fragmented), used to compare decrypted output with clear sources.
import { readBox } from './boxes/box.js';
import { MediaError } from './errors.js';
import { parseFragment } from './boxes/fragment.js';
import { parseMovie } from './boxes/movie.js';
import type { Movie } from './boxes/movie.js';
import { buildSampleTable } from './boxes/sample-table.js';
import { SampleBudget } from './boxes/budget.js';
import { openSource } from './io/io.js';
import type { SampleJob } from './boxes/job.js';
import { progressiveLane } from './io/lanes.js';

export interface SampleRef {
  offset: number;
  size: number;
}

/** Every sample of every track, in decode order, as positions in `bytes`. */
export function listSamples(bytes: Uint8Array): Map<number, SampleRef[]> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<number, SampleRef[]>();
  let movie: Movie | undefined;
  const counters = new Map<number, number>();
  const moofs: { start: number; end: number }[] = [];
  const budget = SampleBudget.ofSize(buf.length);
  let pos = 0;
  while (pos < buf.length) {
    const b = readBox({ buf, base: 0 }, pos, buf.length, '');
    if (b.type === 'moov') {
      movie = parseMovie(buf.subarray(b.start, b.end), b.start);
      for (const t of movie.tracks) {
        const table = buildSampleTable(movie.ctx, t, budget);
        const list: SampleRef[] = [];
        for (let i = 0; i < table.count; i++) list.push({ offset: table.offset[i]!, size: table.size[i]! });
        out.set(t.id, list);
      }
    } else if (b.type === 'moof') moofs.push({ start: b.start, end: b.end });
    pos = b.end;
  }
  if (!movie) throw new MediaError('malformed', 'no moov box', { box: 'file', offset: 0 });
  for (const m of moofs) {
    const frag = parseFragment(movie, buf.subarray(m.start, m.end), m.start, counters, budget);
    for (const j of frag.jobs.sort((a, b) => a.sampleIndex - b.sampleIndex)) {
      const list = out.get(j.trackId) ?? [];
      list.push({ offset: j.offset, size: j.size });
      out.set(j.trackId, list);
    }
  }
  for (const list of out.values()) {
    for (const s of list) {
      if (s.offset + s.size > buf.length) throw new MediaError('truncated', `sample at ${s.offset} runs past the end`, { box: 'file', offset: s.offset });
    }
  }
  return out;
}

/** The bytes of every sample of track `trackId`, in decode order. */
export function trackSamples(bytes: Uint8Array, trackId: number): Buffer[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return (listSamples(bytes).get(trackId) ?? []).map((s) => buf.subarray(s.offset, s.offset + s.size));
}

/** Every sample with its protection parameters, per track (for tests and tooling; not part of the public API). */
export async function sampleJobs(bytes: Uint8Array): Promise<Map<number, SampleJob[]>> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const src = await openSource(buf);
  const out = new Map<number, SampleJob[]>();
  const push = (j: SampleJob) => out.set(j.trackId, [...(out.get(j.trackId) ?? []), j]);
  let movie: Movie | undefined;
  const counters = new Map<number, number>();
  const moofs: { start: number; end: number }[] = [];
  const budget = SampleBudget.ofSize(buf.length);
  for (let pos = 0; pos < buf.length; ) {
    const b = readBox({ buf, base: 0 }, pos, buf.length, '');
    if (b.type === 'moov') movie = parseMovie(buf.subarray(b.start, b.end), b.start);
    else if (b.type === 'moof') moofs.push({ start: b.start, end: b.end });
    pos = b.end;
  }
  if (!movie) throw new MediaError('malformed', 'no moov box', { box: 'file', offset: 0 });
  for (const t of movie.tracks) {
    const lane = await progressiveLane(movie, t, src, budget);
    while (lane.remaining() > 0) push(lane.take());
  }
  for (const m of moofs) for (const j of parseFragment(movie, buf.subarray(m.start, m.end), m.start, counters, budget).jobs) push(j);
  for (const list of out.values()) list.sort((a, b) => a.sampleIndex - b.sampleIndex);
  return out;
}
