import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptMedia, MediaError } from '../../src/media/index.js';
import { defaultKeys, fixture, KEYROLL, KEYS, keyLookup, readFixture } from '../support/fixtures.js';
import { CLEAR_KEY_SYSTEM_ID, encryptMp4, psshBox, WIDEVINE_SYSTEM_ID } from '../support/encrypt.js';
import { boxTypes, ffmpegDecodeErrors, hasFfmpeg, sampleDiff } from '../support/mp4.js';

const tmp = mkdtempSync(join(tmpdir(), 'emekit-media-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const clear = readFixture('clear_prog.mp4');
const clearVideoOnly = readFixture('clear_frag_video.mp4');

const CASES = [
  { file: 'cenc_ffmpeg_prog.mp4', scheme: 'cenc', fragmented: false },
  { file: 'cenc_ffmpeg_frag.mp4', scheme: 'cenc', fragmented: true },
  { file: 'cenc_mp4box.mp4', scheme: 'cenc', fragmented: true },
  { file: 'cbcs_mp4box.mp4', scheme: 'cbcs', fragmented: true },
  { file: 'cens_mp4box.mp4', scheme: 'cens', fragmented: true },
  { file: 'cbc1_mp4box.mp4', scheme: 'cbc1', fragmented: true },
  { file: 'cenc_mp4box_prog.mp4', scheme: 'cenc', fragmented: false },
  { file: 'cbcs_mp4box_prog.mp4', scheme: 'cbcs', fragmented: false },
  { file: 'cens_mp4box_prog.mp4', scheme: 'cens', fragmented: false },
  { file: 'cbc1_mp4box_prog.mp4', scheme: 'cbc1', fragmented: false },
  { file: 'cenc_mp4box_multikey.mp4', scheme: 'cenc', fragmented: true },
  { file: 'cbcs_mp4box_multikey.mp4', scheme: 'cbcs', fragmented: true },
] as const;

const FORBIDDEN = ['encv', 'enca', 'sinf', 'frma', 'schm', 'tenc', 'senc', 'saiz', 'saio', 'pssh', 'sgpd:seig', 'sbgp:seig'];

if (!hasFfmpeg) console.warn('ffmpeg not found: skipping the ffmpeg decode checks of progressive outputs');

describe.each(CASES)('decrypt $file', ({ file, scheme, fragmented }) => {
  const out = join(tmp, `out-${file}`);

  it('reproduces every sample of clear_prog.mp4 and reports the scheme', async () => {
    const report = await decryptMedia(fixture(file), out, { keys: defaultKeys });
    const o = readFileSync(out);
    expect(sampleDiff(clear, o, 1)).toEqual([]);
    expect(sampleDiff(clear, o, 2)).toEqual([]);
    expect(report.schemes).toEqual([scheme]);
    expect(report.fragmented).toBe(fragmented);
    expect(report.samplesDecrypted).toBe(289);
    expect(report.bytesWritten).toBe(o.length);
    expect(report.tracks.map((t) => t.originalFormat)).toEqual(['avc1', 'mp4a']);
  });

  it('writes a clear file: no protection boxes left, sample entries restored', () => {
    const types = boxTypes(readFileSync(out));
    for (const f of FORBIDDEN) expect(types).not.toContain(f);
    expect(types).toContain('avc1');
    expect(types).toContain('mp4a');
  });

  it.skipIf(fragmented || !hasFfmpeg)('decodes with ffmpeg without error', () => {
    expect(ffmpegDecodeErrors(out)).toBe('');
  });
});

describe('streams', () => {
  it('accepts a Readable in odd-sized chunks and writes to a Writable, same bytes as file to file', async () => {
    const file = 'cbcs_mp4box.mp4';
    const bytes = readFixture(file);
    const chunks: Buffer[] = [];
    for (let p = 0, k = 1; p < bytes.length; k = (k * 7919) % 65521) {
      chunks.push(bytes.subarray(p, p + 1 + (k % 9000)));
      p += 1 + (k % 9000);
    }
    const sink = new PassThrough();
    const got: Buffer[] = [];
    sink.on('data', (d: Buffer) => got.push(d));
    const seen: number[] = [];
    await decryptMedia(Readable.from(chunks), sink, { keys: defaultKeys, onProgress: (n) => seen.push(n) });
    const fileOut = join(tmp, 'stream-ref.mp4');
    await decryptMedia(fixture(file), fileOut, { keys: defaultKeys });
    expect(Buffer.concat(got).equals(readFileSync(fileOut))).toBe(true);
    expect(seen.at(-1)).toBe(bytes.length);
  });

  it('decrypts a progressive file from a stream when moov comes first', async () => {
    const sink = new PassThrough();
    const got: Buffer[] = [];
    sink.on('data', (d: Buffer) => got.push(d));
    await decryptMedia(Readable.from([readFixture('cbcs_mp4box_prog.mp4')]), sink, { keys: defaultKeys });
    expect(sampleDiff(clear, Buffer.concat(got), 1)).toEqual([]);
  });

  it('gives a clear error for a non-seekable stream with moov after mdat', async () => {
    const err = await decryptMedia(Readable.from([readFixture('cenc_ffmpeg_prog.mp4')]), new PassThrough().resume(), { keys: defaultKeys }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('unsupported-layout');
  });

  it('accepts in-memory bytes without modifying them', async () => {
    const bytes = readFixture('cenc_mp4box.mp4');
    const copy = Buffer.from(bytes);
    await decryptMedia(bytes, join(tmp, 'mem.mp4'), { keys: defaultKeys });
    expect(bytes.equals(copy)).toBe(true);
  });
});

describe('the decryptor memory one run hands to the next', () => {
  it('serves runs at once and after a failed one, every sample still right', async () => {
    // A run that fails mid-mdat, while reads and writes of its slabs may be in flight, gives nothing back unfinished.
    // From a file, whose reads run ahead of decryption.
    writeFileSync(join(tmp, 'cut-in.mp4'), readFixture('cenc_mp4box.mp4').subarray(0, 150_000));
    await expect(decryptMedia(join(tmp, 'cut-in.mp4'), join(tmp, 'cut.mp4'), { keys: defaultKeys })).rejects.toMatchObject({ code: 'truncated' });
    const files = ['cbcs_mp4box.mp4', 'cenc_mp4box.mp4', 'cens_mp4box.mp4', 'cbc1_mp4box_prog.mp4'];
    for (let round = 0; round < 2; round++) {
      await Promise.all(files.map((f) => decryptMedia(fixture(f), join(tmp, `reuse-${round}-${f}`), { keys: defaultKeys })));
      for (const f of files) {
        const o = readFileSync(join(tmp, `reuse-${round}-${f}`));
        expect([sampleDiff(clear, o, 1), sampleDiff(clear, o, 2)], `${f}, round ${round}`).toEqual([[], []]);
      }
    }
  });
});

describe('keys', () => {
  it('multikey: a missing audio key is reported with its key ID, never guessed', async () => {
    const keys = keyLookup([[KEYS.video.kid, KEYS.video.key]]);
    const err = await decryptMedia(fixture('cenc_mp4box_multikey.mp4'), join(tmp, 'mk.mp4'), { keys }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).code).toBe('missing-key');
    expect((err as MediaError).keyId).toBe(KEYS.audio.kid);
    expect((err as MediaError).message).not.toContain(KEYS.video.key);
  });

  it('key rotation: all four keys decrypt all 100 samples', async () => {
    const out = join(tmp, 'keyroll.mp4');
    const report = await decryptMedia(fixture('cenc_keyroll_mp4box.mp4'), out, { keys: keyLookup(KEYROLL) });
    expect(report.samplesDecrypted).toBe(100);
    expect(report.tracks[0]!.keyIds.sort()).toEqual(KEYROLL.map(([k]) => k).sort());
    expect(sampleDiff(clearVideoOnly, readFileSync(out), 1)).toEqual([]);
    expect(sampleDiff(clear, readFileSync(out), 1)).toEqual([]);
  });

  it('key rotation with only the first key: missing-key names the second key ID', async () => {
    const err = await decryptMedia(fixture('cenc_keyroll_mp4box.mp4'), join(tmp, 'kr1.mp4'), { keys: keyLookup(KEYROLL.slice(0, 1)) }).catch((e: unknown) => e);
    expect((err as MediaError).code).toBe('missing-key');
    expect((err as MediaError).keyId).toBe(KEYROLL[1]![0]);
    expect((err as MediaError).sampleIndex).toBe(25);
  });

  it("key rotation with only the first key and onMissingKey 'skip': 25 samples decrypted, the rest left untouched", async () => {
    const out = join(tmp, 'kr-skip.mp4');
    const asked: string[] = [];
    const report = await decryptMedia(fixture('cenc_keyroll_mp4box.mp4'), out, {
      keys: keyLookup(KEYROLL.slice(0, 1)),
      onMissingKey: (info) => {
        asked.push(info.keyId);
        return 'skip';
      },
    });
    expect(report.samplesDecrypted).toBe(25);
    expect(report.samplesSkipped).toBe(75);
    expect(asked).toEqual(KEYROLL.slice(1).map(([k]) => k));
    expect(report.missingKeyIds).toEqual(asked);
    const diff = sampleDiff(clear, readFileSync(out), 1);
    expect(diff).not.toContain(0);
    expect(diff.filter((i) => i < 25)).toEqual([]);
    // Skipped samples are the encrypted bytes unchanged, not a wrong decryption.
    expect(sampleDiff(readFixture('cenc_keyroll_mp4box.mp4'), readFileSync(out), 1).filter((i) => i >= 25)).toEqual([]);
  });

  it("onMissingKey 'retry' after a key arrives (waitingforkey)", async () => {
    const m = new Map<string, Buffer>([[KEYROLL[0]![0], Buffer.from(KEYROLL[0]![1], 'hex')]]);
    let waits = 0;
    const report = await decryptMedia(fixture('cenc_keyroll_mp4box.mp4'), join(tmp, 'kr-retry.mp4'), {
      keys: (kid) => m.get(Buffer.from(kid).toString('hex')),
      onMissingKey: async (info) => {
        waits++;
        await new Promise((r) => setTimeout(r, 1));
        const pair = KEYROLL.find(([k]) => k === info.keyId)!;
        m.set(pair[0], Buffer.from(pair[1], 'hex'));
        return 'retry' as const;
      },
    });
    expect(waits).toBe(3);
    expect(report.samplesDecrypted).toBe(100);
  });
});

describe('init data as decryption meets it', () => {
  const kid = Buffer.from(KEYS.video.kid, 'hex');
  const rotated = Buffer.from(KEYROLL[0]![0], 'hex');
  const a = psshBox(CLEAR_KEY_SYSTEM_ID, [kid]);
  const b = psshBox(WIDEVINE_SYSTEM_ID, [], Buffer.from('opaque to Clear Key'));
  const c = psshBox(CLEAR_KEY_SYSTEM_ID, [rotated]);

  it('reports the moov’s pssh boxes, then each moof’s, one report per run of adjacent boxes', async () => {
    // Fragment 0 carries two adjacent boxes, fragment 2 one after mfhd and one after its trafs (not adjacent).
    const protectedFile = encryptMp4(readFixture('clear_frag.mp4'), {
      scheme: 'cenc',
      key: Buffer.from(KEYS.video.key, 'hex'),
      kid,
      ivSize: 8,
      moofPssh: (n) => (n === 0 ? { head: [a, b] } : n === 2 ? { head: [c], tail: [a] } : {}),
    });
    const moofs: number[] = [];
    for (let p = 0; p < protectedFile.length; p += protectedFile.readUInt32BE(p)) {
      if (protectedFile.toString('latin1', p + 4, p + 8) === 'moof') moofs.push(p);
    }
    const seen: [string, number, string][] = [];
    const out = join(tmp, 'moof-pssh.mp4');
    const report = await decryptMedia(protectedFile, out, {
      keys: defaultKeys,
      onInitData: ({ initDataType, initData, box, offset }) => seen.push([`${initDataType} ${box}`, offset, initData.toString('hex')]),
    });
    const moovOffset = protectedFile.indexOf('moov') - 4;
    expect(seen).toEqual([
      ['cenc moov', moovOffset, a.toString('hex')],
      ['cenc moof', moofs[0], Buffer.concat([a, b]).toString('hex')],
      ['cenc moof', moofs[2], c.toString('hex')],
      ['cenc moof', moofs[2], a.toString('hex')],
    ]);
    expect(report.samplesDecrypted).toBeGreaterThan(0);
    expect(boxTypes(readFileSync(out))).not.toContain('pssh');
    expect(sampleDiff(clear, readFileSync(out), 1)).toEqual([]);
    expect(sampleDiff(clear, readFileSync(out), 2)).toEqual([]);
  });

  it('reports nothing for a file without pssh boxes', async () => {
    const seen: Buffer[] = [];
    await decryptMedia(fixture('cenc_ffmpeg_frag.mp4'), join(tmp, 'no-pssh.mp4'), { keys: defaultKeys, onInitData: ({ initData }) => seen.push(initData) });
    expect(seen).toEqual([]);
  });
});
