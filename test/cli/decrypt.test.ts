// `emekit decrypt` with --key: the real CLI process, through the EME flow, against GPAC-made fixtures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClearSamples, fixture, KEYROLL, KEYS, readFixture } from '../support/fixtures.js';

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

  it('decrypts when no WebAssembly memory can be had (ulimit -v: each reserves GBs of address space)', () => {
    const out = join(dir, 'ulimit-cbcs.mp4');
    const run = spawnSync('sh', ['-c', `ulimit -v 4000000 && exec "$0" dist/bin/emekit.cjs decrypt "$1" "$2" --key "$3"`, process.execPath, fixture('cbcs_mp4box.mp4'), out, VIDEO], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expectClearSamples(out);
  });

  it('key rotation: keys named by the init data are licensed up front; each later key ID gets a session of its own', () => {
    const keyArgs = KEYROLL.flatMap(([kid, key]) => ['--key', `${kid}:${key}`]);
    const b64 = ([kid]: [string, string]) => Buffer.from(kid, 'hex').toString('base64url');
    // The fixture's moov pssh lists all four key IDs: one request for all of them.
    const listed = emekit('decrypt', fixture('cenc_keyroll_mp4box.mp4'), join(dir, 'roll.mp4'), ...keyArgs);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stderr.match(/license request: /g)).toHaveLength(1);
    expect(listed.stderr).toContain(`license request: {"kids":[${KEYROLL.map((p) => `"${b64(p)}"`).join(',')}],"type":"temporary"}`);
    expectClearSamples(join(dir, 'roll.mp4'), [1]);
    // Without the pssh, the init data names only the key IDs of the moov and the first fragment; the others are
    // met during decryption (waitingforkey) and asked for one by one.
    const bytes = readFixture('cenc_keyroll_mp4box.mp4');
    const at = bytes.indexOf('pssh', 0, 'latin1');
    expect(at).toBeGreaterThan(0);
    bytes.write('free', at, 'latin1');
    const noPssh = join(dir, 'roll-no-pssh.mp4');
    writeFileSync(noPssh, bytes);
    const met = emekit('decrypt', noPssh, join(dir, 'roll2.mp4'), ...keyArgs);
    expect(met.status, met.stderr).toBe(0);
    const requests = [...met.stderr.matchAll(/license request: (.*)/g)].map((m) => JSON.parse(m[1]!) as { kids: string[] });
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.flatMap((r) => r.kids).sort()).toEqual(KEYROLL.map(b64).sort());
    expectClearSamples(join(dir, 'roll2.mp4'), [1]);
    // A key ID met later that no --key gives: a clear error naming it, and no output left behind.
    const short = emekit('decrypt', noPssh, join(dir, 'roll3.mp4'), ...keyArgs.slice(0, 2));
    expect(short.status).toBe(1);
    expect(short.stderr).toContain(`no key given for key ID ${KEYROLL[1]![0]}`);
    expect(existsSync(join(dir, 'roll3.mp4'))).toBe(false);
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
