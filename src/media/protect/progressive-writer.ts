// Progressive output written as it is encrypted, in bounded memory, keeping the input's layout (the bytes
// protectInPlace makes, given the same IVs): the protected moov is worked out first from the sample tables (a
// first pass reads the AVC/HEVC samples for their subsamples; audio needs none), then the file is copied
// through with that moov in place of the old one, in pieces of whole samples, each sample encrypted on the way
// with the IV and subsamples the new moov states (read back by decryption's own sample lanes).
import { SampleBudget } from '../boxes/budget.js';
import type { SampleJob } from '../boxes/job.js';
import { parseMovie } from '../boxes/movie.js';
import { SampleCipher } from '../cenc/cipher.js';
import type { ProtectOptions } from './encrypt-options.js';
import { MediaError } from '../errors.js';
import { BufferPool, writeThenRelease } from '../io/buffer-pool.js';
import type { Sink } from '../io/io.js';
import { LaneSet, progressiveLane } from '../io/lanes.js';
import { protectedMoov } from './protected-moov.js';
import type { TimedSample, Timeline } from './timeline.js';
import type { TrackProtector } from './track-protector.js';
import { AuxEntryList } from '../write/protection.js';

/** Bytes read and written at a time (a single longer sample is read whole). */
const PIECE = 2 << 20;
/** The cipher's memory, where pieces are read and encrypted fastest (a few pieces in flight). */
const CIPHER_MEMORY = 8 * PIECE;
/** Bytes between two samples of a track still read in one call in the first pass (and not used). */
const READ_GAP = 16 * 1024;
/**
 * Runs read at once in the first pass. The main thread only walks NAL headers there and mostly waits for the reads:
 * with several under way, libuv's pool copies them on both cores.
 */
const FIRST_PASS_READS = 3;
/** With blocking I/O, let the event loop turn (progress, an abort) every this many pieces. */
const YIELD_EVERY = 8;

export interface ProgressiveOptions extends ProtectOptions {
  onProgress?(bytesDone: number, bytesTotal: number): void;
  signal?: AbortSignal;
}

