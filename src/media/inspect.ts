// What a protected file says about itself: tracks, schemes, key IDs, IV sizes, patterns, pssh; and EME init data.
import { readBox } from './boxes/box.js';
import { readTopBox, readWholeBox } from './io/top-box.js';
import type { BoxContext } from './boxes/box.js';
import { hex } from './boxes/bytes.js';
import { asParserBug, MediaError } from './errors.js';
import { openSource } from './io/io.js';
import type { MediaInput, Source } from './io/io.js';
import { parseMovie } from './boxes/movie.js';
import type { Movie } from './boxes/movie.js';
import { parsePssh, parseSeigGroup } from './boxes/protection.js';
import type { KeyParams, PsshInfo } from './boxes/protection.js';
import { children } from './boxes/box.js';

export interface TrackProtection {
  trackId: number;
  handler: string;
  /** Sample entry type as stored (encv, enca, or a clear type). */
  sampleEntry: string;
  /** Codec fourcc (from frma for protected entries). */
  codec: string;
  protected: boolean;
  scheme: string | undefined;
  schemeVersion: string | undefined;
  defaultKeyId: string | undefined;
  perSampleIvSize: number | undefined;
  constantIv: boolean;
  /** "crypt:skip" in 16-byte blocks, when the scheme uses a pattern. */
  pattern: string | undefined;
  /** Key IDs of seig sample groups (key rotation), in the moov and the moofs read. */
  groupKeyIds: string[];
}

export interface PsshSummary {
  systemId: string;
  /** Well-known DRM name when recognised. */
  system: string | undefined;
  version: number;
  keyIds: string[];
  dataSize: number;
  /** Where it was found: "moov" or "moof". */
  location: string;
}

export interface MediaInfo {
  fragmented: boolean;
  tracks: TrackProtection[];
  pssh: PsshSummary[];
}

export interface InitData {
  /** All pssh boxes concatenated exactly as they appear: the 'cenc' init data type for EME. */
  cenc: Uint8Array;
  /** Default key IDs (tenc and seig) per track, hex. */
  keyIds: { trackId: number; keyIds: string[] }[];
  /** Every distinct key ID, hex, for building 'keyids' init data. */
  allKeyIds: string[];
}

const SYSTEMS: Record<string, string> = {
  '1077efecc0b24d02ace33c1e52e2fb4b': 'W3C Common (Clear Key)',
  e2719d58a985b3c9781ab030af78d30e: 'Clear Key (DASH-IF)',
  edef8ba979d64acea3c827dcd51d21ed: 'Widevine',
  '9a04f07998404286ab92e65be0885f95': 'PlayReady',
  '94ce86fb07ff4f43adb893d2fa968ca2': 'FairPlay',
};

interface Scan {
  movie: Movie;
  pssh: PsshInfo[];
  seig: Map<number, KeyParams[]>;
}

/** Reads moov and the first maxFragments moofs (headers only for everything else) without decrypting. */
async function scan(src: Source, maxFragments: number): Promise<Scan> {
  let movie: Movie | undefined;
  const pssh: PsshInfo[] = [];
  const seig = new Map<number, KeyParams[]>();
  let fragments = 0;
  for (;;) {
    // Enough fragments read: the rest of the file is not needed.
    if (movie && fragments >= maxFragments) break;
    const box = await readTopBox(src);
    if (!box) break;
    const { start, size, header } = box;
    const want = box.type === 'moov' || (box.type === 'moof' && fragments < maxFragments);
    if (want) {
      const buf = await readWholeBox(src, box);
      if (box.type === 'moov') {
        movie = parseMovie(buf, start);
        pssh.push(...movie.pssh);
      } else {
        fragments++;
        const ctx: BoxContext = { buf, base: start };
        const moof = readBox(ctx, 0, buf.length, '');
        for (const k of children(ctx, moof)) {
          if (k.type === 'pssh') pssh.push(parsePssh(ctx, k));
          if (k.type !== 'traf') continue;
          const kids = children(ctx, k);
          const tfhd = kids.find((x) => x.type === 'tfhd');
          const id = tfhd && tfhd.end - tfhd.start >= 16 ? buf.readUInt32BE(tfhd.start + tfhd.headerSize + 4) : 0;
          for (const x of kids) {
            const g = x.type === 'sgpd' ? parseSeigGroup(ctx, x) : undefined;
            if (g) seig.set(id, [...(seig.get(id) ?? []), ...g]);
          }
        }
      }
    } else {
      await src.skip(size - header.length);
      if (src.position < start + size && size !== Infinity) {
        throw new MediaError('truncated', 'file ends inside the box', { box: box.type, offset: start });
      }
    }
  }
  if (!movie) throw new MediaError('malformed', 'no moov box in the input', { box: 'file', offset: 0 });
  return { movie, pssh, seig };
}

