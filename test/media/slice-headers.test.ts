// AVC and HEVC slice headers stay clear (ISO/IEC 23001-7 9.5.2.2; for cbcs the protected range starts at the slice
// data, 10.4): the subsample layout emekit works out for samples made by x264 and x265 (test/fixtures/avc, hevc: see
// their READMEs; among them HEVC rewritten into syntax x265 never writes, and emulation prevention bytes inside the
// headers) equals the one that follows from ffmpeg's own header readers (trace_headers), sample for sample; every
// scheme round-trips through emekit's decrypt; ffmpeg decodes the progressive cbcs and cenc HEVC output to the frames
// of the clear source.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBox } from '../../src/media/boxes/box.js';
import { parseMovie } from '../../src/media/boxes/movie.js';
import { encryptMedia } from '../../src/media/protect/encrypt.js';
import { decryptMedia, packagePresentation, type Scheme } from '../../src/media/index.js';
import { trackSamples } from '../../src/media/samples.js';
import { checkNalSample } from '../../src/media/cenc/verify.js';
import { TrackProtector } from '../../src/media/protect/track-protector.js';
import { AuxEntryList } from '../../src/media/write/protection.js';
import { repoRoot } from '../support/fixtures.js';
import { decodedFrames, hasFfmpeg, sampleDiff, withoutHevcPps } from '../support/mp4.js';

