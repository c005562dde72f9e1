// The samples of a clear timeline cut into fragments on the lead track's keyframes and protected fragment by
// fragment: what the encryptor and the packager write out (a fragment's data in memory at a time, in buffers
// reused once written).
import { SampleCipher } from '../cenc/cipher.js';
import { MediaError } from '../errors.js';
import type { SampleCrypto } from '../boxes/job.js';
import { BufferPool } from '../io/buffer-pool.js';
import { AuxEntryList } from '../write/protection.js';
import type { Sink } from '../io/io.js';
import type { TrafSpec } from '../write/fragments.js';
import type { TimedSample, TimedTrack, Timeline } from './timeline.js';
import type { TrackProtector } from './track-protector.js';

export interface FragmentTrack extends Omit<TrafSpec, 'dataOffset'> {
  dataSize: number;
  /**
   * The samples' bytes, protected, in order, in pieces of whole samples (about PIECE bytes, each the parts of a
   * gathered write) encrypted as each is asked for, so that each is written while it is still in the CPU's caches.
   * Iterate once, before the next fragment.
   */
  pieces(): Generator<Buffer[]>;
  /**
   * Hands the pieces' memory back for a later fragment once they are written (they must not be used after): every
   * track's, before the next fragment is asked for (unless it was read ahead, it waits for them).
   */
  release(): void;
}

export interface ProtectedFragment {
  index: number;
  /** Start of the fragment in seconds (the lead track's first sample). */
  start: number;
  tracks: FragmentTrack[];
}

/** The track whose keyframes start fragments: the first video track with samples, else the first with samples. */
export function leadTrack(tracks: readonly TimedTrack[]): TimedTrack | undefined {
  const withSamples = tracks.filter((t) => t.samples.length > 0);
  return withSamples.find((t) => t.track.handler === 'vide') ?? withSamples[0];
}

/** Fragment start times in seconds: the lead track's sync samples at least `seconds` after the previous start. */
export function fragmentStarts(tracks: readonly TimedTrack[], seconds: number): number[] {
  const lead = leadTrack(tracks);
  if (!lead) return [];
  const scale = lead.track.timescale || 1;
  const starts: number[] = [];
  let last = -Infinity;
  for (const s of lead.samples) {
    const t = s.decodeTime / scale;
    if (starts.length === 0 || (s.sync && t - last >= seconds - 1e-9)) {
      starts.push(t);
      last = t;
    }
  }
  return starts;
}

/** For each track, the index of its first sample in each fragment (plus its sample count at the end). */
function cuts(track: TimedTrack, starts: readonly number[], lead: TimedTrack): number[] {
  const scale = track.track.timescale || 1;
  const out: number[] = [0];
  let i = 0;
  for (let f = 1; f < starts.length; f++) {
    // The lead track cuts exactly at its own samples; others at the first sample starting at or after the cut.
    while (i < track.samples.length && track.samples[i]!.decodeTime / scale < starts[f]! - (track === lead ? 1e-9 : 0)) i++;
    out.push(i);
  }
  out.push(track.samples.length);
  return out;
}

export interface FragmentOptions {
  seconds: number;
  /** Tracks to write, in order (default: all of the timeline's). */
  trackIds?: readonly number[];
  /** Key rotation: called before each fragment's samples are protected, to switch a track's key. */
  beforeFragment?(index: number, start: number): void | Promise<void>;
  onProgress?(bytes: number): void;
  signal?: AbortSignal;
  /**
   * Read each fragment while the one before is encrypted and written (for reads that run elsewhere: non-blocking
   * I/O); one more fragment's data in memory, so only for fragments up to READ_AHEAD_MAX bytes.
   */
  readAhead?: boolean;
}

/**
 * Bytes of memory the encrypting cipher works in, for fragment buffers (beyond it: ordinary buffers, slower for CBC):
 * room for three 16 MB fragments. With its working areas the memory stays under V8's 64 MiB limit of external
 * memory; past it, creating the memory took 1.5–5.7 ms and started a full collection on the main thread.
 */
const CIPHER_MEMORY = 60 << 20;
/** Bytes of sample data encrypted at a time (or one longer sample), then handed on. */
const PIECE = 1 << 20;
/** Parts of one gathered write at most (Linux takes 1024 buffers per writev call). */
const PIECE_PARTS = 512;
/** Largest fragment read ahead (2 s at 64 Mb/s); a larger one is read once the one before is written. */
const READ_AHEAD_MAX = 16 << 20;
/** Longest read of a fragment nothing else runs beside (the first): its runs are read in parallel calls. */
const WAITED_READ = 1 << 20;
/** Bytes between two samples of a fragment still read in the same call (and then not written). */
const READ_GAP = 16 * 1024;

