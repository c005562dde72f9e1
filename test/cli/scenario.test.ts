// `emekit scenario SCRIPT.json IN.mp4 …`: a test key system script replayed against the EME flow for a file, through
// the real command (the bundle, as installed), its timeline printed in scenario time; a bad script is refused in one
// line with exit code 1.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signLicenseToken } from '../../src/server/token.js';
import { KEYS } from '../support/fixtures.js';
import { startLicenseApp } from '../support/license-server.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-cli-scenario-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MEDIA = 'samples/protected-cenc.mp4';
const KEY = `${KEYS.video.kid}:${KEYS.video.key}`;
const SESSION = ' '.repeat(30);

/** Runs the command without blocking this process (a license server in it must answer). */
function emekit(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['dist/bin/emekit.cjs', ...args], { encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The timeline of a scenario that ran (exit 0, nothing on stderr), by line. */
async function timeline(args: string[]): Promise<string[]> {
  const run = await emekit(['scenario', ...args]);
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  return run.stdout.trimEnd().split('\n');
}

function script(name: string, steps: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof steps === 'string' ? steps : JSON.stringify(steps));
  return file;
}

/** The lines matching each pattern, in this order (other lines may come between). */
function expectInOrder(lines: readonly string[], patterns: readonly RegExp[]): void {
  let from = 0;
  for (const pattern of patterns) {
    const at = lines.findIndex((line, i) => i >= from && pattern.test(line));
    expect(at, `${pattern} after line ${from} in:\n${lines.join('\n')}`).toBeGreaterThanOrEqual(0);
    from = at + 1;
  }
}

const line = (ms: number, column: number, text: string) => new RegExp(`^ +${ms}\\.0 {2}${' '.repeat(column * 30)}${text}`);

describe('emekit scenario', { timeout: 120_000 }, () => {
  it('replays renewals, a restricted output, an expiry and a crash at their times; the key never printed', async () => {
    const file = script('timeline.json', [
      { at: 0, do: 'renewEvery', seconds: 30 },
      { at: 45_000, do: 'setStatus', keyId: KEYS.video.kid, status: 'output-restricted' },
      { at: 50_000, do: 'renewEvery' },
      { at: 60_000, do: 'setExpiration', inSeconds: 10 },
      { at: 75_000, do: 'crash', reason: 'resource-evicted' },
    ]);
    const run = await emekit(['scenario', file, MEDIA, '--key', KEY]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ +ms {2}navigator, access, MediaKeys +session 1 \(id \d+\)$/);
    expectInOrder(lines, [
      line(0, 0, 'navigator: requestMediaKeySystemAccess\\(keySystem: "org\\.w3\\.clearkey"'),
      line(0, 1, 'event message license-request'),
      line(0, 1, 'ok   update'),
      line(0, 1, `event keystatuseschange ${KEYS.video.kid}: usable$`),
      line(0, 0, 'script: renewEvery\\(seconds: 30\\)$'),
      line(30_000, 1, 'event message license-renewal \\{"json":\\{"kids":\\["62dqu8s0Xpa7z2FmMPGj2g"\\]'),
      line(30_000, 1, 'ok   update$'),
      line(45_000, 0, `script: setStatus\\(keyId: "${KEYS.video.kid}", status: "output-restricted"\\)$`),
      line(45_000, 1, `event keystatuseschange ${KEYS.video.kid}: output-restricted$`),
      line(50_000, 0, 'script: renewEvery\\(\\)$'),
      line(60_000, 1, 'expiration = 2026-01-01T00:01:10\\.000Z$'),
      // Expired once the clock is past the expiration: 1 ms after it.
      line(70_001, 1, `event keystatuseschange ${KEYS.video.kid}: expired$`),
      line(75_000, 0, 'script: crash\\(reason: "resource-evicted"\\)$'),
      line(75_000, 1, 'closed: resource-evicted$'),
    ]);
    // One renewal only (at 30 s: the one due at 60 s was stopped at 50 s).
    expect(lines.filter((l) => l.includes('license-renewal'))).toHaveLength(1);
    expect(run.stdout).not.toContain(KEYS.video.key);
    expect(run.stdout).not.toContain(Buffer.from(KEYS.video.key, 'hex').toString('base64url'));
  });

  it('scripted faults: the first renewal answer fails after the scripted latency, the next one succeeds after it', async () => {
    const file = script('faults.json', [
      { at: 0, do: 'renewEvery', seconds: 30 },
      { at: 0, do: 'setLatency', method: 'update', ms: 2_000 },
      { at: 10_000, do: 'fail', method: 'update', error: 'InvalidStateError' },
    ]);
    expectInOrder(await timeline([file, MEDIA, '--key', KEY, '--until', '65s']), [
      line(0, 0, 'script: setLatency\\(method: "update", ms: 2000\\)$'),
      line(10_000, 0, 'script: fail\\(method: "update", error: "InvalidStateError"\\)$'),
      line(30_000, 1, 'event message license-renewal'),
      line(30_000, 1, 'update\\(response: '),
      line(32_000, 1, 'FAIL update: InvalidStateError: update: failure scripted by the test key system$'),
      line(60_000, 1, 'event message license-renewal'),
      line(60_000, 1, 'update\\(response: '),
      line(62_000, 1, 'ok   update$'),
    ]);
  });

  it("answers renewals through a license server: the token's policy sets the expiry and renewal interval, each renewal extends it", async () => {
    const server = await startLicenseApp([{ kid: Buffer.from(KEYS.video.kid, 'hex'), key: Buffer.from(KEYS.video.key, 'hex') }], 'movie');
    try {
      const token = await signLicenseToken(server.secret, { kids: [KEYS.video.kid], ttlSeconds: 600, policy: { durationSeconds: 60, renewalIntervalSeconds: 40 } });
      const lines = await timeline([script('empty.json', []), MEDIA, '--license-url', server.licenseUrl, '--token', token, '--until', '130s']);
      // 2026-01-01T00:00:00Z + 60 s, then + 60 s from each renewal at 40, 80 and 120 s: never expired.
      expectInOrder(lines, [
        line(0, 1, 'expiration = 2026-01-01T00:01:00\\.000Z$'),
        line(40_000, 1, 'event message license-renewal'),
        line(40_000, 1, 'expiration = 2026-01-01T00:01:40\\.000Z$'),
        line(80_000, 1, 'event message license-renewal'),
        line(80_000, 1, 'expiration = 2026-01-01T00:02:20\\.000Z$'),
        line(120_000, 1, 'event message license-renewal'),
        line(120_000, 1, 'expiration = 2026-01-01T00:03:00\\.000Z$'),
      ]);
      expect(lines.filter((l) => l.includes('license-renewal'))).toHaveLength(3);
      expect(lines.join('\n')).not.toMatch(/expired|FAIL|WARN/);
    } finally {
      await server.close();
    }
  });

  it('a status for a key the session does not hold: a warning in the timeline, nothing changed', async () => {
    const file = script('other-key.json', [{ at: 1_000, do: 'setStatus', keyId: KEYS.audio.kid, status: 'expired' }]);
    const lines = await timeline([file, MEDIA, '--key', KEY]);
    expectInOrder(lines, [
      line(1_000, 0, `script: setStatus\\(keyId: "${KEYS.audio.kid}", status: "expired"\\)$`),
      line(1_000, 0, `script: WARN step 0: no open session holds key ID ${KEYS.audio.kid}; nothing changed$`),
    ]);
    expect(lines.filter((l) => l.includes('keystatuseschange'))).toHaveLength(1); // the license's only
  });

  it('a license the source cannot give: the timeline so far, the reason, exit 1', async () => {
    const otherKey = `${KEYS.audio.kid}:${KEYS.audio.key}`;
    const run = await emekit(['scenario', script('none.json', []), MEDIA, '--key', otherKey]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`license: WARN license-request not answered: no key given for key ID ${KEYS.video.kid}`));
    expect(run.stderr).toBe(`emekit scenario: no key given for key ID ${KEYS.video.kid} (use --key KID:KEY)\n`);
  });

  it.each([
    ['unknown step', [{ at: 0, do: 'expire' }], 'script step 0: "do" must be one of renew, renewEvery, setStatus, setExpiration, close, crash, setHdcp, fail, setLatency, failStore (got "expire")'],
    ['time as text', [{ at: 0, do: 'renew' }, { at: '5s', do: 'renew' }], 'script step 1: "at" must be a time in ms, 0 or more (got "5s")'],
    ['negative time', [{ at: -1, do: 'renew' }], 'script step 0: "at" must be a time in ms, 0 or more (got -1)'],
    ['key ID not hex', [{ at: 0, do: 'setStatus', keyId: 'video', status: 'expired' }], 'script step 0: "keyId" must be hex, 1 to 512 bytes (got "video")'],
    ['odd hex digits', [{ at: 0, do: 'setStatus', keyId: 'eb6', status: 'expired' }], 'script step 0: "keyId" must be hex, 1 to 512 bytes (got "eb6")'],
    ['unknown status', [{ at: 0, do: 'setStatus', keyId: KEYS.video.kid, status: 'revoked' }], 'script step 0: "status" must be a MediaKeyStatus: one of usable, expired, released, output-restricted, output-downscaled, usable-in-future, status-pending, internal-error (got "revoked")'],
    ['misspelt member', [{ at: 0, do: 'renewEvery', secs: 30 }], 'script step 0: renewEvery has no member "secs" (it takes at, session, seconds)'],
    ['a fault on no CDM method', [{ at: 0, do: 'fail', method: 'decrypt', error: 'InvalidStateError' }], 'script step 0: "method" must be one of generateRequest, load, update, close, remove, setServerCertificate, getStatusForPolicy (got "decrypt")'],
    ['a fault that is no spec error', [{ at: 0, do: 'fail', method: 'update', error: 'Timeout' }], 'script step 0: "error" must be one of TypeError, NotSupportedError, InvalidStateError, QuotaExceededError, InvalidAccessError (got "Timeout")'],
    ['a session on a key-system-wide step', [{ at: 0, do: 'crash', session: 0 }], 'script step 0: crash has no member "session" (it takes at, reason)'],
    ['a second session', [{ at: 0, do: 'renew', session: 1 }], 'script step 0: there is no session 1: the scenario opens one session, index 0'],
    ['not an array', { at: 0, do: 'renew' }, 'a test key system script is a JSON array of steps'],
    ['not JSON', '[{ "at": 0, "do": "renew", }]', /^not JSON: .+$/],
  ])('refuses a script with %s, in one line, exit 1', async (_, steps, message) => {
    const file = script('bad.json', steps);
    const run = await emekit(['scenario', file, MEDIA, '--key', KEY]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const prefix = `emekit scenario: ${file}: `;
    expect(lines[0]!.startsWith(prefix), lines[0]).toBe(true);
    if (typeof message === 'string') expect(lines[0]!.slice(prefix.length)).toBe(message);
    else expect(lines[0]!.slice(prefix.length)).toMatch(message);
  });

  it('refuses a missing script file and a bad --until, in one line, exit 1', async () => {
    const missing = await emekit(['scenario', join(dir, 'absent.json'), MEDIA, '--key', KEY]);
    expect([missing.status, missing.stderr]).toEqual([1, `emekit scenario: ${join(dir, 'absent.json')}: no such file\n`]);
    const until = await emekit(['scenario', script('ok.json', []), MEDIA, '--key', KEY, '--until', 'later']);
    expect([until.status, until.stderr]).toEqual([1, 'emekit scenario: --until takes a duration such as 2s or 500ms\n']);
  });
});
