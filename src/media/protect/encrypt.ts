// encryptMedia: a clear MP4 (progressive or fragmented) → Common Encryption MP4. Fragmented output by default:
// cut on the lead track's keyframes, written fragment by fragment (one fragment's data in memory), with tfdt,
// senc/saiz/saio and the pssh boxes; progressive output keeps a progressive input's layout, the moov worked out
// first and the media data streamed through (progressive-writer.ts). Memory stays bounded either way.
import { child } from '../boxes/box.js';
import { protectedFragments, writeFragmentTrack } from './fragment-stream.js';
import { moovPssh, trackProtectors, type ContentKey, type ProtectOptions } from './encrypt-options.js';
import { MediaError } from '../errors.js';
import { openSink, openSource } from '../io/io.js';
import type { MediaInput, MediaOutput, Sink } from '../io/io.js';
import { writeProgressive } from './progressive-writer.js';
import { readTimeline } from './timeline.js';
import type { Timeline } from './timeline.js';
import type { TrackProtector } from './track-protector.js';
import { ftypBox, initMoov, mdatHeader, moofBox } from '../write/fragments.js';
import { COMMON_SYSTEM_ID, protectedStsd, psshBox, sinfBox } from '../write/protection.js';

export interface KeyRotation {
  /** Length of a key period in seconds (a period starts at the first fragment at or after its start). */
  seconds: number;
  /** The key of a track in period n (n ≥ 1; period 0 uses `keys`). */
  key(period: number, track: { id: number; handler: string }): ContentKey | Promise<ContentKey>;
}

export interface EncryptOptions extends ProtectOptions {
  /** 'fragmented' (default) or 'progressive' (a progressive input only). */
  layout?: 'fragmented' | 'progressive';
  /** Fragment duration in seconds (default 2); fragments start on the lead track's keyframes. */
  fragmentDuration?: number;
  rotation?: KeyRotation;
  onProgress?(bytesDone: number, bytesTotal: number): void;
  signal?: AbortSignal;
  /** File reads and writes on this thread (see DecryptOptions.blockingIo). */
  blockingIo?: boolean;
}

export interface EncryptTrackReport {
  trackId: number;
  handler: string;
  codec: string;
  /** Key IDs used, hex, in order of first use. */
  keyIds: string[];
  samples: number;
  protected: boolean;
  /** Why some slices' headers could not be kept clear, one line per reason (TrackProtector.layoutNotes). */
  layoutNotes: string[];
}

export interface EncryptReport {
  scheme: ProtectOptions['scheme'];
  layout: 'fragmented' | 'progressive';
  fragments: number;
  tracks: EncryptTrackReport[];
  bytesWritten: number;
}

function trackReports(timeline: Timeline, protectors: ReadonlyMap<number, TrackProtector>): EncryptTrackReport[] {
  return timeline.tracks.map((t) => {
    const p = protectors.get(t.track.id);
    return { trackId: t.track.id, handler: t.track.handler, codec: t.track.entries[0]?.originalFormat ?? '?', keyIds: p ? [p.keyId.toString('hex')] : [], samples: t.samples.length, protected: p !== undefined, layoutNotes: p?.layoutNotes() ?? [] };
  });
}

/** The stsd each track gets in an init segment: protected where the track has a protector. */
export function initStsd(timeline: Timeline, protectors: ReadonlyMap<number, TrackProtector>, trackId: number): Buffer {
  const { ctx } = timeline.movie;
  const t = timeline.tracks.find((x) => x.track.id === trackId)!.track;
  const p = protectors.get(trackId);
  if (p) return protectedStsd(ctx, p.entry, p.video, sinfBox(p.entry.originalFormat, p.protection));
  const stsd = t.stbl && child(ctx, t.stbl, 'stsd');
  if (!stsd) throw new MediaError('malformed', `track ${trackId} has no stsd`, { trackId });
  return Buffer.from(ctx.buf.subarray(stsd.start, stsd.end));
}

/**
 * Switches keys at period boundaries; returns the pssh boxes the fragment's moof should carry (the common one
 * listing the new key IDs) when keys changed.
 */
