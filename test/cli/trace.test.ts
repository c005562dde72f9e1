// `EMEKIT_TRACE=file.jsonl emekit decrypt …` records the command's EME flow; `emekit trace file.jsonl` prints it as
// a timeline, sessions side by side. The key given on the command line never reaches the trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEME } from '../../src/index.js';
import { KEY_A, KID_A, KID_B, keyIdsInitData, license, settle, VIDEO_CONFIG } from '../support/eme.js';
import { KEYS } from '../support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-cli-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function emekit(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['dist/bin/emekit.cjs', ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('emekit trace', () => {
  it('EMEKIT_TRACE records the decrypt command; the timeline shows its calls, message and key statuses', () => {
    const file = join(dir, 'decrypt.jsonl');
    const run = emekit(['decrypt', 'samples/protected-cenc.mp4', join(dir, 'clear.mp4'), '--key', `${KEYS.video.kid}:${KEYS.video.key}`], { EMEKIT_TRACE: file });
    expect(run.status, run.stderr).toBe(0);
    const recorded = readFileSync(file, 'utf8');
    expect(recorded).not.toContain(KEYS.video.key);
    expect(recorded).not.toContain(Buffer.from(KEYS.video.key, 'hex').toString('base64url'));
    const timeline = emekit(['trace', file]);
    expect(timeline.status, timeline.stderr).toBe(0);
    const lines = timeline.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ +ms {2}navigator, access, MediaKeys +session 1 \(id \d+\)$/);
    expect(lines[1]).toMatch(/^ +0\.0 {2}navigator: requestMediaKeySystemAccess\(keySystem: "org\.w3\.clearkey", supportedConfigurations: \[/);
    const sessionColumn = ' '.repeat(30);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ +\\d+\\.\\d {2}${sessionColumn}event message license-request \\{"json":\\{"kids":\\["62dqu8s0Xpa7z2FmMPGj2g"\\]`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^ +\\d+\\.\\d {2}${sessionColumn}event keystatuseschange ${KEYS.video.kid}: usable$`)));
    expect(lines).toContainEqual(expect.stringMatching(/update\(response: \{"json":\{"keys":\[\{"kty":"oct","kid":"62dqu8s0Xpa7z2FmMPGj2g","k":"\[redacted\]"\}\]/));
  });

  it('two sessions side by side, with warnings and failures on their own lines', async () => {
    const file = join(dir, 'two.jsonl');
    const eme = createEME({ trace: file });
    const keys = await (await eme.requestMediaKeySystemAccess('org.w3.clearkey', [VIDEO_CONFIG])).createMediaKeys();
    const first = keys.createSession();
    const second = keys.createSession();
    await first.generateRequest('keyids', keyIdsInitData(KID_A));
    await second.generateRequest('keyids', keyIdsInitData(KID_B));
    await first.update(license([[KID_A, KEY_A]]));
    await second.update(license([[KID_A, KEY_A]])).catch(() => {});
    await second.update(new TextEncoder().encode('not json')).catch(() => {});
    await settle();
    await eme.close();
    const lines = emekit(['trace', file]).stdout.split('\n');
    expect(lines[0]).toMatch(/navigator, access, MediaKeys +session 1 \(id \d+\) +session 2 \(id \d+\)$/);
    const at = (column: number, text: string) => new RegExp(`^ +\\d+\\.\\d {2}${' '.repeat(column * 30)}${text}`);
    expect(lines).toContainEqual(expect.stringMatching(at(1, 'event keystatuseschange 2f05')));
    expect(lines).toContainEqual(
      expect.stringMatching(at(2, `WARN the license holds none of the requested key IDs \\(${Buffer.from(KID_B).toString('hex')}\\)`)),
    );
    expect(lines).toContainEqual(expect.stringMatching(at(2, 'FAIL update: TypeError: invalid Clear Key license: response is not a UTF-8 JSON object')));
  });

  it('a file that is not a trace: one line naming the line, exit 1', () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, '{"time":1,"seq":1,"kind":"call","target":"navigator"}\n{oops\n');
    const run = emekit(['trace', file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`emekit trace: ${file}: line 2 is not JSON\n`);
  });
});