const HEVC = ['b-pyramid.mp4', 'main10-slices.mp4', 'rext444.mp4', 'gray.mp4', 'hev1-inband.mp4', 'open-gop.mp4', 'tools.mp4', 'lossless.mp4', 'wide-entry-points.mp4', 'rewritten-fields.mp4', 'annexb-remux.mp4'].map((f) => `hevc/${f}`);
const AVC = ['high.mp4', 'baseline-slices.mp4', 'mbaff.mp4', 'fake-interlaced.mp4', 'high444-cqm.mp4', 'high10.mp4', 'many-refs.mp4', 'cavlc.mp4', 'gray.mp4'].map((f) => `avc/${f}`);
const path = (name: string) => join(repoRoot, 'test/fixtures', name);
const hevc = (name: string) => !name.startsWith('avc/');
const key = { keyId: Buffer.alloc(16, 0x61), key: Buffer.alloc(16, 0x62) };
const dir = mkdtempSync(join(tmpdir(), 'emekit-slices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * ffmpeg's slice header lengths in RBSP bytes, in decode order (the end of its last traced field; an AVC header may end
 * inside a byte, which stays clear with it).
 */
function ffmpegHeaderLengths(name: string): number[] {
  const section = hevc(name) ? 'Slice Segment Header' : 'Slice Header';
  const trace = spawnSync('ffmpeg', ['-loglevel', 'trace', '-i', path(name), '-map', '0:v', '-c', 'copy', '-bsf:v', 'trace_headers', '-f', 'null', '-'], { encoding: 'utf8', maxBuffer: 1 << 28 }).stderr;
  const out: number[] = [];
  let slice = false;
  for (const line of trace.split('\n')) {
    const body = /\[trace_headers @ \S+\] (.*)$/.exec(line)?.[1];
    if (body === undefined) continue;
    if (/^[A-Z]/.test(body)) {
      slice = body === section;
      if (slice) out.push(0);
      continue;
    }
    const field = /^(\d+)\s+\S+\s+([01]+) = /.exec(body);
    if (slice && field) out[out.length - 1] = Number(field[1]) + field[2]!.length;
  }
  return out.map((bits) => Math.ceil(bits / 8));
}

/** Escaped bytes of `nal` holding its first `rbspBytes` RBSP bytes (emulation prevention bytes counted, 7.4.2). */
function escapedLength(nal: Uint8Array, rbspBytes: number): number {
  let i = 0;
  for (let kept = 0, zeros = 0; kept < rbspBytes; i++) {
    if (zeros >= 2 && nal[i] === 3) zeros = 0;
    else {
      zeros = nal[i] === 0 ? zeros + 1 : 0;
      kept++;
    }
  }
  return i;
}

function videoTrack(file: Buffer) {
  for (let p = 0; p < file.length; ) {
    const b = readBox({ buf: file, base: 0 }, p, file.length, '');
    if (b.type === 'moov') {
      const movie = parseMovie(file.subarray(b.start, b.end), b.start);
      const track = movie.tracks.find((t) => t.handler === 'vide')!;
      return { movie, track, entry: track.entries[0]! };
    }
    p = b.end;
  }
  throw new Error('no moov');
}

/** [start, end) of each protected range of a sample, from its [clear, protected] pairs. */
function protectedRanges(subsamples: Uint32Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0, at = 0; i < subsamples.length; i += 2) {
    at += subsamples[i]!;
    if (subsamples[i + 1]! > 0) out.push([at, at + subsamples[i + 1]!]);
    at += subsamples[i + 1]!;
  }
  return out;
}

describe.skipIf(!hasFfmpeg)("the protected ranges start where ffmpeg's header reader says the slice data does", () => {
  it.each([...HEVC, 'codecs/hevc_ac3.mp4', ...AVC].flatMap((f) => [[f, 'cbcs'], [f, 'cenc']] as [string, Scheme][]))('%s, %s', (name, scheme) => {
    const file = readFileSync(path(name));
    const headers = ffmpegHeaderLengths(name);
    const slices = (nal: Uint8Array) => (hevc(name) ? ((nal[0]! >> 1) & 0x3f) < 32 : (nal[0]! & 0x1f) >= 1 && (nal[0]! & 0x1f) <= 5);
    const { movie, track, entry } = videoTrack(file);
    const protector = new TrackProtector(movie.ctx, track, entry, { scheme, key });
    const lengthSize = entry.nalLengthSize!;
    let slice = 0;
    let inHeaderEscapes = 0;
    let trailingZeros = 0;
    for (const sample of trackSamples(file, track.id)) {
      const expected: [number, number][] = [];
      for (let p = 0; p < sample.length; ) {
        const end = p + lengthSize + sample.readUIntBE(p, lengthSize);
        const nal = sample.subarray(p + lengthSize, end);
        if (slices(nal)) {
          const rbsp = headers[slice++]!;
          const header = escapedLength(nal, rbsp);
          if (header !== rbsp) inHeaderEscapes++;
          // cbcs: from the first byte of slice data; cenc: whole blocks ending at the NAL's end, short of the zero
          // bytes a remux from Annex B leaves after the RBSP (annexb-remux.mp4), which stay clear.
          let body = nal.length;
          while (nal[body - 1] === 0) body--;
          if (body < nal.length) trailingZeros++;
          const data = body - header;
          const length = scheme === 'cbcs' ? (data >= 16 ? data : 0) : data - (data % 16);
          if (length > 0) expected.push([end - (nal.length - body) - length, end - (nal.length - body)]);
        }
        p = end;
      }
      expect(protectedRanges(protector.prepare(sample, 0, sample.length, new AuxEntryList()).subsamples!), `${name} slice ${slice}`).toEqual(expected);
    }
    expect(slice).toBe(headers.length);
    expect(slice).toBeGreaterThanOrEqual(10);
    if (name === 'hevc/wide-entry-points.mp4') expect(inHeaderEscapes).toBe(slice);
    if (name === 'hevc/rewritten-fields.mp4') expect(inHeaderEscapes).toBeGreaterThan(10);
    if (name === 'hevc/annexb-remux.mp4') expect(trailingZeros).toBeGreaterThan(10);
    expect(protector.layoutNotes()).toEqual([]);
  });
});

describe('every scheme round-trips through emekit decrypt, sample for sample', () => {
  const cases = [...HEVC.flatMap((f) => (['cenc', 'cbcs', 'cens', 'cbc1'] as Scheme[]).map((s) => [f, s])), ...AVC.flatMap((f) => [[f, 'cenc'], [f, 'cbcs']])] as [string, Scheme][];
  it.each(cases)('%s, %s', async (name, scheme) => {
    const out = join(dir, `${scheme}-${name.replace('/', '-')}`);
    const report = await encryptMedia(path(name), out, { scheme, keys: key });
    expect(report.tracks.map((t) => [t.protected, t.layoutNotes])).toEqual([[true, []]]);
    const clear = `${out}.clear.mp4`;
    const decrypted = await decryptMedia(out, clear, { keys: () => key.key });
    expect(decrypted.samplesDecrypted).toBe(report.tracks[0]!.samples);
    expect(sampleDiff(readFileSync(path(name)), readFileSync(clear), 1)).toEqual([]);
    expect(readFileSync(out).equals(readFileSync(path(name)))).toBe(false);
  });
});

describe.skipIf(!hasFfmpeg)('ffmpeg decodes the progressive HEVC output to the frames of the clear source', () => {
  it.each(HEVC.flatMap((f) => [[f, 'cbcs'], [f, 'cenc']] as [string, Scheme][]))('%s, %s', async (name, scheme) => {
    const out = join(dir, `ffmpeg-${scheme}-${name.replace('/', '-')}`);
    await encryptMedia(path(name), out, { scheme, keys: key, layout: 'progressive' });
    const expected = decodedFrames(path(name));
    expect(expected.length).toBeGreaterThanOrEqual(10);
    expect(decodedFrames(out, key.key.toString('hex'))).toEqual(expected);
    // The control: with another key the frames differ, so ffmpeg did decrypt.
    expect(decodedFrames(out, Buffer.alloc(16, 0x63).toString('hex'))).not.toEqual(expected);
  });
});

describe('hostile slices', () => {
  it.each(['hevc/rewritten-fields.mp4', 'hevc/hev1-inband.mp4', 'avc/many-refs.mp4', 'avc/mbaff.mp4'])('%s with bits flipped in its headers: a layout that tiles every sample, NAL headers clear, never a throw', (name) => {
    const file = readFileSync(path(name));
    const { movie, track, entry } = videoTrack(file);
    const lengthSize = entry.nalLengthSize!;
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const scheme of ['cbcs', 'cenc'] as Scheme[]) {
      const protector = new TrackProtector(movie.ctx, track, entry, { scheme, key });
      for (const clean of trackSamples(file, track.id)) {
        for (let round = 0; round < 20; round++) {
          const sample = Buffer.from(clean);
          const starts: number[] = [];
          for (let p = 0; p < sample.length; p += lengthSize + sample.readUIntBE(p, lengthSize)) starts.push(p);
          // Flip a few bits among the first 24 bytes after each NAL header (parameter sets and slice headers alike).
          for (const p of starts) {
            const body = Math.min(24, sample.readUIntBE(p, lengthSize) - 2);
            for (let k = 0; k < 3 && body > 0; k++) sample[p + lengthSize + 2 + Math.floor(random() * body)]! ^= 1 << Math.floor(random() * 8);
          }
          const subsamples = protector.prepare(sample, 0, sample.length, new AuxEntryList()).subsamples!;
          let total = 0;
          for (let i = 0; i < subsamples.length; i += 2) {
            for (const p of starts) if (p >= total + subsamples[i]! && p < total + subsamples[i]! + subsamples[i + 1]!) throw new Error(`NAL at ${p} protected`);
            total += subsamples[i]! + subsamples[i + 1]!;
          }
          expect(total).toBe(sample.length);
        }
      }
    }
  });
});