export function rotationStep(rotation: KeyRotation | undefined, protectors: ReadonlyMap<number, TrackProtector>): (index: number, start: number) => Promise<Buffer[]> {
  let period = 0;
  return async (_index, start) => {
    if (!rotation) return [];
    const now = Math.floor(start / rotation.seconds + 1e-9);
    if (now === period) return [];
    period = now;
    const ids = new Map<string, Buffer>();
    for (const p of protectors.values()) {
      p.rotate(await rotation.key(period, { id: p.track.id, handler: p.track.handler }));
      ids.set(p.keyId.toString('hex'), p.keyId);
    }
    return [psshBox(COMMON_SYSTEM_ID, [...ids.values()])];
  };
}

/**
 * Encrypts `input` (a path, bytes, or a stream, which is copied to a temporary file in os.tmpdir() first, as the
 * samples are read out of order) into `output`, holding a fragment's data (fragmented) or a few MB (progressive).
 */
export async function encryptMedia(input: MediaInput, output: MediaOutput, o: EncryptOptions): Promise<EncryptReport> {
  const io = { blocking: o.blockingIo === true };
  const timeline = await readTimeline(await openSource(input, io), io);
  let sink: Sink | undefined;
  try {
    const protectors = trackProtectors(timeline.movie, o);
    if (o.rotation && o.rotation.seconds <= 0) throw new MediaError('unsupported-layout', 'the key period must be positive');
    if (o.layout === 'progressive') {
      if (timeline.fragmentedInput) throw new MediaError('unsupported-layout', 'progressive output needs a progressive input');
      if (o.rotation) throw new MediaError('unsupported-layout', 'key rotation needs fragmented output');
      sink = await openSink(output, io);
      await writeProgressive(timeline, protectors, sink, o);
      await sink.close();
      return { scheme: o.scheme, layout: 'progressive', fragments: 0, tracks: trackReports(timeline, protectors), bytesWritten: sink.position };
    }
    const reports = trackReports(timeline, protectors);
    if (o.rotation) for (const t of timeline.tracks) if (protectors.has(t.track.id) && t.track.handler !== 'vide' && t.track.handler !== 'soun') throw new MediaError('unsupported-layout', `track ${t.track.id}: key rotation covers audio and video`);
    sink = await openSink(output, io);
    const total = timeline.tracks.reduce((s, t) => s + t.samples.reduce((a, x) => a + x.size, 0), 0);
    let done = 0;
    const head = Buffer.concat([ftypBox(), initMoov(timeline.movie, timeline.tracks.map((t) => ({ track: t.track, stsd: initStsd(timeline, protectors, t.track.id) })), moovPssh(protectors, o))]);
    await sink.write(head);
    const rotate = rotationStep(o.rotation, protectors);
    let moofPssh: Buffer[] = [];
    let fragments = 0;
    const fragmentOptions = {
      seconds: o.fragmentDuration ?? 2,
      readAhead: !io.blocking,
      beforeFragment: async (index: number, start: number) => {
        moofPssh = await rotate(index, start);
      },
      onProgress: (bytes: number) => {
        done += bytes;
        o.onProgress?.(done, total);
      },
      ...(o.signal ? { signal: o.signal } : {}),
    };
    for await (const f of protectedFragments(timeline, protectors, fragmentOptions)) {
      let offset = 0;
      const trafs = f.tracks.map((t) => {
        const spec = { ...t, dataOffset: offset };
        offset += t.dataSize;
        return spec;
      });
      await sink.write(moofBox(f.index + 1, trafs, moofPssh));
      await sink.write(mdatHeader(offset));
      for (const t of f.tracks) await writeFragmentTrack(sink, t);
      // Writes batched so far start now: the fragment's memory comes back once they are done.
      sink.flush();
      for (const t of f.tracks) {
        const r = reports.find((x) => x.trackId === t.trackId)!;
        const kid = protectors.get(t.trackId)?.keyId.toString('hex');
        if (kid && !r.keyIds.includes(kid)) r.keyIds.push(kid);
      }
      fragments++;
    }
    for (const r of reports) r.layoutNotes = protectors.get(r.trackId)?.layoutNotes() ?? [];
    await sink.close();
    return { scheme: o.scheme, layout: 'fragmented', fragments, tracks: reports, bytesWritten: sink.position };
  } catch (error) {
    await sink?.abort().catch(() => undefined);
    throw error;
  } finally {
    await timeline.source.close();
  }
}
