// packageMedia: clear MP4 inputs (a video and audio tracks, in one file or several) → an encrypted fragmented
// presentation in a folder: per track an init segment and media segments (cut on the video's keyframes), a DASH
// MPD with Clear Key signalling and HLS playlists (fMP4, SAMPLE-AES-CTR or SAMPLE-AES, KEYFORMAT org.w3.clearkey).
// The folder appears whole or not at all: everything is written beside it first, then renamed into place.
import { mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describeEntry } from '../boxes/codec-string.js';
import type { Scheme } from '../boxes/protection.js';
import { moovPssh, trackProtectors, type ProtectOptions } from '../protect/encrypt-options.js';
import { initStsd, rotationStep, type KeyRotation } from '../protect/encrypt.js';
import { MediaError } from '../errors.js';
import { protectedFragments } from '../protect/fragment-stream.js';
import { openSource } from '../io/io.js';
import type { MediaInput } from '../io/io.js';
import { dashManifest } from './manifest/dash.js';
import { masterPlaylist, mediaPlaylist, playlistPath } from './manifest/hls.js';
import { segmentPath, type Presentation, type Representation } from './manifest/presentation.js';
import { readTimeline } from '../protect/timeline.js';
import { ftypBox, initMoov, mdatHeader, moofBox } from '../write/fragments.js';
import { COMMON_SYSTEM_ID, psshBox } from '../write/protection.js';

export interface PackageOptions extends Omit<ProtectOptions, 'scheme' | 'pssh' | 'videoLayout'> {
  /** cenc (HLS SAMPLE-AES-CTR) or cbcs (HLS SAMPLE-AES); default cenc. */
  scheme?: Extract<Scheme, 'cenc' | 'cbcs'>;
  /** Segment duration in seconds (default 2); segments start on the video's keyframes. */
  segmentDuration?: number;
  /** Key rotation: a new key per period, announced by a pssh in the moof where it starts (and in HLS by a new EXT-X-KEY). */
  rotation?: KeyRotation;
  /** The Clear Key license server the DASH manifest names (clearkey:Laurl). */
  licenseUrl?: string;
  onProgress?(bytesDone: number, bytesTotal: number): void;
  signal?: AbortSignal;
}

export interface PackageReport {
  /** Paths, under the output folder. */
  dash: string;
  hls: string;
  presentation: Presentation;
  /** Key IDs used (hex), in order of first use. */
  keyIds: string[];
  /** Why some slices' headers could not be kept clear, one line per representation and reason (TrackProtector.layoutNotes). */
  layoutNotes: string[];
}

const MANIFEST = 'manifest.mpd';
const MASTER = 'master.m3u8';

/** Where a presentation's files go: a folder (packageMedia) or memory (packagePresentation). */
type WriteFile = (path: string, bytes: Buffer | string) => Promise<void>;

