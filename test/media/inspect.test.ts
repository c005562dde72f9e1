import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractInitData, inspectMedia } from '../../src/media/index.js';
import { fixture, KEYROLL, KEYS, readFixture, repoRoot } from '../support/fixtures.js';

describe('inspectMedia', () => {
  it('cbcs: constant IV, patterns 1:9 video and 0:0 audio, Clear Key pssh v1 with KIDs', async () => {
    const info = await inspectMedia(fixture('cbcs_mp4box.mp4'));
    expect(info.fragmented).toBe(true);
    expect(info.tracks.map((t) => [t.trackId, t.handler, t.codec, t.sampleEntry, t.scheme, t.pattern, t.constantIv, t.perSampleIvSize])).toEqual([
      [1, 'vide', 'avc1', 'encv', 'cbcs', '1:9', true, 0],
      [2, 'soun', 'mp4a', 'enca', 'cbcs', '0:0', true, 0],
    ]);
    expect(info.pssh).toEqual([
      { systemId: '1077efecc0b24d02ace33c1e52e2fb4b', system: 'W3C Common (Clear Key)', version: 1, keyIds: [KEYS.video.kid], dataSize: 0, location: 'moov' },
    ]);
  });

  it('cbc1 progressive: 16-byte IVs, no pattern', async () => {
    const info = await inspectMedia(fixture('cbc1_mp4box_prog.mp4'));
    expect(info.fragmented).toBe(false);
    expect(info.tracks.every((t) => t.scheme === 'cbc1' && t.perSampleIvSize === 16 && t.pattern === undefined)).toBe(true);
  });

  it('key rotation: seig key IDs listed per track', async () => {
    const info = await inspectMedia(fixture('cenc_keyroll_mp4box.mp4'));
    expect(new Set([info.tracks[0]!.defaultKeyId, ...info.tracks[0]!.groupKeyIds])).toEqual(new Set(KEYROLL.map(([k]) => k)));
  });
});

describe('extractInitData', () => {
  it('returns the pssh boxes exactly as stored, and default KIDs per track', async () => {
    const file = readFixture('cenc_mp4box_multikey.mp4');
    const init = await extractInitData(file);
    const at = file.indexOf(Buffer.from('pssh')) - 4;
    expect(Buffer.from(init.cenc).equals(file.subarray(at, at + file.readUInt32BE(at)))).toBe(true);
    expect(init.keyIds).toEqual([
      { trackId: 1, keyIds: [KEYS.video.kid] },
      { trackId: 2, keyIds: [KEYS.audio.kid] },
    ]);
  });

  it('ffmpeg file without pssh: empty cenc init data, KIDs from tenc', async () => {
    const init = await extractInitData(fixture('cenc_ffmpeg_prog.mp4'));
    expect(init.cenc.length).toBe(0);
    expect(init.allKeyIds).toEqual([KEYS.video.kid]);
  });
});

describe('emekit inspect', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'inspect', ...args], { encoding: 'utf8', cwd: repoRoot });

  it('prints tracks, scheme, KIDs and pssh; --json parses', () => {
    const r = cli(fixture('cens_mp4box.mp4'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/track 1 \(vide\), codec avc1 in encv, scheme cens v1\.0, KID eb676abbcb345e96bbcf616630f1a3da, IV 8 bytes, pattern 1:9/);
    expect(r.stdout).toMatch(/pssh v1 in moov: 1077efecc0b24d02ace33c1e52e2fb4b/);
    const j = cli('--json', fixture('cbcs_mp4box.mp4'));
    expect(JSON.parse(j.stdout).tracks[1].pattern).toBe('0:0');
  });

  it('bad file: non-zero exit, one line, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'emekit-cli-'));
    const bad = join(dir, 'bad.mp4');
    writeFileSync(bad, readFixture('cenc_mp4box.mp4').subarray(0, 5000));
    const r = cli(bad);
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/truncated/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    rmSync(dir, { recursive: true, force: true });
  });
});
