// encryptMedia: clear MP4 → Common Encryption MP4, checked by emekit's decrypt (sample for sample against the clear
// source, every scheme and layout), by its structure (tfdt in every traf, fragments on keyframes, timing kept, the
// common pssh), and by ffmpeg (a decoder nobody here wrote) on the progressive output.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePsshBoxes } from '../../src/initdata/cenc.js';
import { encryptMedia, type EncryptOptions } from '../../src/media/protect/encrypt.js';
import { protectInPlace } from '../../src/media/protect/protect-in-place.js';
import { decryptMedia, MediaError, type Scheme } from '../../src/media/index.js';
import { openSource } from '../../src/media/io/io.js';
import { cryptSample } from '../../src/media/cenc/cipher.js';
import { sampleJobs, trackSamples } from '../../src/media/samples.js';
import { readTimeline, type TimedTrack } from '../../src/media/protect/timeline.js';
import { defaultKeys, expectClearSamples, fixture, KEYS, readFixture, repoRoot } from '../support/fixtures.js';
import { boxTypes, decodedFrames, hasFfmpeg, sampleDiff } from '../support/mp4.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-encrypt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const video = { keyId: Buffer.from(KEYS.video.kid, 'hex'), key: Buffer.from(KEYS.video.key, 'hex') };
const audio = { keyId: Buffer.from(KEYS.audio.kid, 'hex'), key: Buffer.from(KEYS.audio.key, 'hex') };
const perTrack = (t: { handler: string }) => (t.handler === 'vide' ? video : audio);

async function timeline(path: string | Buffer): Promise<TimedTrack[]> {
  const t = await readTimeline(await openSource(path));
  await t.source.close();
  return t.tracks;
}

const timing = (tracks: TimedTrack[]) => tracks.map((t) => t.samples.map((s) => [s.decodeTime, s.duration, s.cto, s.sync]));

describe.each(['cenc', 'cbcs', 'cens', 'cbc1'] as Scheme[])('%s', (scheme) => {
  it.each([
    ['clear_prog.mp4', 'fragmented'],
    ['clear_frag.mp4', 'fragmented'],
    ['clear_prog.mp4', 'progressive'],
  ] as const)('%s → %s output decrypts to the clear samples, timing kept', async (source, layout) => {
    const out = join(dir, `${scheme}-${layout}-${source}`);
    const report = await encryptMedia(fixture(source), out, { scheme, keys: perTrack, layout });
    expect(report.tracks.map((t) => [t.codec, t.keyIds, t.protected])).toEqual([
      ['avc1', [KEYS.video.kid], true],
      ['mp4a', [KEYS.audio.kid], true],
    ]);
    const clearOut = join(dir, `${scheme}-${layout}-${source}.clear.mp4`);
    const decrypted = await decryptMedia(out, clearOut, { keys: defaultKeys });
    expect(decrypted.schemes).toEqual([scheme]);
    expect(decrypted.samplesDecrypted).toBe(289);
    expectClearSamples(clearOut);
    expect(timing(await timeline(out))).toEqual(timing(await timeline(fixture(source))));
  });
});

describe('the batched cipher against the per-sample reference', () => {
  it.each(['cenc', 'cbcs', 'cens', 'cbc1'] as Scheme[])(
    '%s: every sample is its clear sample through cryptSample with the IV and subsamples of its senc, and a file (pooled or blocking I/O) and a stream get the same bytes',
    async (scheme) => {
      const iv = scheme === 'cbcs' ? { constant: Buffer.from('9a7e1b2c3d4e5f60718293a4b5c6d7e8', 'hex') } : { size: 16 as const, first: Buffer.from('ffffffffffffffff00000000000000f0', 'hex') };
      // Short fragments: the fragment buffers are reused many times over.
      const o: EncryptOptions = { scheme, keys: perTrack, iv, fragmentDuration: 0.3 };
      const pooled = join(dir, `reference-${scheme}.mp4`);
      const blocking = join(dir, `reference-${scheme}-blocking.mp4`);
      await encryptMedia(fixture('clear_prog.mp4'), pooled, o);
      await encryptMedia(fixture('clear_prog.mp4'), blocking, { ...o, blockingIo: true });
      const parts: Buffer[] = [];
      await encryptMedia(fixture('clear_prog.mp4'), new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }), o);
      const bytes = readFileSync(pooled);
      expect(readFileSync(blocking).equals(bytes)).toBe(true);
      expect(Buffer.concat(parts).equals(bytes)).toBe(true);
      const jobs = await sampleJobs(bytes);
      const clear = readFixture('clear_prog.mp4');
      for (const [trackId, k] of [[1, video.key], [2, audio.key]] as const) {
        const clearSamples = trackSamples(clear, trackId);
        const list = jobs.get(trackId)!;
        expect(list).toHaveLength(clearSamples.length);
        for (const job of list) {
          const s = Buffer.from(clearSamples[job.sampleIndex]!);
          cryptSample(s, 0, s.length, job.crypto!, k, 'encrypt', () => 'reference');
          expect(s.equals(bytes.subarray(job.offset, job.offset + job.size)), `track ${trackId} sample ${job.sampleIndex}`).toBe(true);
        }
      }
    },
  );
});

