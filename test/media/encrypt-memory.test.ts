// encryptMedia's memory stays bounded: a progressive output (the moov worked out first, the media data streamed
// through) and a stream input (copied to a temporary file first) are encrypted without holding the input. Each run
// is a child process (test/support/encrypt-rss.ts) whose peak resident memory is compared with a baseline (the same
// run on a 200 KB file; for a stream, draining the same stream): the growth stays far below the input's size, where
// holding the input would add at least all of it.
// The ~120 MB input (noisy lossless H.264 with ~500 KB frames) is made by ffmpeg; skipped without it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, repoRoot } from '../support/fixtures.js';
import { hasFfmpeg } from '../support/mp4.js';

const dir = mkdtempSync(join(tmpdir(), 'emekit-encrypt-memory-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const big = join(dir, 'big.mp4');

function peakRss(input: string, layout: 'progressive' | 'fragmented', how: 'file' | 'stream' | 'drain'): { maxRssKb: number; bytesRead: number; bytesWritten: number } {
  const out = join(dir, `out-${layout}-${how}.mp4`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/support/encrypt-rss.ts', input, out, layout, how, 'cbcs'], { cwd: repoRoot, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`encrypt-rss failed: ${r.stderr}`);
  rmSync(out, { force: true });
  return JSON.parse(r.stdout) as { maxRssKb: number; bytesRead: number; bytesWritten: number };
}

describe.skipIf(!hasFfmpeg)('bounded memory (needs ffmpeg to make a ~120 MB input)', () => {
  beforeAll(() => {
    const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-vf', 'noise=alls=100:allf=t', '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '25', '-frames:v', '240', big], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
  }, 120_000);

  it('progressive output of a file input grows the peak by less than 1/4 of the input', () => {
    const size = statSync(big).size;
    expect(size).toBeGreaterThan(100e6);
    const small = peakRss(fixture('clear_prog.mp4'), 'progressive', 'file');
    const large = peakRss(big, 'progressive', 'file');
    expect(large.bytesWritten).toBeGreaterThan(size);
    const growth = (large.maxRssKb - small.maxRssKb) * 1024;
    expect(growth, `peak RSS ${small.maxRssKb} KB → ${large.maxRssKb} KB for a ${size}-byte input`).toBeLessThan(size / 4);
  }, 180_000);

  // A stream's own chunks are garbage V8 collects late: draining the same stream with a bare for-await already raises
  // the peak by ~40 MB, whatever the consumer does. So the baseline here is that drain of the same large stream, and
  // what encryptMedia adds over it (its temporary copy and the encryption) is held to the file case's bound.
  it('progressive output of a stream input grows the peak over draining the stream by less than 1/4 of the input', () => {
    const size = statSync(big).size;
    const drained = peakRss(big, 'progressive', 'drain');
    expect(drained.bytesRead).toBe(size);
    const large = peakRss(big, 'progressive', 'stream');
    expect(large.bytesWritten).toBeGreaterThan(size);
    const growth = (large.maxRssKb - drained.maxRssKb) * 1024;
    expect(growth, `peak RSS ${drained.maxRssKb} KB (drain) → ${large.maxRssKb} KB (encrypt) for a ${size}-byte stream`).toBeLessThan(size / 4);
  }, 180_000);
});