async function buildPresentation(inputs: readonly MediaInput[], o: PackageOptions, write: WriteFile): Promise<Omit<PackageReport, 'dash' | 'hls'>> {
  const scheme = o.scheme ?? 'cenc';
  if (scheme !== 'cenc' && scheme !== 'cbcs') throw new MediaError('unsupported-scheme', `packaging takes cenc or cbcs (HLS has no method for ${String(scheme)})`);
  if (inputs.length === 0) throw new MediaError('unsupported-layout', 'nothing to package: no input');
  if (o.rotation && !(o.rotation.seconds > 0)) throw new MediaError('unsupported-layout', 'the key period must be positive');
  const timelines = [];
  for (const input of inputs) timelines.push(await readTimeline(await openSource(input)));
  const total = timelines.reduce((s, t) => s + t.tracks.reduce((a, x) => a + x.samples.reduce((b, y) => b + y.size, 0), 0), 0);
  let done = 0;
  const representations: Representation[] = [];
  const counts = { video: 0, audio: 0 };
  const keyIds = new Set<string>();
  const layoutNotes: string[] = [];
  try {
    for (const timeline of timelines) {
      const protectors = trackProtectors(timeline.movie, { ...o, scheme });
      for (const t of timeline.tracks) {
        const kind = t.track.handler === 'vide' ? 'video' : t.track.handler === 'soun' ? 'audio' : undefined;
        if (!kind || t.samples.length === 0) continue;
        const n = ++counts[kind];
        const id = n === 1 ? kind : `${kind}-${n}`;
        const protector = protectors.get(t.track.id);
        const only = new Map(protector ? [[t.track.id, protector]] : []);
        const init = Buffer.concat([ftypBox(), initMoov(timeline.movie, [{ track: t.track, stsd: initStsd(timeline, protectors, t.track.id) }], protector ? moovPssh(only, { ...o, scheme }) : [])]);
        await write(`${id}/init.mp4`, init);
        const r: Representation = {
          id,
          kind,
          ...describeEntry(timeline.movie.ctx, t.track.entries[0]!),
          timescale: t.track.timescale,
          bandwidth: 0,
          segments: [],
          init: `${id}/init.mp4`,
          media: `${id}/seg-$Number$.m4s`,
          keyId: protector?.keyId,
        };
        // Key rotation: each track's protector switches keys at the period boundaries; the moof where it does
        // carries the common pssh of the new key ID.
        const rotate = rotationStep(o.rotation, only);
        let moofPssh: Buffer[] = [];
        const fragments = protectedFragments(timeline, only, {
          seconds: o.segmentDuration ?? 2,
          trackIds: [t.track.id],
          beforeFragment: async (index, start) => {
            moofPssh = await rotate(index, start);
          },
          onProgress: (bytes) => o.onProgress?.((done += bytes), total),
          ...(o.signal ? { signal: o.signal } : {}),
        });
        for await (const f of fragments) {
          const part = f.tracks[0];
          if (!part) continue;
          const moof = moofBox(r.segments.length + 1, [{ ...part, dataOffset: 0 }], moofPssh);
          const segment = Buffer.concat([moof, mdatHeader(part.dataSize), ...[...part.pieces()].flat()]);
          part.release();
          r.segments.push({ start: part.baseDecodeTime, duration: part.samples.reduce((s, x) => s + x.duration, 0), size: segment.length, keyId: protector?.keyId });
          if (protector) keyIds.add(protector.keyId.toString('hex'));
          await write(segmentPath(r, r.segments.length), segment);
        }
        r.bandwidth = Math.max(...r.segments.map((s) => Math.ceil((s.size * 8 * r.timescale) / Math.max(1, s.duration))));
        layoutNotes.push(...(protector?.layoutNotes() ?? []).map((note) => `${id}: ${note}`));
        representations.push(r);
      }
    }
  } finally {
    for (const t of timelines) await t.source.close();
  }
  if (representations.length === 0) throw new MediaError('unsupported-layout', 'no audio or video track with samples');
  const duration = Math.max(...representations.map((r) => r.segments.reduce((s, x) => s + x.duration, 0) / r.timescale));
  const presentation: Presentation = { scheme, duration, representations, licenseUrl: o.licenseUrl, pssh: (keyId) => psshBox(COMMON_SYSTEM_ID, [keyId]) };
  await write(MANIFEST, dashManifest(presentation));
  for (const r of representations) await write(playlistPath(r), mediaPlaylist(presentation, r));
  await write(MASTER, masterPlaylist(presentation));
  return { presentation, keyIds: [...keyIds], layoutNotes };
}

/**
 * Packages into the folder `outDir`, which must not exist or be empty: everything is written beside it first,
 * then renamed into place, so it appears whole or not at all.
 */
export async function packageMedia(inputs: readonly MediaInput[], outDir: string, o: PackageOptions): Promise<PackageReport> {
  const existing = await readdir(outDir).catch(() => undefined);
  if (existing && existing.length > 0) throw new MediaError('io', `${outDir} exists and is not empty`);
  const work = `${outDir}.partial-${process.pid}-${Date.now()}`;
  await mkdir(work, { recursive: true });
  try {
    const built = await buildPresentation(inputs, o, async (path, bytes) => {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), bytes);
    });
    if (existing) await rmdir(outDir);
    await rename(work, outDir);
    return { dash: MANIFEST, hls: MASTER, ...built };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/** The same presentation in memory: every file by its path (manifest.mpd, master.m3u8, video/init.mp4, …). */
export async function packagePresentation(inputs: readonly MediaInput[], o: PackageOptions): Promise<PackageReport & { files: Map<string, Buffer> }> {
  const files = new Map<string, Buffer>();
  const built = await buildPresentation(inputs, o, async (path, bytes) => {
    files.set(path, Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'));
  });
  return { dash: MANIFEST, hls: MASTER, ...built, files };
}
