// Samples of many slices: a senc entry's size is one byte in saiz (ISO/IEC 14496-12), so the encryptor keeps each
// entry within 255 bytes (at most 41 subsamples with 8-byte IVs, 39 with 16-byte ones, 42 with a constant IV) by
// leaving the shortest slices' data clear; NAL headers stay clear, the sample still round-trips, and the box
// writer refuses an entry saiz cannot describe rather than write a wrong size.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readBox } from '../../src/media/boxes/box.js';
import { parseMovie } from '../../src/media/boxes/movie.js';
import type { Scheme } from '../../src/media/boxes/protection.js';
import { cryptSample } from '../../src/media/cenc/cipher.js';
import { AvcSliceHeaders } from '../../src/media/cenc/avc-slice.js';
import { maxSubsamplePairs, nalSubsamples } from '../../src/media/cenc/subsamples.js';
import { MediaError } from '../../src/media/errors.js';
import { decryptMedia } from '../../src/media/index.js';
import { sampleJobs, trackSamples } from '../../src/media/samples.js';
import { TrackProtector } from '../../src/media/protect/track-protector.js';
import { AuxEntryList, auxBoxes } from '../../src/media/write/protection.js';
import { hasShaka, KEYS, readFixture, shakaDir } from '../support/fixtures.js';

const key = { keyId: Buffer.from(KEYS.video.kid, 'hex'), key: Buffer.from(KEYS.video.key, 'hex') };

function videoTrack() {
  const file = readFixture('clear_prog.mp4');
  for (let p = 0; p < file.length; ) {
    const b = readBox({ buf: file, base: 0 }, p, file.length, '');
    if (b.type === 'moov') {
      const movie = parseMovie(file.subarray(b.start, b.end), b.start);
      const track = movie.tracks.find((t) => t.handler === 'vide')!;
      const at = file.indexOf('avcC', b.start);
      return { movie, track, entry: track.entries[0]!, avcC: file.subarray(at + 4, at - 4 + file.readUInt32BE(at - 4)) };
    }
    p = b.end;
  }
  throw new Error('no moov');
}

/** An AVC sample (4-byte NAL lengths) of `n` non-IDR slices of different lengths, the first ones short. */
function manySlices(n: number): { sample: Buffer; nalStarts: number[] } {
  const parts: Buffer[] = [];
  const nalStarts: number[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const body = randomBytes(40 + ((i * 37) % 300));
    const nal = Buffer.concat([Buffer.from([0, 0, 0, 0, 0x41]), body]);
    nal.writeUInt32BE(nal.length - 4, 0);
    nalStarts.push(at);
    parts.push(nal);
    at += nal.length;
  }
  return { sample: Buffer.concat(parts), nalStarts };
}

describe('a sample of 60 slices', () => {
  it.each([
    ['cenc', { size: 8 as const }, 8],
    ['cbc1', { size: 16 as const }, 16],
    ['cens', { size: 8 as const }, 8],
    ['cbcs', { constant: Buffer.from('9a7e1b2c3d4e5f60718293a4b5c6d7e8', 'hex') }, 0],
  ] as const)('%s: a senc entry within 255 bytes, NAL headers clear, the shortest slices left clear, and the sample round-trips', (scheme, iv, ivSize) => {
    const { movie, track, entry, avcC } = videoTrack();
    const protector = new TrackProtector(movie.ctx, track, entry, { scheme: scheme as Scheme, key, iv });
    const { sample, nalStarts } = manySlices(60);
    // The layout the protector works out before capping: slice headers measured with the track's SPS/PPS (random
    // slice data makes most of them unreadable, so those slices are protected from their NAL header on).
    const uncapped = nalSubsamples(sample, 0, sample.length, { lengthSize: 4, hevc: false, wholeBlocks: scheme !== 'cbcs', slices: new AvcSliceHeaders(avcC) });
    expect(uncapped.length / 2).toBeGreaterThan(maxSubsamplePairs(ivSize));
    const entries = new AuxEntryList();
    const crypto = protector.prepare(sample, 0, sample.length, entries);
    expect(entries.sizes).toHaveLength(1);
    expect(entries.sizes[0]!).toBeLessThanOrEqual(255);
    const subs = crypto.subsamples!;
    expect(subs.length / 2).toBe(maxSubsamplePairs(ivSize));
    let total = 0;
    const clearRanges: [number, number][] = [];
    const protectedRanges: [number, number][] = [];
    for (let i = 0; i < subs.length; i += 2) {
      clearRanges.push([total, total + subs[i]!]);
      protectedRanges.push([total + subs[i]!, total + subs[i]! + subs[i + 1]!]);
      total += subs[i]! + subs[i + 1]!;
    }
    expect(total).toBe(sample.length);
    // Every NAL length field and header byte is clear.
    for (const s of nalStarts) expect(clearRanges.some(([a, b]) => a <= s && s + 5 <= b), `NAL at ${s}`).toBe(true);
    // The ranges kept protected are the longest ones (but the last, which has no next pair to join): none dropped
    // is longer than one kept.
    const kept = new Set(protectedRanges.filter(([a, b]) => b > a).map(([a]) => a));
    const dropped: number[] = [];
    const keptLengths: number[] = [];
    for (let i = 0, at = 0; i + 2 < uncapped.length; i += 2) {
      at += uncapped[i]!;
      if (uncapped[i + 1]! > 0) (kept.has(at) ? keptLengths : dropped).push(uncapped[i + 1]!);
      at += uncapped[i + 1]!;
    }
    expect(dropped.length).toBe(uncapped.length / 2 - maxSubsamplePairs(ivSize));
    expect(Math.max(...dropped)).toBeLessThanOrEqual(Math.min(...keptLengths));
    const work = Buffer.from(sample);
    cryptSample(work, 0, work.length, crypto, key.key, 'encrypt', () => 'test');
    expect(work.equals(sample)).toBe(false);
    cryptSample(work, 0, work.length, crypto, key.key, 'decrypt', () => 'test');
    expect(work.equals(sample)).toBe(true);
  });
});