export async function writeProgressive(timeline: Timeline, protectors: ReadonlyMap<number, TrackProtector>, sink: Sink, o: ProgressiveOptions): Promise<void> {
  const src = timeline.source;
  const size = src.size!;
  const cipher = new SampleCipher('encrypt', CIPHER_MEMORY);
  const pool = new BufferPool((n) => cipher.allocate(n));
  const read = async (offset: number, len: number): Promise<Buffer> => {
    const buf = pool.acquire(len);
    if ((await src.readAtInto(buf, offset, len)) < len) throw new MediaError('truncated', `the input ended before offset ${offset + len}`, { offset });
    return buf;
  };
  // The first pass's reads count towards the progress, as the copy does.
  const firstPass = timeline.tracks.reduce((s, t) => s + (protectors.get(t.track.id)?.subsampled ? t.samples.reduce((a, x) => a + x.size, 0) : 0), 0);
  let done = 0;
  const progress = (n: number) => o.onProgress?.((done += n), firstPass + size);
  let pieces = 0;
  const turn = async () => {
    o.signal?.throwIfAborted();
    if (++pieces % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
  };

  // First pass: every protected sample's IV and subsamples, as senc entries for the moov. The samples are read in
  // runs (the next runs' reads under way while this one is parsed).
  const aux = new Map<number, AuxEntryList>();
  const none = Buffer.alloc(0);
  for (const t of timeline.tracks) {
    const p = protectors.get(t.track.id);
    if (!p || t.samples.length === 0) continue;
    const entries = new AuxEntryList();
    if (!p.subsampled) for (const s of t.samples) p.prepare(none, 0, s.size, entries);
    else {
      const reading = (r: IteratorResult<[number, number]>) => {
        if (r.done) return undefined;
        const [from, to] = r.value;
        const start = t.samples[from]!.offset;
        const len = t.samples[to - 1]!.offset + t.samples[to - 1]!.size - start;
        return { from, to, start, len, buf: settled(read(start, len)) };
      };
      const spans = runs(t.samples);
      const ahead: NonNullable<ReturnType<typeof reading>>[] = [];
      const readAhead = () => {
        for (let r; ahead.length < FIRST_PASS_READS && (r = reading(spans.next())); ) ahead.push(r);
      };
      for (readAhead(); ahead.length > 0; ) {
        const { from, to, start, buf: pending } = ahead.shift()!;
        readAhead();
        const buf = await pending;
        let bytes = 0;
        for (let i = from; i < to; i++) {
          p.prepare(buf, t.samples[i]!.offset - start, t.samples[i]!.size, entries);
          bytes += t.samples[i]!.size;
        }
        pool.release(buf);
        progress(bytes);
        await turn();
      }
    }
    aux.set(t.track.id, entries);
  }
  const moov = protectedMoov(timeline.movie, protectors, aux, o);
  aux.clear();

  // Second pass: the file copied through with the new moov in place of the old one, each sample encrypted as the
  // new moov says (its chunk offsets are output offsets: past the moov, moved by its growth).
  const moovStart = timeline.movie.ctx.base;
  const moovEnd = moovStart + timeline.movie.moov.end;
  const shift = moov.length - (moovEnd - moovStart);
  const out = parseMovie(moov, moovStart);
  const lanes = new LaneSet();
  const budget = SampleBudget.ofSize(size + Math.max(0, shift));
  for (const t of out.tracks) if (protectors.has(t.id)) lanes.add(await progressiveLane(out, t, src, budget));
  const where = (job: SampleJob) => () => `track ${job.trackId} sample ${job.sampleIndex + 1}`;
  let held: SampleJob | undefined;
  /** The next piece of input [pos, end) (whole samples), its read started. */
  const piece = (pos: number, end: number, by: number) => {
    if (pos >= end) return undefined;
    let stop = Math.min(end, pos + PIECE);
    const jobs: SampleJob[] = [];
    for (let job = held ?? lanes.takeBefore(stop + by); job; job = lanes.takeBefore(stop + by)) {
      held = undefined;
      const at = job.offset - by;
      if (at < pos || at + job.size > end) throw new MediaError('malformed', `${where(job)()}: sample data overlaps another sample, the moov or the end of the file`, { offset: at });
      if (at + job.size > stop) {
        // A sample never straddles two pieces: it starts the next one, or is a piece on its own.
        if (at > pos) {
          held = job;
          stop = at;
          break;
        }
        stop = at + job.size;
      }
      jobs.push(job);
    }
    return { pos, len: stop - pos, jobs, buf: settled(read(pos, stop - pos)) };
  };
  /** Copies input [from, end), whose output offsets are `by` further on, reading a piece ahead. */
  const copy = async (from: number, end: number, by: number) => {
    for (let next = piece(from, end, by); next; ) {
      const { pos, len, jobs, buf: pending } = next;
      next = piece(pos + len, end, by);
      const buf = await pending;
      for (const job of jobs) cipher.add(buf, job.offset - by - pos, job.size, job.crypto!, protectors.get(job.trackId)!.contentKey, where(job));
      cipher.flush();
      await writeThenRelease(sink, buf.subarray(0, len), () => pool.release(buf));
      progress(len);
      await turn();
    }
  };
  await copy(0, moovStart, 0);
  await sink.write(moov);
  progress(moovEnd - moovStart);
  await copy(moovEnd, size, shift);
  const left = held ?? lanes.takeBefore(Infinity);
  if (left) throw new MediaError('malformed', `${where(left)()}: sample data inside the moov or past the end of the file`, { offset: left.offset });
}

/**
 * [from, to) index ranges of samples read together: each sample starting at or after the previous one's end, at
 * most READ_GAP bytes further (another track's samples in between, read and not used), at most PIECE bytes in all
 * (or one sample).
 */
function* runs(samples: readonly TimedSample[]): Generator<[number, number]> {
  for (let i = 0; i < samples.length; ) {
    const start = samples[i]!.offset;
    let j = i + 1;
    let end = start + samples[i]!.size;
    while (j < samples.length && samples[j]!.offset >= end && samples[j]!.offset - end <= READ_GAP && samples[j]!.offset + samples[j]!.size - start <= PIECE) end = samples[j]!.offset + samples[j++]!.size;
    yield [i, j];
    i = j;
  }
}

/** `p`, marked as handled until it is awaited: a read started ahead may fail while an earlier one is still awaited. */
function settled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
