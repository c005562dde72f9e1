// `emekit decrypt` with --key: the real CLI process, through the EME flow, against GPAC-made fixtures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClearSamples, fixture, KEYS } from '../support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const VIDEO = `${KEYS.video.kid}:${KEYS.video.key}`;
const AUDIO = `${KEYS.audio.kid}:${KEYS.audio.key}`;

function emekit(...args: string[]) {
  return node([], ...args);
}

function node(nodeOptions: string[], ...args: string[]) {
  const result = spawnSync(process.execPath, [...nodeOptions, 'dist/bin/emekit.cjs', ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('emekit decrypt --key', () => {
  it.each(['cenc_mp4box.mp4', 'cbcs_mp4box_prog.mp4', 'cens_mp4box.mp4', 'cbc1_mp4box_prog.mp4'])('%s decrypts to the clear samples', (name) => {
    const out = join(dir, name);
    const run = emekit('decrypt', fixture(name), out, '--key', VIDEO);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('license request: {"kids":["62dqu8s0Xpa7z2FmMPGj2g"],"type":"temporary"}');
    expect(run.stderr).toContain(`key statuses: ${KEYS.video.kid}=usable`);
    expectClearSamples(out);
  });

  it.each(['cbcs_mp4box.mp4', 'cbc1_mp4box_prog.mp4'])('%s decrypts without WebAssembly too (node --jitless: CBC sample by sample)', (name) => {
    const out = join(dir, `jitless-${name}`);
    const run = node(['--jitless'], 'decrypt', fixture(name), out, '--key', VIDEO);
    expect(run.status, run.stderr).toBe(0);
    expectClearSamples(out);
  });

  it('multikey needs both keys; with one, a clear missing-key error naming the other', () => {
    const ok = emekit('decrypt', fixture('cenc_mp4box_multikey.mp4'), join(dir, 'mk.mp4'), '--key', VIDEO, '--key', AUDIO);
    expect(ok.status, ok.stderr).toBe(0);
    expectClearSamples(join(dir, 'mk.mp4'));
    const missing = emekit('decrypt', fixture('cenc_mp4box_multikey.mp4'), join(dir, 'mk2.mp4'), '--key', VIDEO);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`emekit decrypt: no key for key ID ${KEYS.audio.kid} (track 2)`);
  });

  it('no key for any requested key ID, a clear file, bad flags: one-line errors, no stack, no key echoed', () => {
    const wrongKid = emekit('decrypt', fixture('cenc_mp4box.mp4'), join(dir, 'x.mp4'), '--key', `${KEYS.audio.kid}:${KEYS.audio.key}`);
    expect(wrongKid.status).toBe(1);
    expect(wrongKid.stderr).toContain(`no key given for key ID ${KEYS.video.kid}`);
    const clear = emekit('decrypt', fixture('clear_prog.mp4'), join(dir, 'y.mp4'), '--key', VIDEO);
    expect(clear.status).toBe(1);
    expect(clear.stderr).toContain('not a protected file');
    const bad = emekit('decrypt', fixture('cenc_mp4box.mp4'), join(dir, 'z.mp4'), '--key', 'deadbeef:00112233445566778899aabbccddeeffaa');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--key takes KID:KEY');
    expect(bad.stderr).not.toContain('00112233445566778899aabbccddeeffaa');
    const none = emekit('decrypt', fixture('cenc_mp4box.mp4'), join(dir, 'n.mp4'));
    expect(none.status).toBe(1);
    for (const run of [wrongKid, clear, bad, none]) {
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(run.stderr).not.toContain(KEYS.audio.key);
    }
  });
});