describe("AVC slice headers stay clear in every scheme: the subsamples are GPAC's (MP4Box -crypt, test/fixtures/cenc)", () => {
  // GPAC keeps each slice header clear; cbcs protects from the slice data on, the others whole blocks to the NAL's end.
  it.each(['cenc_mp4box.mp4', 'cens_mp4box.mp4', 'cbc1_mp4box.mp4', 'cbcs_mp4box.mp4', 'cenc_mp4box_prog.mp4', 'cens_mp4box_prog.mp4', 'cbc1_mp4box_prog.mp4', 'cbcs_mp4box_prog.mp4'])('%s', async (file) => {
    const { movie, track, entry } = videoTrack();
    const scheme = file.slice(0, 4) as Scheme;
    const protector = new TrackProtector(movie.ctx, track, entry, { scheme, key });
    const clear = trackSamples(readFixture('clear_prog.mp4'), track.id);
    const gpac = (await sampleJobs(readFixture(file))).get(track.id)!;
    expect(gpac).toHaveLength(clear.length);
    for (const job of gpac) {
      const sample = clear[job.sampleIndex]!;
      expect([...protector.prepare(sample, 0, sample.length, new AuxEntryList()).subsamples!], `sample ${job.sampleIndex}`).toEqual([...job.crypto!.subsamples!]);
    }
    expect(protector.layoutNotes()).toEqual([]);
  });
});

if (!hasShaka) console.warn(`Shaka media not found at ${shakaDir}: skipping the comparison with its cenc layout`);

describe.skipIf(!hasShaka)("AVC cenc: the subsamples of Shaka Player's DASH Clear Key asset (/work/shared/media/shaka)", () => {
  // Protected elsewhere (slice headers clear, whole blocks): decrypted with its published key, each sample laid out
  // again by emekit must give the subsamples its senc has.
  it.each([1, 2, 3, 4, 5])('segment %i', async (n) => {
    const dir = join(shakaDir, 'dash-clearkey');
    const init = readFileSync(join(dir, 'video-H264-288-400k_init.mp4'));
    const protectedFile = Buffer.concat([init, readFileSync(join(dir, `video-H264-288-400k_${n}.m4s`))]);
    const parts: Buffer[] = [];
    await decryptMedia(protectedFile, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }), { keys: () => Buffer.from('fc35340837310cc0fb53de97e22a69e0', 'hex') });
    const clear = trackSamples(Buffer.concat(parts), 1);
    const at = init.indexOf('avcC');
    const avcC = init.subarray(at + 4, at - 4 + init.readUInt32BE(at - 4));
    const layout = { lengthSize: (avcC[4]! & 3) + 1, hevc: false, wholeBlocks: true, slices: new AvcSliceHeaders(avcC) };
    const theirs = (await sampleJobs(protectedFile)).get(1)!;
    expect(theirs.length).toBeGreaterThan(90);
    for (const job of theirs) {
      const sample = clear[job.sampleIndex]!;
      expect([...nalSubsamples(sample, 0, sample.length, layout)], `sample ${job.sampleIndex}`).toEqual([...job.crypto!.subsamples!]);
    }
  });
});

describe('auxBoxes', () => {
  it('writes entries of up to 255 bytes and refuses a longer one (saiz holds one byte per size)', () => {
    expect(auxBoxes([Buffer.alloc(255, 1), Buffer.alloc(8, 2)], true)).toBeDefined();
    expect(() => auxBoxes([Buffer.alloc(8, 1), Buffer.alloc(256, 2)], true)).toThrow(MediaError);
    expect(() => auxBoxes([Buffer.alloc(300, 1), Buffer.alloc(300, 2)], true)).toThrow(/saiz/);
  });
});