describe('progressive output, streamed', () => {
  // The fixtures keep their moov last; ffmpeg's +faststart copy puts it first, so the media data moves with it.
  const faststart = join(dir, 'faststart.mp4');
  const inputs = [fixture('clear_prog.mp4'), fixture('../codecs/hevc_ac3.mp4')];
  if (hasFfmpeg && spawnSync('ffmpeg', ['-v', 'error', '-y', '-i', fixture('clear_prog.mp4'), '-map', '0', '-c', 'copy', '-movflags', '+faststart', faststart]).status === 0) inputs.push(faststart);

  it.each(['cenc', 'cbcs', 'cens', 'cbc1'] as Scheme[])('%s: the bytes protectInPlace makes in memory (the GPAC-compatible encryptor), to a file (pooled or blocking I/O) or a stream', async (scheme) => {
    const iv = scheme === 'cbcs' ? { constant: Buffer.from('9a7e1b2c3d4e5f60718293a4b5c6d7e8', 'hex') } : { size: 8 as const, first: Buffer.from('0a610676cb88f302', 'hex') };
    for (const input of inputs) {
      const o: EncryptOptions = { scheme, keys: perTrack, iv, layout: 'progressive' };
      const expected = protectInPlace(readFileSync(input), o);
      const pooled = join(dir, `streamed-${scheme}.mp4`);
      const blocking = join(dir, `streamed-${scheme}-blocking.mp4`);
      await encryptMedia(input, pooled, o);
      await encryptMedia(input, blocking, { ...o, blockingIo: true });
      const parts: Buffer[] = [];
      await encryptMedia(input, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }), o);
      expect(readFileSync(pooled).equals(expected), input).toBe(true);
      expect(readFileSync(blocking).equals(expected), input).toBe(true);
      expect(Buffer.concat(parts).equals(expected), input).toBe(true);
    }
  });

  it('reports its progress up to the whole, the first pass included', async () => {
    const seen: [number, number][] = [];
    await encryptMedia(fixture('clear_prog.mp4'), join(dir, 'progress.mp4'), { scheme: 'cenc', keys: perTrack, layout: 'progressive', onProgress: (d, t) => seen.push([d, t]) });
    expect(seen.length).toBeGreaterThan(1);
    const [done, total] = seen.at(-1)!;
    expect(done).toBe(total);
    expect(seen.every(([d], i) => i === 0 || d >= seen[i - 1]![0])).toBe(true);
  });
});

