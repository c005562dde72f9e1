// `emekit decrypt --license-url`: the CLI process against a real license server on loopback.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey, signLicenseToken, startLicenseServer, type RunningLicenseServer } from '../../src/server/index.js';
import { expectClearSamples, fixture, KEYS } from '../support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-license-url-'));
const secret = randomBytes(32);
let server: RunningLicenseServer;

beforeAll(async () => {
  server = await startLicenseServer({ db: join(dir, 'keys.sqlite'), masterKey: generateMasterKey(), auth: { kind: 'hs256', secret }, log: false });
  await server.store.addKey(Buffer.from(KEYS.video.kid, 'hex'), Buffer.from(KEYS.video.key, 'hex'), 'video');
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// Asynchronous spawn: the server lives in this process and must keep answering while the CLI runs.
function emekit(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/bin/emekit.cjs', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('emekit decrypt --license-url', () => {
  it('gets the license with a token and decrypts to the clear samples', async () => {
    const token = await signLicenseToken(secret, { kids: [KEYS.video.kid], ttlSeconds: 60 });
    const out = join(dir, 'ok.mp4');
    const run = await emekit('decrypt', fixture('cenc_mp4box.mp4'), out, '--license-url', server.licenseUrl, '--token', token);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`key statuses: ${KEYS.video.kid}=usable`);
    expectClearSamples(out, [1]);
    expect(run.stderr).not.toContain(KEYS.video.key);
  });

  it('401 without a token, 403 for a token for other keys, a clear message when the server is down', async () => {
    const none = await emekit('decrypt', fixture('cenc_mp4box.mp4'), join(dir, 'a.mp4'), '--license-url', server.licenseUrl);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('not authenticated (401)');
    const other = await signLicenseToken(secret, { kids: [KEYS.audio.kid], ttlSeconds: 60 });
    const forbidden = await emekit('decrypt', fixture('cenc_mp4box.mp4'), join(dir, 'b.mp4'), '--license-url', server.licenseUrl, '--token', other);
    expect(forbidden.status).toBe(1);
    expect(forbidden.stderr).toContain('(403)');
    const forged = await signLicenseToken(randomBytes(32), { kids: [KEYS.video.kid], ttlSeconds: 60 });
    const bad = await emekit('decrypt', fixture('cenc_mp4box.mp4'), join(dir, 'c.mp4'), '--license-url', server.licenseUrl, '--token', forged);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('(401)');
    const down = await emekit('decrypt', fixture('cenc_mp4box.mp4'), join(dir, 'd.mp4'), '--license-url', 'http://127.0.0.1:9/license');
    expect(down.status).toBe(1);
    expect(down.stderr).toContain('is not reachable');
    for (const run of [none, forbidden, bad, down]) expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('keys the server did not give: the missing key is named', async () => {
    const token = await signLicenseToken(secret, { kids: [KEYS.video.kid, KEYS.audio.kid], ttlSeconds: 60 });
    const run = await emekit('decrypt', fixture('cenc_mp4box_multikey.mp4'), join(dir, 'e.mp4'), '--license-url', server.licenseUrl, '--token', token);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`no key for key ID ${KEYS.audio.kid}`);
  });
});
