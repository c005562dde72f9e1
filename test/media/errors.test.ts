import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decryptMedia, MediaError } from '../../src/media/index.js';
import type { MediaErrorCode } from '../../src/media/index.js';
import { defaultKeys, keyLookup, readFixture } from '../support/fixtures.js';

const tmp = mkdtempSync(join(tmpdir(), 'emekit-err-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Decrypts `bytes` three ways (from memory; from a file through the thread pool; from a file with blocking
 * I/O) and expects the same MediaError each time, with no output file left behind.
 */
async function failure(bytes: Buffer, keys = defaultKeys): Promise<MediaError> {
  const input = join(tmp, 'in.mp4');
  writeFileSync(input, bytes);
  const errors: MediaError[] = [];
  for (const [source, blockingIo] of [[bytes, false], [input, false], [input, true]] as const) {
    const out = join(tmp, 'x.mp4');
    const err = await decryptMedia(source, out, { keys, blockingIo }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MediaError);
    expect(existsSync(out)).toBe(false);
    errors.push(err as MediaError);
  }
  expect(errors.map((e) => [e.code, e.message])).toEqual(Array(3).fill([errors[0]!.code, errors[0]!.message]));
  return errors[0]!;
}

function patched(name: string, fn: (b: Buffer) => void): Buffer {
  const b = Buffer.from(readFixture(name));
  fn(b);
  return b;
}

function expectCode(e: MediaError, code: MediaErrorCode, text?: RegExp): void {
  expect(e.code, e.message).toBe(code);
  if (text) expect(e.message).toMatch(text);
}

describe('errors are MediaErrors with a code, naming the box and offset', () => {
  it('truncated fragmented file', async () => {
    const b = readFixture('cenc_mp4box.mp4');
    expectCode(await failure(b.subarray(0, 60_000)), 'truncated', /offset \d+/);
  });

  it('truncated progressive file (moov first)', async () => {
    const b = readFixture('cbcs_mp4box_prog.mp4');
    expectCode(await failure(b.subarray(0, 150_000)), 'truncated');
  });

  it('truncated progressive file (moov last, cut inside moov)', async () => {
    const b = readFixture('cenc_ffmpeg_prog.mp4');
    expectCode(await failure(b.subarray(0, b.length - 100)), 'truncated');
  });

  it('lying box size inside moov', async () => {
    // trak at 324 in cenc_mp4box.mp4: claim it is larger than moov.
    const e = await failure(patched('cenc_mp4box.mp4', (b) => b.writeUInt32BE(5000, 324)));
    expectCode(e, 'malformed', /moov\/trak at offset 324/);
  });

  it('box size smaller than its header', async () => {
    expectCode(await failure(patched('cenc_mp4box.mp4', (b) => b.writeUInt32BE(3, 324))), 'malformed', /smaller than its header/);
  });

  it('senc with more entries than samples', async () => {
    // First video senc at 1705: sample_count after the 8-byte header and version/flags.
    const e = await failure(patched('cbcs_mp4box.mp4', (b) => b.writeUInt32BE(51, 1705 + 12)));
    expectCode(e, 'malformed', /senc at offset 1705: 51 entries for 50 samples/);
  });

  it('subsample sizes that exceed the sample', async () => {
    // First senc entry of cbcs (constant IV): subsample_count(2) clear(2) protected(4).
    const e = await failure(patched('cbcs_mp4box.mp4', (b) => b.writeUInt32BE(0x00ffffff, 1705 + 16 + 2 + 2)));
    expectCode(e, 'malformed', /subsample sizes exceed the sample/);
  });

  it('unsupported scheme', async () => {
    const e = await failure(patched('cenc_mp4box.mp4', (b) => b.write('abcd', 784 + 12, 'latin1')));
    expectCode(e, 'unsupported-scheme', /'abcd'/);
  });

  it('a clear file is not-protected', async () => {
    expectCode(await failure(readFixture('clear_prog.mp4')), 'not-protected');
  });

  it('not an MP4 at all', async () => {
    expectCode(await failure(Buffer.from('hello, this is not an mp4 file at all')), 'malformed');
  });

  it('wrong key caught by the AVC check where the layout allows it, without the key in the message', async () => {
    const key = '00112233445566778899aabbccddeeff';
    const e = await failure(readFixture('cenc_ffmpeg_prog.mp4'), keyLookup([['eb676abbcb345e96bbcf616630f1a3da', key]]));
    expectCode(e, 'wrong-key', /eb676abbcb345e96bbcf616630f1a3da/);
    expect(e.message).not.toContain(key);
  });

  it('a key of the wrong length', async () => {
    const e = await failure(readFixture('cenc_mp4box.mp4'), keyLookup([['eb676abbcb345e96bbcf616630f1a3da', '0011']]));
    expectCode(e, 'wrong-key', /2 bytes/);
  });
});
