import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { decryptMedia, MediaError } from '../../src/media/index.js';
import type { Scheme } from '../../src/media/index.js';
import { cryptSample } from '../../src/media/cenc/cipher.js';
import { sampleJobs, trackSamples } from '../../src/media/samples.js';
import { encryptMp4 } from '../support/encrypt.js';
import type { EncryptOptions } from '../support/encrypt.js';
import { defaultKeys, KEYS, keyLookup, readFixture } from '../support/fixtures.js';
import { sampleDiff } from '../support/mp4.js';

const clear = readFixture('clear_prog.mp4');
const key = Buffer.from(KEYS.video.key, 'hex');
const kid = Buffer.from(KEYS.video.kid, 'hex');

async function decryptToBuffer(bytes: Buffer, keys = defaultKeys): Promise<Buffer> {
  const parts: Buffer[] = [];
  await decryptMedia(bytes, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }), { keys });
  return Buffer.concat(parts);
}

describe('the test encryptor matches GPAC sample for sample, given GPAC IVs and subsamples', () => {
  it.each(['cenc_mp4box.mp4', 'cbcs_mp4box.mp4', 'cens_mp4box.mp4', 'cbc1_mp4box.mp4', 'cbcs_mp4box_prog.mp4', 'cbc1_mp4box_prog.mp4', 'cenc_ffmpeg_prog.mp4'])('%s', async (file) => {
    const prot = readFixture(file);
    const jobs = await sampleJobs(prot);
    for (const trackId of [1, 2]) {
      const clearSamples = trackSamples(clear, trackId);
      const list = jobs.get(trackId)!;
      expect(list).toHaveLength(clearSamples.length);
      for (const job of list) {
        const s = Buffer.from(clearSamples[job.sampleIndex]!);
        cryptSample(s, 0, s.length, job.crypto!, key, 'encrypt', () => file);
        expect(s.equals(prot.subarray(job.offset, job.offset + job.size)), `${file} track ${trackId} sample ${job.sampleIndex}`).toBe(true);
      }
    }
  });
});

describe('cbcs: the whole file as GPAC writes it, given its constant IV', () => {
  // AVC slices are protected from the end of their slice header (src/media/cenc/avc-slice.ts), as GPAC does.
  it.each(['cbcs_mp4box.mp4', 'cbcs_mp4box_prog.mp4'])('%s: same subsamples and same protected samples', async (file) => {
    const gpac = readFixture(file);
    const ours = encryptMp4(readFixture(file.endsWith('_prog.mp4') ? 'clear_prog.mp4' : 'clear_frag.mp4'), { scheme: 'cbcs', key, kid, ivSize: 0, constantIv: Buffer.from('9a7e1b2c3d4e5f60718293a4b5c6d7e8', 'hex') });
    const [theirJobs, ourJobs] = await Promise.all([sampleJobs(gpac), sampleJobs(ours)]);
    for (const trackId of [1, 2]) {
      const theirs = theirJobs.get(trackId)!;
      const mine = ourJobs.get(trackId)!;
      expect(mine).toHaveLength(theirs.length);
      mine.forEach((job, i) => {
        const their = theirs[i]!;
        expect([...(job.crypto?.subsamples ?? [])], `track ${trackId} sample ${i}`).toEqual([...(their.crypto?.subsamples ?? [])]);
        expect(ours.subarray(job.offset, job.offset + job.size).equals(gpac.subarray(their.offset, their.offset + their.size)), `track ${trackId} sample ${i}`).toBe(true);
      });
    }
  });
});

const SETUPS: [Scheme, Partial<EncryptOptions>][] = [
  ['cenc', { ivSize: 8, firstIv: Buffer.from('0a610676cb88f302', 'hex') }],
  ['cenc', { ivSize: 16, firstIv: Buffer.from('ffffffffffffffffffffffffffffffff', 'hex') }],
  ['cbcs', { ivSize: 0, constantIv: Buffer.from('9a7e1b2c3d4e5f60718293a4b5c6d7e8', 'hex') }],
  ['cbcs', { ivSize: 16, firstIv: Buffer.from('0a610676cb88f3020a610676cb88f302', 'hex'), crypt: 2, skip: 8 }],
  ['cens', { ivSize: 8, firstIv: Buffer.from('0a610676cb88f302', 'hex') }],
  ['cbc1', { ivSize: 16, firstIv: Buffer.from('0a610676cb88f3020a610676cb88f302', 'hex') }],
];

describe.each(SETUPS)('round trip through the encryptor: %s %o', (scheme, extra) => {
  for (const [name, layout] of [['clear_prog.mp4', 'nal'], ['clear_frag.mp4', 'nal'], ['clear_prog.mp4', 'whole']] as const) {
    it(`${name}, ${layout} video layout`, async () => {
      const enc = encryptMp4(readFixture(name), { scheme, key, kid, ivSize: 8, ...extra, videoLayout: layout });
      expect(enc.equals(readFixture(name))).toBe(false);
      const out = await decryptToBuffer(enc);
      expect(sampleDiff(clear, out, 1)).toEqual([]);
      expect(sampleDiff(clear, out, 2)).toEqual([]);
    });
  }
});

describe('wrong key', () => {
  it('is detected on AVC samples whose NAL lengths were encrypted (whole-sample protection)', async () => {
    for (const scheme of ['cenc', 'cbc1'] as const) {
      const enc = encryptMp4(clear, { scheme, key, kid, ivSize: 16, firstIv: Buffer.alloc(16, 7), videoLayout: 'whole' });
      const err = await decryptToBuffer(enc, keyLookup([[KEYS.video.kid, '000102030405060708090a0b0c0d0e0f']])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MediaError);
      expect((err as MediaError).code).toBe('wrong-key');
      expect((err as MediaError).trackId).toBe(1);
    }
  });
});