interface Prepared {
  crypto: SampleCrypto;
  key: Buffer;
}

/**
 * buf's samples (sample k at pos[k]) in pieces of about PIECE bytes, each encrypted (where `prepared`) just
 * before it is handed on; adjacent samples are one part.
 */
function* encryptedPieces(buf: Buffer, samples: readonly TimedSample[], pos: Float64Array, prepared: readonly Prepared[] | undefined, cipher: SampleCipher, where: () => string): Generator<Buffer[]> {
  for (let i = 0; i < samples.length; ) {
    const parts: Buffer[] = [];
    let bytes = 0;
    let j = i;
    do {
      const at = pos[j]!;
      let end = at + samples[j]!.size;
      for (j++; j < samples.length && pos[j] === end && bytes + end - at + samples[j]!.size <= PIECE; j++) end += samples[j]!.size;
      parts.push(buf.subarray(at, end));
      bytes += end - at;
    } while (j < samples.length && bytes + samples[j]!.size <= PIECE && parts.length < PIECE_PARTS);
    if (prepared) {
      for (let k = i; k < j; k++) cipher.add(buf, pos[k]!, samples[k]!.size, prepared[k]!.crypto, prepared[k]!.key, where);
      cipher.flush();
    }
    yield parts;
    i = j;
  }
}

/**
 * Writes a fragment track's pieces to `sink` and releases its memory once they are written (a sink that keeps what
 * it is given gets copies).
 */
export async function writeFragmentTrack(sink: Sink, t: FragmentTrack): Promise<void> {
  if (sink.keepsBuffers) {
    for (const parts of t.pieces()) await sink.write(Buffer.concat(parts));
    t.release();
    return;
  }
  let pending = 1;
  const written = () => {
    if (--pending === 0) t.release();
  };
  for (const parts of t.pieces()) {
    pending++;
    await sink.writeParts(parts, written);
  }
  written();
}

/** Bytes of fragment f's samples of `tracks`. */
function fragmentBytes(tracks: readonly TimedTrack[], bounds: ReadonlyMap<number, number[]>, f: number): number {
  let n = 0;
  for (const t of tracks) {
    const b = bounds.get(t.track.id)!;
    for (let i = b[f]!; i < b[f + 1]!; i++) n += t.samples[i]!.size;
  }
  return n;
}

/** A fragment's samples, read (or being read) into one buffer. */
interface ReadFragment {
  tracks: { t: TimedTrack; samples: TimedSample[]; pos: Float64Array }[];
  buf: Buffer;
  /** Settles once every sample's bytes are in buf. */
  read: Promise<void>;
}

/**
 * Reads fragment f's samples of `tracks` into one pooled buffer: samples in file order, runs of them that lie
 * together (an interleaved file's tracks, gaps under READ_GAP) read in one call each, every sample at a place of its
 * own (samples that share bytes get copies, as each is encrypted in place). `chunk`: longest single read, for a
 * fragment waited for at once (the pool's threads then copy it on both cores).
 */
