// `emekit encrypt` and `emekit package`: the real CLI process. Round trips through `emekit decrypt`, keys from the
// license server's store (sealed, as `emekit keys` stores them), key rotation, and bad input: one line, exit 1,
// nothing left behind, no key echoed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { boxTypes, withoutHevcPps } from '../support/mp4.js';
import { expectClearSamples, fixture, KEYS, readFixture, repoRoot } from '../support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-cli-encrypt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const VIDEO = `${KEYS.video.kid}:${KEYS.video.key}`;
const AUDIO = `${KEYS.audio.kid}:${KEYS.audio.key}`;
const MASTER = { EMEKIT_MASTER_KEY: '11'.repeat(32) };

function emekit(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ['dist/bin/emekit.cjs', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('emekit encrypt', () => {
  it.each(['cenc', 'cbcs', 'cens', 'cbc1'])('--scheme %s with a key per kind of track, decrypted by emekit decrypt', (scheme) => {
    const out = join(dir, `${scheme}.mp4`);
    const run = emekit(['encrypt', fixture('clear_prog.mp4'), out, '--scheme', scheme, '--key', `video=${VIDEO}`, '--key', `audio=${AUDIO}`, '--fragment', '1s']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`track 1 (vide) avc1: 100 samples, ${scheme} KID ${KEYS.video.kid}`);
    expect(run.stderr).toContain(`track 2 (soun) mp4a: 189 samples, ${scheme} KID ${KEYS.audio.kid}`);
    expect(run.stderr).toMatch(new RegExp(`encrypted 289 samples \\(${scheme}, \\d+ fragments\\) in`));
    expect(run.stderr).not.toContain(KEYS.video.key);
    const clear = join(dir, `${scheme}.clear.mp4`);
    const back = emekit(['decrypt', out, clear, '--key', VIDEO, '--key', AUDIO]);
    expect(back.status, back.stderr).toBe(0);
    expectClearSamples(clear);
  });

  it('HEVC: slice headers kept clear without a word; a slice header it cannot measure gets a warning line, not a failure', () => {
    const hevc = join(repoRoot, 'test/fixtures/hevc/b-pyramid.mp4');
    const clean = emekit(['encrypt', hevc, join(dir, 'hevc.mp4'), '--scheme', 'cbcs', '--key', VIDEO]);
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stderr).toContain('track 1 (vide) hvc1: 25 samples, cbcs');
    expect(clean.stderr).not.toContain('warning');
    const input = join(dir, 'hevc-no-pps.mp4');
    writeFileSync(input, withoutHevcPps(readFileSync(hevc)));
    const warned = emekit(['encrypt', input, join(dir, 'hevc-no-pps.enc.mp4'), '--scheme', 'cbcs', '--key', VIDEO]);
    expect(warned.status, warned.stderr).toBe(0);
    expect(warned.stderr).toContain('track 1: warning: 25 slices protected from the NAL header on (PPS 0 is not in the sample entry or the samples)');
  });

  it('--progressive output', () => {
    const out = join(dir, 'prog.mp4');
    const run = emekit(['encrypt', fixture('clear_prog.mp4'), out, '--key', VIDEO, '--progressive', '-q']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(boxTypes(readFileSync(out))).not.toContain('moof');
    const clear = join(dir, 'prog.clear.mp4');
    expect(emekit(['decrypt', out, clear, '--key', VIDEO, '-q']).status).toBe(0);
    expectClearSamples(clear);
  });

  it('--key-from-store records a sealed key that emekit keys lists; --rotate gives each period its own key (seig groups, moof pssh)', () => {
    const db = join(dir, 'keys.db');
    const out = join(dir, 'rotated.mp4');
    const run = emekit(['encrypt', fixture('clear_prog.mp4'), out, '--key-from-store', '--db', db, '--label', 'rotation', '--rotate', '1s', '--fragment', '1s'], MASTER);
    expect(run.status, run.stderr).toBe(0);
    const listed = emekit(['keys', 'list', '--show-keys', '--json', '--db', db], MASTER);
    const keys = JSON.parse(listed.stdout) as { kid: string; key: string; label: string }[];
    expect(keys.length).toBeGreaterThanOrEqual(3);
    expect(keys.every((k) => k.label === 'rotation')).toBe(true);
    const types = boxTypes(readFileSync(out));
    expect(types).toContain('sgpd:seig');
    expect(types.filter((t) => t === 'pssh').length).toBe(keys.length);
    for (const k of keys) expect(run.stderr).toContain(k.kid);
    const clear = join(dir, 'rotated.clear.mp4');
    const back = emekit(['decrypt', out, clear, ...keys.flatMap((k) => ['--key', `${k.kid}:${k.key}`])]);
    expect(back.status, back.stderr).toBe(0);
    expectClearSamples(clear);
  });

  describe('bad input: one line, exit 1, no output left, no key echoed', () => {
    const notMp4 = join(dir, 'not.mp4');
    writeFileSync(notMp4, 'plain text, not ISO-BMFF at all');
    const vp9 = join(dir, 'vp09.mp4');
    const bytes = readFixture('clear_prog.mp4');
    bytes.write('vp09', bytes.indexOf('avc1', bytes.indexOf('stsd')), 'latin1');
    writeFileSync(vp9, bytes);
    it.each([
      ['not ISO-BMFF', [notMp4, '--key', VIDEO], /not an MP4 file/],
      ['a codec the scheme does not cover', [vp9, '--key', VIDEO], /codec 'vp09' is not covered/],
      ['a key of the wrong length', [fixture('clear_prog.mp4'), '--key', `${KEYS.video.kid}:${KEYS.video.key.slice(0, 30)}`], /32 hex digits/],
      ['a KID given twice with different keys', [fixture('clear_prog.mp4'), '--key', `video=${VIDEO}`, '--key', `audio=${KEYS.video.kid}:${KEYS.audio.key}`], /given twice with different keys/],
      ['an unknown scheme', [fixture('clear_prog.mp4'), '--key', VIDEO, '--scheme', 'ctr'], /--scheme takes/],
    ])('%s', (_name, args, message) => {
      const out = join(dir, `bad-${readdirSync(dir).length}.mp4`);
      const run = emekit(['encrypt', args[0]!, out, ...args.slice(1)]);
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain(KEYS.video.key.slice(0, 30));
      expect(run.stderr).not.toContain(KEYS.audio.key);
      expect(existsSync(out)).toBe(false);
    });
  });

  // Writes run on libuv's pool, several at a time: one failing (made to fail with ENOSPC by a preload; partway for
  // fragmented output, whose second write it is, the only one for progressive output of this small file) must
  // still end the run with one line and exit 1, after the others settle, leaving nothing.
  it.each([['fragmented', 2], ['--progressive', 1]])('a write failing (%s): one line, exit 1, nothing left', (layout, failAt) => {
    const failing = join(dir, 'fail-a-write.cjs');
    writeFileSync(
      failing,
      `const fs = require('node:fs');
let n = 0;
for (const name of ['write', 'writev']) {
  const real = fs[name];
  fs[name] = function (...args) {
    const cb = args[args.length - 1];
    if (typeof cb === 'function' && ++n === Number(process.env.FAIL_AT)) return void setImmediate(() => cb(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })));
    return real.apply(this, args);
  };
}
`,
    );
    const outDir = mkdtempSync(join(dir, 'fail-'));
    const out = join(outDir, 'out.mp4');
    const args = ['encrypt', fixture('clear_prog.mp4'), out, '--key', VIDEO, '--fragment', '1s', '-q', ...(layout === 'fragmented' ? [] : [layout])];
    const result = spawnSync(process.execPath, ['-r', failing, 'dist/bin/emekit.cjs', ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, FAIL_AT: String(failAt) } });
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^emekit encrypt: write failed: ENOSPC/)]);
    expect(readdirSync(outDir)).toEqual([]);
  });
});

