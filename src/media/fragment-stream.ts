// The samples of a clear timeline cut into fragments on the lead track's keyframes and protected fragment by
// fragment: what the encryptor and the packager write out (a fragment's data in memory at a time, in buffers
// reused once written).
import { SampleCipher } from './cenc/cipher.js';
import { MediaError } from './errors.js';
import type { SampleCrypto } from './boxes/job.js';
import { BufferPool } from './io/buffer-pool.js';
import type { Sink } from './io/io.js';
import type { TrafSpec } from './write/fragments.js';
import type { TimedSample, TimedTrack, Timeline } from './timeline.js';
import type { TrackProtector } from './track-protector.js';

export interface FragmentTrack extends Omit<TrafSpec, 'dataOffset'> {
  dataSize: number;
  /**
   * The samples' bytes, protected, in order, in pieces of whole samples (about PIECE bytes) encrypted as each is
   * asked for, so that each is written while it is still in the CPU's caches. Iterate once, before the next fragment.
   */
  pieces(): Generator<Buffer>;
  /** Hands the pieces' memory back for a later fragment once they are written (they must not be used after). */
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
}

/** Bytes of memory the encrypting cipher works in, for fragment buffers (beyond it: ordinary buffers, slower for CBC). */
const CIPHER_MEMORY = 64 << 20;
/** Bytes of sample data encrypted at a time (or one longer sample), then handed on. */
const PIECE = 1 << 20;

interface Prepared {
  crypto: SampleCrypto;
  key: Buffer;
}

/** buf's samples in pieces of about PIECE bytes, each encrypted (where `prepared`) just before it is handed on. */
function* encryptedPieces(buf: Buffer, samples: readonly TimedSample[], prepared: readonly Prepared[] | undefined, cipher: SampleCipher, where: () => string): Generator<Buffer> {
  for (let i = 0, at = 0; i < samples.length; ) {
    let j = i;
    let end = at;
    do end += samples[j++]!.size;
    while (j < samples.length && end + samples[j]!.size - at <= PIECE);
    if (prepared) {
      for (let k = i, p = at; k < j; p += samples[k]!.size, k++) cipher.add(buf, p, samples[k]!.size, prepared[k]!.crypto, prepared[k]!.key, where);
      cipher.flush();
    }
    yield buf.subarray(at, end);
    at = end;
    i = j;
  }
}

/**
 * Writes a fragment track's pieces to `sink` and releases its memory once they are written (a sink that keeps what
 * it is given gets copies).
 */
export async function writeFragmentTrack(sink: Sink, t: FragmentTrack): Promise<void> {
  if (sink.keepsBuffers) {
    for (const piece of t.pieces()) await sink.write(Buffer.from(piece));
    t.release();
    return;
  }
  let pending = 1;
  const written = () => {
    if (--pending === 0) t.release();
  };
  for (const piece of t.pieces()) {
    pending++;
    await sink.write(piece, written);
  }
  written();
}

export async function* protectedFragments(timeline: Timeline, protectors: ReadonlyMap<number, TrackProtector>, o: FragmentOptions): AsyncGenerator<ProtectedFragment> {
  const tracks = timeline.tracks.filter((t) => (o.trackIds ?? timeline.tracks.map((x) => x.track.id)).includes(t.track.id));
  const lead = leadTrack(timeline.tracks);
  if (!lead) return;
  const starts = fragmentStarts(timeline.tracks, o.seconds);
  const bounds = new Map(tracks.map((t) => [t.track.id, cuts(t, starts, lead)]));
  const cipher = new SampleCipher('encrypt', protectors.size > 0 ? CIPHER_MEMORY : 0);
  const pool = new BufferPool((n) => cipher.allocate(n));
  for (let f = 0; f < starts.length; f++) {
    o.signal?.throwIfAborted();
    await o.beforeFragment?.(f, starts[f]!);
    const out: FragmentTrack[] = [];
    for (const t of tracks) {
      const b = bounds.get(t.track.id)!;
      const samples = t.samples.slice(b[f]!, b[f + 1]!);
      if (samples.length === 0) continue;
      const protector = protectors.get(t.track.id);
      let dataSize = 0;
      for (let i = 0; i < samples.length; i++) dataSize += samples[i]!.size;
      const buf = pool.acquire(dataSize);
      // Contiguous samples are read in one go.
      const reads: Promise<number>[] = [];
      for (let i = 0, at = 0; i < samples.length; ) {
        let j = i + 1;
        let end = samples[i]!.offset + samples[i]!.size;
        while (j < samples.length && samples[j]!.offset === end) end += samples[j++]!.size;
        const len = end - samples[i]!.offset;
        reads.push(timeline.source.readAtInto(buf.subarray(at, at + len), samples[i]!.offset, len));
        at += len;
        i = j;
      }
      const got = (await Promise.all(reads)).reduce((a, n) => a + n, 0);
      if (got < dataSize) throw new MediaError('truncated', `track ${t.track.id}: the input ended inside fragment ${f + 1}'s samples`, { trackId: t.track.id });
      // IVs and subsamples now (the moof needs them first), the bytes encrypted piece by piece as they are written.
      const aux: Buffer[] = [];
      const prepared: Prepared[] = [];
      if (protector) {
        const key = protector.contentKey;
        for (let i = 0, p = 0; i < samples.length; p += samples[i]!.size, i++) {
          const { crypto, entry } = protector.prepare(buf, p, samples[i]!.size);
          aux.push(entry);
          prepared.push({ crypto, key });
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
        pieces: () => encryptedPieces(buf, samples, protector ? prepared : undefined, cipher, where),
        release: () => pool.release(buf),
      });
    }
    yield { index: f, start: starts[f]!, tracks: out };
  }
}