function readFragment(timeline: Timeline, tracks: readonly TimedTrack[], bounds: ReadonlyMap<number, number[]>, f: number, pool: BufferPool, chunk = Infinity): ReadFragment {
  const parts = tracks.map((t) => {
    const b = bounds.get(t.track.id)!;
    const samples = t.samples.slice(b[f]!, b[f + 1]!);
    return { t, samples, pos: new Float64Array(samples.length) };
  });
  const order: [number, number][] = [];
  parts.forEach((p, i) => p.samples.forEach((_s, k) => order.push([i, k])));
  const sample = ([i, k]: [number, number]) => parts[i]!.samples[k]!;
  order.sort((a, b) => sample(a).offset - sample(b).offset);
  // Runs to read: [file offset, length, buffer offset].
  const runs: [number, number, number][] = [];
  let at = 0;
  for (const ik of order) {
    const s = sample(ik);
    const run = runs[runs.length - 1];
    const runEnd = run ? run[0] + run[1] : -1;
    if (run && s.offset >= runEnd && s.offset - runEnd <= READ_GAP) {
      run[1] = s.offset + s.size - run[0];
    } else {
      at += run ? run[1] : 0;
      runs.push([s.offset, s.size, at]);
    }
    const r = runs[runs.length - 1]!;
    parts[ik[0]]!.pos[ik[1]] = r[2] + s.offset - r[0];
  }
  const total = runs.reduce((n, r) => n + r[1], 0);
  const buf = pool.acquire(total);
  const reads: Promise<void>[] = [];
  for (const [offset, len, into] of runs) {
    for (let o = 0; o < len; o += chunk) {
      const n = Math.min(chunk, len - o);
      reads.push(
        timeline.source.readAtInto(buf.subarray(into + o, into + o + n), offset + o, n).then((got) => {
          if (got < n) throw new MediaError('truncated', `the input ended inside fragment ${f + 1}'s samples`);
        }),
      );
    }
  }
  const read = Promise.all(reads).then(() => undefined);
  // Failures surface where the fragment is awaited; until then they are not unhandled.
  read.catch(() => undefined);
  return { tracks: parts, buf, read };
}

export async function* protectedFragments(timeline: Timeline, protectors: ReadonlyMap<number, TrackProtector>, o: FragmentOptions): AsyncGenerator<ProtectedFragment> {
  const tracks = timeline.tracks.filter((t) => (o.trackIds ?? timeline.tracks.map((x) => x.track.id)).includes(t.track.id));
  const lead = leadTrack(timeline.tracks);
  if (!lead) return;
  const starts = fragmentStarts(timeline.tracks, o.seconds);
  const bounds = new Map(tracks.map((t) => [t.track.id, cuts(t, starts, lead)]));
  const cipher = new SampleCipher('encrypt', protectors.size > 0 ? CIPHER_MEMORY : 0);
  const pool = new BufferPool((n) => cipher.allocate(n));
  let next: ReadFragment | undefined = readFragment(timeline, tracks, bounds, 0, pool, WAITED_READ);
  for (let f = 0; f < starts.length; f++) {
    o.signal?.throwIfAborted();
    const cur = next!;
    await cur.read;
    // The next fragment's reads run (on libuv's pool, with non-blocking I/O) while this one is encrypted and written.
    next = f + 1 < starts.length && o.readAhead && fragmentBytes(tracks, bounds, f + 1) <= READ_AHEAD_MAX ? readFragment(timeline, tracks, bounds, f + 1, pool) : undefined;
    await o.beforeFragment?.(f, starts[f]!);
    const out: FragmentTrack[] = [];
    let unreleased = cur.tracks.filter((p) => p.samples.length > 0).length;
    let released!: () => void;
    const whenReleased = new Promise<void>((resolve) => (released = resolve));
    const release = () => {
      if (--unreleased > 0) return;
      pool.release(cur.buf);
      released();
    };
    if (unreleased === 0) release();
    for (const { t, samples, pos } of cur.tracks) {
      if (samples.length === 0) continue;
      const protector = protectors.get(t.track.id);
      let dataSize = 0;
      for (let i = 0; i < samples.length; i++) dataSize += samples[i]!.size;
      // IVs and subsamples now (the moof needs them first), the bytes encrypted piece by piece as they are written.
      const aux = new AuxEntryList();
      const prepared: Prepared[] = [];
      if (protector) {
        const key = protector.contentKey;
        for (let i = 0; i < samples.length; i++) {
          prepared.push({ crypto: protector.prepare(cur.buf, pos[i]!, samples[i]!.size, aux), key });
        }
      }
      const where = () => `track ${t.track.id}`;
      o.onProgress?.(dataSize);
      out.push({
        trackId: t.track.id,
        baseDecodeTime: samples[0]!.decodeTime,
        samples,
        aux: protector ? aux : undefined,
        subsampled: protector?.subsampled ?? false,
        ...(protector?.rotated ? { seig: protector.protection } : {}),
        dataSize,
        pieces: () => encryptedPieces(cur.buf, samples, pos, protector ? prepared : undefined, cipher, where),
        release,
      });
    }
    yield { index: f, start: starts[f]!, tracks: out };
    if (!next && f + 1 < starts.length) {
      // Not read ahead: read into this fragment's buffer once it is written, so that one fragment is in memory.
      await whenReleased;
      next = readFragment(timeline, tracks, bounds, f + 1, pool, WAITED_READ);
    }
  }
}