describe('fragmented output', () => {
  it('has a tfdt in every traf, starts every fragment on a video keyframe, and carries a v1 common pssh listing the key IDs and the extra pssh', async () => {
    const out = join(dir, 'structure.mp4');
    const other = Buffer.from('0000002070737368000000009a04f07998404286ab92e65be0885f950000000000', 'hex').subarray(0, 32);
    other.writeUInt32BE(32, 0);
    const report = await encryptMedia(fixture('clear_prog.mp4'), out, { scheme: 'cenc', keys: perTrack, fragmentDuration: 1, extraPssh: [other] });
    const bytes = readFileSync(out);
    const types = boxTypes(bytes);
    expect(types.filter((t) => t === 'traf').length).toBe(types.filter((t) => t === 'tfdt').length);
    expect(report.fragments).toBe(types.filter((t) => t === 'moof').length);
    expect(report.fragments).toBeGreaterThanOrEqual(4);
    const moov = bytes.subarray(bytes.indexOf('moov') - 4);
    const psshAt = moov.indexOf('pssh') - 4;
    const boxes = parsePsshBoxes(moov.subarray(psshAt, psshAt + moov.readUInt32BE(psshAt) + 32));
    expect(boxes.map((b) => [b.version, Buffer.from(b.systemId).toString('hex'), b.keyIds.map((k) => Buffer.from(k).toString('hex'))])).toEqual([
      [1, '1077efecc0b24d02ace33c1e52e2fb4b', [KEYS.video.kid, KEYS.audio.kid].sort()],
      [0, '9a04f07998404286ab92e65be0885f95', []],
    ]);
    // Every fragment starts (its video tfdt) on a video keyframe.
    const [v] = await timeline(out);
    const keyframes = new Set(v!.samples.filter((s) => s.sync).map((s) => s.decodeTime));
    const tfdts: number[] = [];
    for (let p = bytes.indexOf('tfdt'); p >= 0; p = bytes.indexOf('tfdt', p + 4)) tfdts.push(Number(bytes.readBigUInt64BE(p + 8)));
    const videoStarts = tfdts.filter((_, i) => i % 2 === 0);
    expect(videoStarts).toHaveLength(report.fragments);
    expect(videoStarts.every((t) => keyframes.has(t))).toBe(true);
  });

  it('encrypts samples that share bytes in the input each once (a fragment is read in runs, every sample to a place of its own)', async () => {
    // The video's second chunk pointed at its first: two samples over the same bytes, in one fragment.
    const input = readFixture('clear_prog.mp4');
    const stco = input.indexOf('stco');
    input.writeUInt32BE(input.readUInt32BE(stco + 12), stco + 16);
    const out = join(dir, 'shared-bytes.mp4');
    for (const blockingIo of [false, true]) {
      await encryptMedia(input, out, { scheme: 'cenc', keys: video, blockingIo, iv: { size: 8, first: Buffer.from('0a610676cb88f302', 'hex') } });
      const bytes = readFileSync(out);
      const clearSamples = trackSamples(input, 1);
      expect(clearSamples[1]!.byteOffset).toBe(clearSamples[0]!.byteOffset);
      const jobs = (await sampleJobs(bytes)).get(1)!;
      expect(jobs).toHaveLength(clearSamples.length);
      for (const job of jobs) {
        const s = Buffer.from(clearSamples[job.sampleIndex]!);
        cryptSample(s, 0, s.length, job.crypto!, video.key, 'encrypt', () => 'reference');
        expect(s.equals(bytes.subarray(job.offset, job.offset + job.size)), `sample ${job.sampleIndex}`).toBe(true);
      }
    }
  });

  it('uses fresh random IVs: two runs differ, and no IV repeats within a track', async () => {
    const a = join(dir, 'random-a.mp4');
    const b = join(dir, 'random-b.mp4');
    await encryptMedia(fixture('clear_prog.mp4'), a, { scheme: 'cenc', keys: video });
    await encryptMedia(fixture('clear_prog.mp4'), b, { scheme: 'cenc', keys: video });
    expect(readFileSync(a).equals(readFileSync(b))).toBe(false);
    const sencIvs = (bytes: Buffer) => {
      const ivs: string[] = [];
      for (let p = bytes.indexOf('senc'); p >= 0; p = bytes.indexOf('senc', p + 4)) {
        const flags = bytes.readUInt32BE(p + 4) & 0xffffff;
        let q = p + 12;
        for (let n = bytes.readUInt32BE(p + 8); n > 0; n--) {
          ivs.push(bytes.toString('hex', q, q + 8));
          q += 8;
          if (flags & 2) q += 2 + 6 * bytes.readUInt16BE(q);
        }
      }
      return ivs;
    };
    const ivs = sencIvs(readFileSync(a));
    expect(ivs.length).toBe(289);
    expect(new Set(ivs).size).toBe(289);
  });
});

