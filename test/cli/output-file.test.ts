// `emekit decrypt` writes its output under a temporary name and renames it into place on success (issue 16, item
// 7: a crash, a missing key or Ctrl-C used to leave a partial file where the output was asked for). A failure or a
// signal leaves neither the output nor the temporary, and an existing file of that name untouched.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClearSamples, fixture, KEYROLL, KEYS, readFixture } from '../support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-cli-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function emekit(...args: string[]) {
  const result = spawnSync(process.execPath, ['dist/bin/emekit.cjs', ...args], { encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

/** A directory of its own per case, so that whatever a run leaves behind is all that is in it. */
function caseDir(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}

describe('emekit decrypt output', () => {
  it('a missing key leaves no output and no temporary file, and a file already there as it was; success replaces it', () => {
    const out = join(caseDir('missing-key'), 'out.mp4');
    writeFileSync(out, 'an earlier file');
    const missing = emekit('decrypt', fixture('cenc_mp4box_multikey.mp4'), out, '-q', '--key', `${KEYS.video.kid}:${KEYS.video.key}`);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`no key for key ID ${KEYS.audio.kid}`);
    expect(readdirSync(join(dir, 'missing-key'))).toEqual(['out.mp4']);
    expect(readFileSync(out, 'utf8')).toBe('an earlier file');

    const ok = emekit('decrypt', fixture('cenc_mp4box_multikey.mp4'), out, '-q', '--key', `${KEYS.video.kid}:${KEYS.video.key}`, '--key', `${KEYS.audio.kid}:${KEYS.audio.key}`);
    expect(ok.status, ok.stderr).toBe(0);
    expect(readdirSync(join(dir, 'missing-key'))).toEqual(['out.mp4']);
    expectClearSamples(out);
  });

  it('decrypting a file onto itself works: the input is replaced only once decrypted', () => {
    const path = join(caseDir('in-place'), 'movie.mp4');
    writeFileSync(path, readFixture('cenc_mp4box.mp4'));
    const run = emekit('decrypt', path, path, '-q', '--key', `${KEYS.video.kid}:${KEYS.video.key}`);
    expect(run.status, run.stderr).toBe(0);
    expectClearSamples(path);
  });

  // Key rotation without pssh: the later key IDs are met during decryption and licensed one by one. The license
  // server here answers the first request and holds every later one, so the command is caught halfway through
  // writing its output, waiting for a key, when the signal comes.
  it.each(['SIGINT', 'SIGTERM'] as const)('%s halfway through removes the temporary file and leaves no output', async (signal) => {
    const bytes = readFixture('cenc_keyroll_mp4box.mp4');
    bytes.write('free', bytes.indexOf('pssh', 0, 'latin1'), 'latin1');
    const work = caseDir(`signal-${signal}`);
    const input = join(work, 'in.mp4');
    writeFileSync(input, bytes);
    const keys = new Map(KEYROLL.map(([kid, key]) => [Buffer.from(kid, 'hex').toString('base64url'), Buffer.from(key, 'hex').toString('base64url')]));
    let requests = 0;
    let held!: () => void;
    const heldRequest = new Promise<void>((resolve) => (held = resolve));
    const server: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (++requests > 1) return held();
        const { kids } = JSON.parse(Buffer.concat(chunks).toString()) as { kids: string[] };
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ keys: kids.map((kid) => ({ kty: 'oct', kid, k: keys.get(kid) })), type: 'temporary' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/license`;
      const child = spawn(process.execPath, ['dist/bin/emekit.cjs', 'decrypt', input, join(work, 'out.mp4'), '-q', '--license-url', url], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      await Promise.race([heldRequest, exited.then(() => Promise.reject(new Error(`emekit exited before its second license request: ${stderr}`)))]);
      // Halfway: part of the output is written, under the temporary name.
      const partial = readdirSync(work).filter((name) => name !== 'in.mp4');
      expect(partial).toEqual([`.out.mp4.${child.pid}.partial`]);
      expect(readFileSync(join(work, partial[0]!)).byteLength).toBeGreaterThan(0);
      child.kill(signal);
      expect(await exited).toEqual({ code: null, signal });
      expect(readdirSync(work)).toEqual(['in.mp4']);
      expect(stderr).toBe('');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