describe("zero bytes after a NAL's RBSP (ffmpeg's remux of Annex B with four-byte start codes: annexb-remux.mp4)", () => {
  // Its round trip in every scheme is above; emekit decrypt refused it before (the 'ends in a zero byte' rule).
  it('are accepted by the wrong-key check where they were clear, and still count against the key where decrypted', () => {
    const nal = Buffer.from([0, 0, 0, 6, 0x26, 0x01, 0xaf, 0x11, 0x80, 0x00]);
    expect(checkNalSample(nal, 0, nal.length, 4, false, Uint32Array.from([10, 0]))).toBeUndefined();
    expect(checkNalSample(nal, 0, nal.length, 4, false, Uint32Array.from([6, 4]))).toBe('NAL unit ends in a zero byte');
    expect(checkNalSample(nal, 0, nal.length, 4, false)).toBe('NAL unit ends in a zero byte');
  });
});

describe('a slice whose header cannot be measured', () => {
  it('is protected from its NAL header on in whole blocks, with the reason reported (encrypt and package), and still round-trips', async () => {
    // The PPS the slices name is removed from hvcC: every slice header is then unreadable.
    const bytes = withoutHevcPps(readFileSync(path('hevc/b-pyramid.mp4')));
    const input = join(dir, 'no-pps.mp4');
    const out = join(dir, 'no-pps.enc.mp4');
    writeFileSync(input, bytes);
    const report = await encryptMedia(input, out, { scheme: 'cbcs', keys: key, layout: 'progressive' });
    expect(report.tracks[0]!.layoutNotes).toEqual([`${report.tracks[0]!.samples} slices protected from the NAL header on (PPS 0 is not in the sample entry or the samples)`]);
    const clear = join(dir, 'no-pps.clear.mp4');
    await decryptMedia(out, clear, { keys: () => key.key });
    expect(sampleDiff(bytes, readFileSync(clear), 1)).toEqual([]);
    const packaged = await packagePresentation([input], { scheme: 'cbcs', keys: key });
    expect(packaged.layoutNotes).toEqual([`video: ${report.tracks[0]!.layoutNotes[0]}`]);
  });
});