describe.skipIf(!hasFfmpeg)('ffmpeg decrypts the progressive output to the frames of the clear source', () => {
  const frames = decodedFrames;
  const clearFrames = () => frames(fixture('clear_prog.mp4'));

  it.each(['cenc', 'cbcs'] as const)('%s', async (scheme) => {
    const out = join(dir, `ffmpeg-${scheme}.mp4`);
    await encryptMedia(fixture('clear_prog.mp4'), out, { scheme, keys: video, layout: 'progressive' });
    const expected = clearFrames();
    expect(expected.length).toBeGreaterThan(200);
    expect(frames(out, KEYS.video.key)).toEqual(expected);
    // The control: with another key ffmpeg's frames are not the clear ones, so it did decrypt.
    expect(frames(out, KEYS.audio.key)).not.toEqual(expected);
  });
});

describe('bad input: one MediaError, no output left behind', () => {
  const attempt = async (input: string | Buffer | AsyncIterable<Uint8Array>, options: Partial<EncryptOptions> = {}) => {
    const out = join(dir, `bad-${Math.random().toString(36).slice(2)}.mp4`);
    const error = await encryptMedia(input, out, { scheme: 'cenc', keys: video, ...options }).then(() => undefined, (e: unknown) => e);
    expect(existsSync(out)).toBe(false);
    expect(error).toBeInstanceOf(MediaError);
    return error as MediaError;
  };

  it('not ISO-BMFF', async () => {
    expect((await attempt(Buffer.from('this is not an mp4 file at all'))).message).toMatch(/not an MP4 file/);
  });

  it('not ISO-BMFF, from a stream: its temporary copy is removed too', async () => {
    const tmp = join(dir, 'tmp');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    const before = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const stream = (async function* () {
        yield Buffer.from('this is not an mp4 file at all');
      })();
      expect((await attempt(stream)).message).toMatch(/not an MP4 file/);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    expect(readdirSync(tmp)).toEqual([]);
  });

  it('a codec the encryptor does not cover', async () => {
    const bytes = readFixture('clear_prog.mp4');
    bytes.write('vp09', bytes.indexOf('avc1', bytes.indexOf('stsd')), 'latin1');
    expect(await attempt(bytes)).toMatchObject({ code: 'unsupported-codec', trackId: 1 });
  });

  it('a key of the wrong length', async () => {
    expect((await attempt(fixture('clear_prog.mp4'), { keys: { keyId: video.keyId, key: video.key.subarray(0, 8) } })).message).toMatch(/16 bytes/);
  });

  it('an input that is already protected', async () => {
    expect((await attempt(fixture('cenc_mp4box.mp4'))).message).toMatch(/already protected/);
  });

  it('progressive output of a fragmented input', async () => {
    expect((await attempt(fixture('clear_frag.mp4'), { layout: 'progressive' })).message).toMatch(/progressive input/);
  });
});

describe('HEVC, AC-3, E-AC-3 and Opus (test/fixtures/codecs, made by ffmpeg)', () => {
  const codecFixture = (name: string) => join(repoRoot, 'test/fixtures/codecs', name);
  const key = { keyId: Buffer.alloc(16, 0x51), key: Buffer.alloc(16, 0x52) };
  const files = [
    ['hevc_ac3.mp4', ['hvc1', 'ac-3']],
    ['eac3.mp4', ['ec-3']],
    ['opus.mp4', ['Opus']],
  ] as const;

  it.each(files)('%s: cbcs fragmented output decrypts to the clear samples', async (name, codecs) => {
    const out = join(dir, `cbcs-${name}`);
    const report = await encryptMedia(codecFixture(name), out, { scheme: 'cbcs', keys: key });
    expect(report.tracks.map((t) => t.codec)).toEqual(codecs);
    const clear = join(dir, `cbcs-${name}.clear.mp4`);
    await decryptMedia(out, clear, { keys: () => key.key });
    for (const t of report.tracks) expect(sampleDiff(readFileSync(codecFixture(name)), readFileSync(clear), t.trackId)).toEqual([]);
  });

  it.skipIf(!hasFfmpeg).each(files)('%s: ffmpeg decrypts the progressive cenc output to the clear frames', async (name) => {
    const out = join(dir, `cenc-${name}`);
    await encryptMedia(codecFixture(name), out, { scheme: 'cenc', keys: key, layout: 'progressive' });
    const frames = decodedFrames;
    const expected = frames(codecFixture(name));
    expect(expected.length).toBeGreaterThan(50);
    expect(frames(out, key.key.toString('hex'))).toEqual(expected);
  });
});