describe('emekit package', () => {
  it('writes the DASH and HLS presentation, with the license server in the manifest', () => {
    const out = join(dir, 'presentation');
    const run = emekit(['package', fixture('clear_prog.mp4'), '--out', out, '--key', VIDEO, '--scheme', 'cbcs', '--license-url', 'http://127.0.0.1:8080/license']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`video: avc1.42c00d, 2 segments`);
    expect(run.stderr).toContain(`cbcs KID ${KEYS.video.kid}`);
    expect(readdirSync(out).sort()).toEqual(['audio', 'manifest.mpd', 'master.m3u8', 'video']);
    expect(readFileSync(join(out, 'manifest.mpd'), 'utf8')).toContain('<clearkey:Laurl Lic_type="EME-1.0">http://127.0.0.1:8080/license</clearkey:Laurl>');
    expect(readFileSync(join(out, 'video/playlist.m3u8'), 'utf8')).toContain('#EXT-X-KEY:METHOD=SAMPLE-AES,');
  });

  it('--key-from-store --rotate: a key per period, recorded in the store, each announced in the HLS playlist', () => {
    const db = join(dir, 'package-keys.db');
    const out = join(dir, 'rotating');
    const run = emekit(['package', fixture('clear_prog.mp4'), '--out', out, '--key-from-store', '--db', db, '--rotate', '1s', '--segment', '1s'], MASTER);
    expect(run.status, run.stderr).toBe(0);
    const keys = JSON.parse(emekit(['keys', 'list', '--json', '--db', db], MASTER).stdout) as { kid: string }[];
    const playlist = readFileSync(join(out, 'video/playlist.m3u8'), 'utf8');
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const k of keys) expect(playlist).toContain(`KEYID=0x${k.kid}`);
  });

  it('refuses a missing input or --out, and leaves nothing on failure', () => {
    expect(emekit(['package', '--out', join(dir, 'x'), '--key', VIDEO]).stderr).toContain('missing argument <in>');
    expect(emekit(['package', fixture('clear_prog.mp4'), '--key', VIDEO]).stderr).toContain('missing required option --out');
    const out = join(dir, 'failed');
    const run = emekit(['package', join(dir, 'not.mp4'), '--out', out, '--key', VIDEO]);
    expect(run.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});