export interface InspectOptions {
  /** Stop after this many movie fragments (default: all of them, for key IDs and pssh boxes in moofs). */
  maxFragments?: number;
  /** Read a file path with blocking calls, as DecryptOptions.blockingIo: a scan is many small reads. */
  blockingIo?: boolean;
}

async function withSource<T>(input: MediaInput, options: InspectOptions, fn: (src: Source) => Promise<T>): Promise<T> {
  const src = await openSource(input, { blocking: options.blockingIo === true });
  try {
    return await fn(src);
  } catch (e) {
    throw asParserBug(e);
  } finally {
    await src.close();
  }
}

type Scanned = Awaited<ReturnType<typeof scan>>;

function describe({ movie, pssh, seig }: Scanned): MediaInfo {
  const tracks = movie.tracks.map((t): TrackProtection => {
    const e = t.entries.find((x) => x.protected) ?? t.entries[0];
    const tenc = e?.tenc;
    const patterned = e?.scheme === 'cbcs' || e?.scheme === 'cens';
    const groups = [...(t.seig ?? []), ...(seig.get(t.id) ?? [])];
    const v = e?.schemeVersion;
    return {
      trackId: t.id,
      handler: t.handler,
      sampleEntry: e?.type ?? '',
      codec: e?.originalFormat ?? '',
      protected: e?.protected ?? false,
      scheme: e?.scheme,
      schemeVersion: v === undefined ? undefined : `${v >>> 16}.${v & 0xffff}`,
      defaultKeyId: tenc ? hex(tenc.keyId) : undefined,
      perSampleIvSize: tenc?.ivSize,
      constantIv: tenc?.constantIv !== undefined,
      pattern: patterned && tenc ? `${tenc.cryptBlocks}:${tenc.skipBlocks}` : undefined,
      groupKeyIds: [...new Set(groups.map((g) => hex(g.keyId)))],
    };
  });
  return {
    fragmented: movie.fragmented,
    tracks,
    pssh: pssh.map((p) => ({
      systemId: p.systemId,
      system: SYSTEMS[p.systemId],
      version: p.version,
      keyIds: p.keyIds,
      dataSize: p.data.length,
      location: p.path.split('/')[0] ?? '',
    })),
  };
}

function initDataOf({ movie, pssh, seig }: Scanned): InitData {
  const keyIds = movie.tracks
    .map((t) => {
      const ids = new Set<string>();
      for (const e of t.entries) if (e.protected && e.tenc && e.tenc.isProtected) ids.add(hex(e.tenc.keyId));
      for (const g of [...(t.seig ?? []), ...(seig.get(t.id) ?? [])]) if (g.isProtected) ids.add(hex(g.keyId));
      return { trackId: t.id, keyIds: [...ids] };
    })
    .filter((t) => t.keyIds.length > 0);
  return {
    cenc: Buffer.concat(pssh.map((p) => p.raw)),
    keyIds,
    allKeyIds: [...new Set(keyIds.flatMap((t) => t.keyIds))],
  };
}

export function inspectMedia(input: MediaInput, options: InspectOptions = {}): Promise<MediaInfo> {
  return withSource(input, options, async (src) => describe(await scan(src, options.maxFragments ?? Infinity)));
}

export function extractInitData(input: MediaInput, options: InspectOptions = {}): Promise<InitData> {
  return withSource(input, options, async (src) => initDataOf(await scan(src, options.maxFragments ?? Infinity)));
}

/** inspectMedia and extractInitData from one read of the file. */
export function readProtection(input: MediaInput, options: InspectOptions = {}): Promise<{ info: MediaInfo; initData: InitData }> {
  return withSource(input, options, async (src) => {
    const scanned = await scan(src, options.maxFragments ?? Infinity);
    return { info: describe(scanned), initData: initDataOf(scanned) };
  });
}
